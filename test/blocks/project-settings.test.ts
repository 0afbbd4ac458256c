import { describe, expect, it } from 'vitest';
import { environmentSettings, type ProjectSettings } from '../../src/projects/settings.js';
import { validateView } from '../../src/sandbox/block-validation.js';
import { parseProjectSettings } from '../../src/slack/blocks/parse-project-settings.js';
import { buildProjectSettingsModal, buildSettingsSummary } from '../../src/slack/blocks/project-settings.js';
import type { ModalView } from '../../src/slack/blocks/types.js';
import { PROJECT_FIELDS as F, VIEWS } from '../../src/slack/ids.js';
import { assertMessageWithinSlackLimits } from './limits-helper.js';

type Obj = Record<string, unknown>;

const ENV = environmentSettings({
  repos: ['acme/web', 'acme/api'],
  defaultRepo: 'acme/web',
  recipients: ['team@acme.test'],
  approvers: ['U0LEAD'],
});

/** The state.values Slack sends for a modal nobody touched (every element type the modal uses). */
function untouched(view: ModalView): Record<string, Record<string, Obj>> {
  const values: Record<string, Record<string, Obj>> = {};
  for (const b of view.blocks as unknown as Obj[]) {
    if (b.type !== 'input') continue;
    const e = b.element as Obj;
    const state: Record<string, Obj> = {
      plain_text_input: { value: e.initial_value ?? null },
      number_input: { value: e.initial_value ?? null },
      static_select: { selected_option: e.initial_option ?? null },
      checkboxes: { selected_options: e.initial_options ?? [] },
      multi_users_select: { selected_users: e.initial_users ?? [] },
      multi_conversations_select: { selected_conversations: e.initial_conversations ?? [] },
    };
    const v = state[String(e.type)];
    if (!v) throw new Error(`unexpected element ${String(e.type)}`);
    values[String(b.block_id)] = { [String(e.action_id)]: { type: e.type, ...v } };
  }
  return values;
}

function submit(view: ModalView, edit: (v: Record<string, Record<string, Obj>>) => void = () => {}) {
  const values = untouched(view);
  edit(values);
  return { private_metadata: view.private_metadata, state: { values } };
}

/** block_id → action_id → state, for a text input (block and action ids are equal here). */
const text = (field: string, value: string) => ({
  [field]: { [field]: { type: 'plain_text_input', value } },
});

describe('project settings modal', () => {
  it('prefills a new project from the environment, bound to the channel, within Slack limits', () => {
    const view = buildProjectSettingsModal({ channelId: 'C0ENG', project: null, settings: ENV });
    // The stand-in's validator knows every element this modal uses (the limits helper knows fewer).
    expect(validateView(view)).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.projectSettings);
    const blocks = view.blocks as unknown as Obj[];
    const ids = blocks.filter((b) => b.type === 'input').map((b) => b.block_id);
    expect(ids).toEqual(expect.arrayContaining(Object.values(F)));
    const channels = blocks.find((b) => b.block_id === F.channels)?.element as Obj;
    expect(channels).toMatchObject({ type: 'multi_conversations_select', initial_conversations: ['C0ENG'] });
    expect(blocks.find((b) => b.block_id === F.approverUsers)?.element).toMatchObject({
      type: 'multi_users_select',
    });
  });

  it('reads an untouched form back as a name away from the same settings', () => {
    const view = buildProjectSettingsModal({ channelId: 'C0ENG', project: null, settings: ENV });
    const parsed = parseProjectSettings(submit(view, (v) => Object.assign(v, text(F.name, 'Web'))));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { source: _s, projectId: _p, projectName: _n, ...settings } = ENV;
    expect(parsed.settings).toEqual(settings satisfies ProjectSettings);
    expect(parsed).toMatchObject({ name: 'Web', channels: ['C0ENG'], metadata: { projectId: null } });
  });

  it('shows each problem under its own field', () => {
    const view = buildProjectSettingsModal({ channelId: 'C0ENG', project: null, settings: ENV });
    const parsed = parseProjectSettings(
      submit(view, (v) => {
        Object.assign(v, text(F.repos, 'not a repo'), text(F.recipients, 'nobody'));
        Object.assign(v, text(F.approverGroups, 'U0LEAD'), text(F.budgetMonthly, '-5'));
        v[F.channels] = { [F.channels]: { type: 'multi_conversations_select', selected_conversations: [] } };
      }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      [F.name, F.channels, F.repos, F.recipients, F.approverGroups, F.budgetMonthly].sort(),
    );
    expect(parsed.errors[F.repos]).toMatch(/owner\/name/);
    expect(parsed.errors[F.approverGroups]).toMatch(/user group IDs/);
  });

  it('refuses the email step without recipients, and a forged metadata', () => {
    const view = buildProjectSettingsModal({ channelId: 'C0ENG', project: null, settings: ENV });
    const noMail = parseProjectSettings(
      submit(view, (v) => Object.assign(v, text(F.name, 'W'), text(F.recipients, ''))),
    );
    expect(noMail).toMatchObject({
      ok: false,
      errors: { [F.recipients]: expect.stringMatching(/recipient/) },
    });
    const forged = parseProjectSettings({ ...submit(view), private_metadata: '{"channelId":1}' });
    expect(forged.ok).toBe(false);
  });

  it('summarises a channel without a project as the environment, within message limits', () => {
    const summary = buildSettingsSummary(ENV, 'C0ENG');
    assertMessageWithinSlackLimits(summary);
    expect(JSON.stringify(summary.blocks)).toContain('uses the environment');
    expect(JSON.stringify(summary.blocks)).toContain('acme/web (default)');
  });
});
