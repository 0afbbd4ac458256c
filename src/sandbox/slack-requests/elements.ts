/**
 * Interactive elements in blocks, as Slack reports them to the app: finding one by action_id, the action
 * entry of a click or choice, and the `view.state.values` of a submitted modal (untouched inputs keep their
 * initial value; chosen options carry the text the person saw).
 */

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function actionTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

/** Finds an interactive element by action_id (and block_id) in a list of blocks. */
export function findElement(
  blocks: unknown,
  actionId: string,
  blockId?: string,
): { element: Json; blockId: string } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const id = typeof block.block_id === 'string' ? block.block_id : '';
    if (blockId !== undefined && id !== blockId) continue;
    const candidates: unknown[] = [];
    if (Array.isArray(block.elements)) candidates.push(...block.elements);
    if (block.accessory !== undefined) candidates.push(block.accessory);
    if (block.element !== undefined) candidates.push(block.element);
    for (const el of candidates) {
      if (isObject(el) && el.action_id === actionId) return { element: el, blockId: id };
    }
  }
  return undefined;
}

export function optionsOf(element: Json): Json[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((g) => (isObject(g) && Array.isArray(g.options) ? g.options : []))
    : [];
  return [...direct, ...grouped].filter(isObject);
}

/** The action entry Slack sends for a click or selection on `element`. */
export function actionFor(
  element: Json,
  blockId: string,
  value: string | undefined,
  values?: string[],
): Json {
  const type = String(element.type);
  const base: Json = { type, block_id: blockId, action_id: element.action_id, action_ts: actionTs() };
  switch (type) {
    case 'button':
      return {
        ...base,
        text: element.text,
        ...(element.value !== undefined || value !== undefined ? { value: value ?? element.value } : {}),
        ...(element.style !== undefined ? { style: element.style } : {}),
        ...(element.url !== undefined ? { url: element.url } : {}),
      };
    case 'static_select':
    case 'radio_buttons':
    case 'overflow': {
      const option = optionsOf(element).find((o) => o.value === value);
      if (!option) throw new Error(`no option with value ${String(value)} in ${String(element.action_id)}`);
      return { ...base, selected_option: { text: option.text, value: option.value } };
    }
    case 'checkboxes': {
      const ticked = new Set(values ?? []);
      const selected = optionsOf(element).filter((o) => ticked.has(String(o.value)));
      return { ...base, selected_options: selected.map((o) => ({ text: o.text, value: o.value })) };
    }
    case 'users_select':
      return { ...base, selected_user: value };
    case 'datepicker':
      return { ...base, selected_date: value };
    default:
      return { ...base, ...(value !== undefined ? { value } : {}) };
  }
}

/**
 * The state Slack reports for an input the person did not touch: its initial value
 * (initial_value, initial_option, initial_date, …), or empty when it has none.
 */
function untouchedState(element: Json): Json {
  const type = String(element.type);
  const initialOption = isObject(element.initial_option)
    ? { text: element.initial_option.text, value: element.initial_option.value }
    : null;
  const initialOptions = Array.isArray(element.initial_options)
    ? element.initial_options.filter(isObject).map((o) => ({ text: o.text, value: o.value }))
    : [];
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: initialOption };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: initialOptions };
    case 'users_select':
      return { type, selected_user: typeof element.initial_user === 'string' ? element.initial_user : null };
    case 'multi_users_select':
      return { type, selected_users: Array.isArray(element.initial_users) ? element.initial_users : [] };
    case 'conversations_select':
      return {
        type,
        selected_conversation:
          typeof element.initial_conversation === 'string' ? element.initial_conversation : null,
      };
    case 'channels_select':
      return {
        type,
        selected_channel: typeof element.initial_channel === 'string' ? element.initial_channel : null,
      };
    case 'datepicker':
      return { type, selected_date: typeof element.initial_date === 'string' ? element.initial_date : null };
    case 'timepicker':
      return { type, selected_time: typeof element.initial_time === 'string' ? element.initial_time : null };
    default:
      return { type, value: typeof element.initial_value === 'string' ? element.initial_value : null };
  }
}

export function stateValues(
  blocks: unknown,
  given: Record<string, Record<string, unknown>>,
  viewId: string,
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  const inputs = Array.isArray(blocks) ? blocks.filter(isObject).filter((b) => b.type === 'input') : [];
  for (const block of inputs) {
    const el = block.element;
    if (typeof block.block_id !== 'string' || !isObject(el) || typeof el.action_id !== 'string') continue;
    values[block.block_id] = { [el.action_id]: untouchedState(el) };
  }
  for (const [blockId, actions] of Object.entries(given)) {
    for (const [actionId, value] of Object.entries(actions)) {
      const found = findElement(blocks, actionId, blockId);
      if (!found) throw new Error(`view ${viewId} has no input ${blockId}/${actionId}`);
      values[blockId] = { ...values[blockId], [actionId]: withOptionText(found.element, value) };
    }
  }
  return values;
}

/** Fills selected options' text from the view, as Slack reports the option the user actually saw. */
function withOptionText(element: Json, value: unknown): unknown {
  if (!isObject(value)) return value;
  const options = optionsOf(element);
  const fill = (o: unknown) => {
    if (!isObject(o)) return o;
    const match = options.find((opt) => opt.value === o.value);
    if (!match) throw new Error(`no option with value ${String(o.value)} in ${String(element.action_id)}`);
    return { text: match.text, value: match.value };
  };
  if (isObject(value.selected_option)) return { ...value, selected_option: fill(value.selected_option) };
  if (Array.isArray(value.selected_options))
    return { ...value, selected_options: value.selected_options.map(fill) };
  return value;
}
