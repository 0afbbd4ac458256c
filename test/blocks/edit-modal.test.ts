import { describe, expect, it } from 'vitest';
import { buildEditModal } from '../../src/slack/blocks/edit-modal.js';
import { parseEditSubmission } from '../../src/slack/blocks/parse-edit-submission.js';
import type { ModalView } from '../../src/slack/blocks/types.js';
import { EDIT_FIELDS, VIEWS } from '../../src/slack/ids.js';
import { makeTask } from './fixtures.js';
import { assertViewWithinSlackLimits } from './limits-helper.js';

const REPOS = ['acme/web', 'acme/api'];

type Obj = Record<string, unknown>;

/** The state.values Slack sends in view_submission for a modal nobody touched. */
function untouchedState(view: ModalView): Record<string, Record<string, Obj>> {
  const values: Record<string, Record<string, Obj>> = {};
  for (const b of view.blocks as unknown as Obj[]) {
    if (b.type !== 'input') continue;
    const e = b.element as Obj;
    const id = String(e.action_id);
    let v: Obj;
    switch (e.type) {
      case 'plain_text_input':
        v = { type: e.type, value: e.initial_value ?? null };
        break;
      case 'static_select':
        v = { type: e.type, selected_option: e.initial_option ?? null };
        break;
      case 'datepicker':
        v = { type: e.type, selected_date: e.initial_date ?? null };
        break;
      case 'users_select':
        v = { type: e.type, selected_user: e.initial_user ?? null };
        break;
      default:
        throw new Error(`unexpected element ${String(e.type)}`);
    }
    values[String(b.block_id)] = { [id]: v };
  }
  return values;
}

/** A view_submission's `view`, as Slack sends it (the fields we do not read included). */
function submitted(
  view: ModalView,
  edit: (values: Record<string, Record<string, Obj>>) => void = () => {},
): unknown {
  const values = untouchedState(view);
  edit(values);
  return {
    id: 'V0123',
    team_id: 'T0123',
    type: 'modal',
    callback_id: view.callback_id,
    private_metadata: view.private_metadata,
    title: view.title,
    blocks: view.blocks,
    state: { values },
    hash: '1712345678.abcd',
    root_view_id: 'V0123',
    previous_view_id: null,
    app_id: 'A0123',
    bot_id: 'B0123',
    clear_on_close: false,
    notify_on_close: false,
  };
}

function input(view: ModalView, field: string): Obj {
  const b = (view.blocks as unknown as Obj[]).find((x) => x.block_id === field);
  if (!b) throw new Error(`no block ${field}`);
  return b;
}

