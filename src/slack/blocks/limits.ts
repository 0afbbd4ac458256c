/**
 * Slack's Block Kit limits (docs.slack.dev, Block Kit reference) and helpers that cut text to fit.
 * Slack rejects a whole message or view when one field is over its limit, so builders clamp
 * everything that comes from people or models.
 */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  /** Context text elements take up to 3000; kept lower so a context line stays a line. */
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  /** Slack allows 2000; our values are task ids, so 255 is plenty and conservative. */
  buttonValue: 255,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  plainTextInputMax: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  /** chat.postMessage truncates `text` at 40 000; a notification never needs more than this. */
  fallbackText: 4000,
} as const;

/** Cuts plain text to `max` characters, ending with an ellipsis when cut. Never returns ''. */
export function clampText(text: string, max: number, empty = ' '): string {
  const t = text.length > 0 ? text : empty;
  if (t.length <= max) return t;
  return `${t.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Cuts mrkdwn to `max` characters without leaving half an entity (`&am`) or half a link/mention
 * (`<https://…`) at the end, which Slack would show as garbage or reject.
 */
export function clampMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text.length > 0 ? text : ' ';
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z#0-9]*$/i, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut.trimEnd()}…`;
}

/**
 * Joins lines with '\n' while they fit in `max`, then ends with a `more(n)` line counting what was
 * left out, plus `extraOmitted` lines the caller dropped beforehand (a cap). Each line is first cut
 * to `lineMax`.
 */
export function joinLinesWithin(
  lines: readonly string[],
  max: number,
  more: (omitted: number) => string,
  lineMax = max,
  extraOmitted = 0,
): string {
  const out: string[] = [];
  let used = 0; // length of out.join('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = clampMrkdwn(lines[i] ?? '', lineMax);
    const omittedAfter = lines.length - i - 1 + extraOmitted;
    const tail = omittedAfter > 0 ? more(omittedAfter).length + 1 : 0;
    const sep = out.length > 0 ? 1 : 0;
    if (used + sep + line.length + tail > max) {
      out.push(more(lines.length - i + extraOmitted));
      return clampMrkdwn(out.join('\n'), max);
    }
    out.push(line);
    used += sep + line.length;
  }
  if (extraOmitted > 0) out.push(more(extraOmitted));
  return clampMrkdwn(out.join('\n'), max);
}