describe('edit modal', () => {
  it('is a modal with our callback id, title, submit and close, within limits', () => {
    const view = buildEditModal({ task: makeTask(), repos: REPOS, channelId: 'C0CHAN' });
    assertViewWithinSlackLimits(view);
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: VIEWS.editTask,
      title: { type: 'plain_text', text: 'Edit task' },
      submit: { type: 'plain_text', text: 'Save' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
  });

  it('carries task id, version and channel in private_metadata', () => {
    const view = buildEditModal({
      task: makeTask({ id: 'task-9', version: 17 }),
      repos: REPOS,
      channelId: 'C0CHAN',
    });
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({
      taskId: 'task-9',
      version: 17,
      channelId: 'C0CHAN',
    });
  });

  it('has one input per field, block_id = action_id, with the right element types and initial values', () => {
    const task = makeTask({ assignee: 'U0ASSIGN1' });
    const view = buildEditModal({ task, repos: REPOS, channelId: null });
    const expected: Record<string, string> = {
      [EDIT_FIELDS.title]: 'plain_text_input',
      [EDIT_FIELDS.description]: 'plain_text_input',
      [EDIT_FIELDS.criteria]: 'plain_text_input',
      [EDIT_FIELDS.priority]: 'static_select',
      [EDIT_FIELDS.labels]: 'plain_text_input',
      [EDIT_FIELDS.deadline]: 'datepicker',
      [EDIT_FIELDS.assignee]: 'users_select',
      [EDIT_FIELDS.repo]: 'static_select',
    };
    for (const [field, type] of Object.entries(expected)) {
      const b = input(view, field);
      expect(b.element).toMatchObject({ type, action_id: field });
    }
    expect(input(view, EDIT_FIELDS.title)).toMatchObject({
      element: { initial_value: task.title, max_length: 120 },
    });
    expect(input(view, EDIT_FIELDS.title).optional).toBeUndefined();
    expect(input(view, EDIT_FIELDS.description)).toMatchObject({
      optional: true,
      element: { multiline: true, max_length: 2500 },
    });
    expect(input(view, EDIT_FIELDS.criteria)).toMatchObject({
      optional: true,
      element: { initial_value: 'Session lasts 24 hours\nRefresh token is rotated' },
    });
    expect(input(view, EDIT_FIELDS.priority)).toMatchObject({
      element: { initial_option: { value: 'HIGH' } },
    });
    expect((input(view, EDIT_FIELDS.priority).element as Obj).options).toHaveLength(4);
    expect(input(view, EDIT_FIELDS.labels)).toMatchObject({
      optional: true,
      element: { initial_value: 'bug, auth' },
    });
    expect(input(view, EDIT_FIELDS.deadline)).toMatchObject({
      optional: true,
      element: { initial_date: '2025-07-01' },
    });
    expect(input(view, EDIT_FIELDS.assignee)).toMatchObject({
      optional: true,
      element: { initial_user: 'U0ASSIGN1' },
    });
    expect(input(view, EDIT_FIELDS.repo)).toMatchObject({
      element: { initial_option: { value: 'acme/web' } },
    });
  });

  it("offers only the channel's repositories (a task whose repo left the list starts on the first), and prefills a date only from YYYY-MM-DD", () => {
    const view = buildEditModal({
      task: makeTask({ repo: 'legacy/app', deadline: 'end of next sprint', assignee: null }),
      repos: REPOS,
      channelId: null,
    });
    assertViewWithinSlackLimits(view);
    const repo = input(view, EDIT_FIELDS.repo).element as Obj;
    expect((repo.options as Obj[]).map((o) => o.value)).toEqual(['acme/web', 'acme/api']);
    expect(repo.initial_option).toMatchObject({ value: 'acme/web' });
    const deadline = input(view, EDIT_FIELDS.deadline);
    expect((deadline.element as Obj).initial_date).toBeUndefined();
    expect(JSON.stringify(deadline.hint)).toContain('end of next sprint');
    expect((input(view, EDIT_FIELDS.assignee).element as Obj).initial_user).toBeUndefined();
  });

  it('stays within limits with huge inputs', () => {
    const huge = 'x'.repeat(5000);
    const view = buildEditModal({
      task: makeTask({
        title: 't'.repeat(200),
        description: huge,
        acceptanceCriteria: Array.from({ length: 40 }, () => huge),
        labels: Array.from({ length: 30 }, (_, i) => `label${i}-${'y'.repeat(100)}`),
        repo: `acme/${'r'.repeat(200)}`,
      }),
      repos: Array.from({ length: 300 }, (_, i) => `acme/repo-${i}-${'q'.repeat(80)}`),
      channelId: 'C0CHAN',
    });
    assertViewWithinSlackLimits(view);
  });
});

describe('parseEditSubmission', () => {
  it('round trip: an untouched modal gives back the task fields', () => {
    const task = makeTask({ assignee: 'U0ASSIGN1', repo: 'acme/api', priority: 'CRITICAL' });
    const view = buildEditModal({ task, repos: REPOS, channelId: 'C0CHAN' });
    const result = parseEditSubmission(submitted(view), REPOS);
    expect(result).toEqual({
      ok: true,
      taskId: task.id,
      version: task.version,
      channelId: 'C0CHAN',
      fields: {
        title: task.title,
        description: task.description,
        acceptanceCriteria: task.acceptanceCriteria,
        priority: 'CRITICAL',
        labels: task.labels,
        deadline: task.deadline,
        assignee: 'U0ASSIGN1',
        repo: 'acme/api',
      },
    });
  });

  it('reads what a person changed, and empty optional fields as empty', () => {
    const view = buildEditModal({ task: makeTask(), repos: REPOS, channelId: null });
    const result = parseEditSubmission(
      submitted(view, (v) => {
        v[EDIT_FIELDS.title] = { title: { type: 'plain_text_input', value: '  New   title ' } };
        v[EDIT_FIELDS.description] = { description: { type: 'plain_text_input', value: null } };
        v[EDIT_FIELDS.criteria] = {
          criteria: { type: 'plain_text_input', value: '- one\n\n• two\n3. three\n' },
        };
        v[EDIT_FIELDS.labels] = { labels: { type: 'plain_text_input', value: ' ui ,, ui, backend ' } };
        v[EDIT_FIELDS.priority] = {
          priority: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'Low' }, value: 'LOW' },
          },
        };
        v[EDIT_FIELDS.deadline] = { deadline: { type: 'datepicker', selected_date: null } };
        v[EDIT_FIELDS.assignee] = { assignee: { type: 'users_select', selected_user: 'U0OTHER' } };
        v[EDIT_FIELDS.repo] = { repo: { type: 'static_select', selected_option: { value: 'acme/api' } } };
      }),
      REPOS,
    );
    expect(result).toMatchObject({
      ok: true,
      channelId: null,
      fields: {
        title: 'New title',
        description: '',
        acceptanceCriteria: ['one', 'two', 'three'],
        labels: ['ui', 'backend'],
        priority: 'LOW',
        deadline: null,
        assignee: 'U0OTHER',
        repo: 'acme/api',
      },
    });
  });

  const withTitle = (value: string | null) => {
    const view = buildEditModal({ task: makeTask(), repos: REPOS, channelId: null });
    return parseEditSubmission(
      submitted(view, (v) => {
        v[EDIT_FIELDS.title] = { title: { type: 'plain_text_input', value } };
      }),
      REPOS,
    );
  };

  it('requires a title', () => {
    expect(withTitle(null)).toEqual({ ok: false, errors: { title: 'Title is required.' } });
    expect(withTitle('   ')).toEqual({ ok: false, errors: { title: 'Title is required.' } });
  });

  it('refuses a title over 120 characters', () => {
    expect(withTitle('a'.repeat(121))).toEqual({
      ok: false,
      errors: { title: 'Title must be 120 characters or fewer.' },
    });
    expect(withTitle('a'.repeat(120)).ok).toBe(true);
  });

  it('refuses a repository outside the allowed list, naming the allowed ones', () => {
    const view = buildEditModal({ task: makeTask({ repo: 'legacy/app' }), repos: REPOS, channelId: null });
    // A forged submission: the modal never offers legacy/app.
    const result = parseEditSubmission(
      submitted(view, (values) => {
        values[EDIT_FIELDS.repo] = { [EDIT_FIELDS.repo]: { selected_option: { value: 'legacy/app' } } };
      }),
      REPOS,
    );
    expect(result).toEqual({ ok: false, errors: { repo: 'Repository must be one of acme/web, acme/api.' } });
  });

  it('with no configured repos, accepts owner/name and refuses anything else', () => {
    const view = buildEditModal({ task: makeTask({ repo: 'acme/web' }), repos: [], channelId: null });
    expect(parseEditSubmission(submitted(view), []).ok).toBe(true);
    const bad = parseEditSubmission(
      submitted(view, (v) => {
        v[EDIT_FIELDS.repo] = { repo: { type: 'static_select', selected_option: { value: 'not a repo' } } };
      }),
      [],
    );
    expect(bad).toEqual({ ok: false, errors: { repo: 'Repository must look like owner/name.' } });
  });

  it('reports several problems at once, keyed by block id', () => {
    const view = buildEditModal({ task: makeTask(), repos: REPOS, channelId: null });
    const result = parseEditSubmission(
      submitted(view, (v) => {
        v[EDIT_FIELDS.title] = { title: { type: 'plain_text_input', value: '' } };
        v[EDIT_FIELDS.criteria] = {
          criteria: {
            type: 'plain_text_input',
            value: Array.from({ length: 11 }, (_, i) => `c${i}`).join('\n'),
          },
        };
        v[EDIT_FIELDS.labels] = { labels: { type: 'plain_text_input', value: 'z'.repeat(51) } };
        v[EDIT_FIELDS.priority] = {
          priority: { type: 'static_select', selected_option: { value: 'URGENT' } },
        };
        v[EDIT_FIELDS.deadline] = { deadline: { type: 'datepicker', selected_date: '2025-02-30' } };
        v[EDIT_FIELDS.assignee] = { assignee: { type: 'users_select', selected_user: '<!channel>' } };
      }),
      REPOS,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(
      [
        EDIT_FIELDS.title,
        EDIT_FIELDS.criteria,
        EDIT_FIELDS.labels,
        EDIT_FIELDS.priority,
        EDIT_FIELDS.deadline,
        EDIT_FIELDS.assignee,
      ].sort(),
    );
    expect(result.errors.criteria).toContain('Up to 10 criteria');
    expect(result.errors.labels).toContain('50 characters');
  });

  it('refuses a submission whose metadata or shape is not ours', () => {
    const view = buildEditModal({ task: makeTask(), repos: REPOS, channelId: null });
    const good = submitted(view) as Obj;
    for (const bad of [
      null,
      'view',
      { ...good, private_metadata: 'not json' },
      { ...good, private_metadata: JSON.stringify({ taskId: 'x' }) },
      { ...good, private_metadata: JSON.stringify({ taskId: 'x', version: -1, channelId: null }) },
      { ...good, state: undefined },
    ]) {
      const result = parseEditSubmission(bad, REPOS);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(Object.keys(result.errors)).toEqual([EDIT_FIELDS.title]);
    }
  });
});
