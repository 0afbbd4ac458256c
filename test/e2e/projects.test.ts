import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { checkboxes, multiUsersSelect, plainText } from '../../src/sandbox/slack-requests.js';
import { ACTIONS, PROJECT_FIELDS as F } from '../../src/slack/ids.js';
import { DATABASE_KINDS } from '../support/database.js';
import { actionIds, CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../support/harness.js';

/**
 * Issue 8 through signed Slack requests against the stand-ins: projects set up with
 * `/orchestrator settings`, and where their settings apply (repository, recipients, approvers),
 * next to a channel that has no project and keeps the environment's settings.
 */
const OPS = 'C0OPS';
const PLAIN = 'C0PLAIN';
const REVIEWERS = 'S0REVIEW';
const THREAD: Array<[string, string]> = [
  [USERS.lead.id, 'Follow-ups from the incident review.'],
  [USERS.alice.id, 'We need to add rate limiting to the login endpoint, 5 attempts per minute per IP.'],
];

interface ProjectInput {
  name: string;
  channels: string[];
  repos: string[];
  recipients: string[];
  approvers?: string[];
  usergroups?: string[];
  steps?: string[];
}

function values(p: ProjectInput): Record<string, Record<string, unknown>> {
  return {
    [F.name]: { [F.name]: plainText(p.name) },
    [F.channels]: {
      [F.channels]: { type: 'multi_conversations_select', selected_conversations: p.channels },
    },
    [F.repos]: { [F.repos]: plainText(p.repos.join('\n')) },
    [F.recipients]: { [F.recipients]: plainText(p.recipients.join(', ')) },
    [F.approverUsers]: { [F.approverUsers]: multiUsersSelect(p.approvers ?? []) },
    [F.approverGroups]: { [F.approverGroups]: plainText((p.usergroups ?? []).join(', ')) },
    [F.steps]: { [F.steps]: checkboxes(p.steps ?? ['ticket', 'email']) },
  };
}

describe.each(DATABASE_KINDS)('projects per channel (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    // Bob is named in SLACK_ADMINS; Ada is a workspace admin; Alice and the lead are neither.
    h = await startHarness({ kind, env: { SLACK_ADMINS: USERS.bob.id } });
    h.slack.addChannel({ id: OPS, name: 'ops' });
    h.slack.addChannel({ id: PLAIN, name: 'plain' });
    h.slack.setUsergroup(REVIEWERS, [USERS.alice.id]);
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.database.truncate());

  /** `/orchestrator settings` in `channel` as `user`; the modal it opened, if any. */
  async function openSettings(user: string, channel: string) {
    const seen = new Set(h.slack.openedViews().map((v) => v.id));
    await h.sender.slashCommand({ user, channel, command: '/orchestrator', text: 'settings' });
    await h.app.idle();
    return h.slack.openedViews().find((v) => v.userId === user && !seen.has(v.id));
  }

  /** Opens the settings as an admin and saves `p`; returns the submission's answer. */
  async function saveProject(p: ProjectInput, user: string = USERS.admin.id) {
    const modal = await openSettings(user, p.channels[0]!);
    expect(modal, 'the settings modal opened').toBeDefined();
    const sent = await h.sender.viewSubmission({ user, viewId: modal!.id, values: values(p) });
    await h.app.idle();
    return sent;
  }

  /** A thread in `channel`, extracted with `/extract <link>`; the first card and its task. */
  async function extractIn(channel: string) {
    const [first, ...rest] = THREAD;
    const parent = h.slack.postMessage({ channel, user: first![0], text: first![1] });
    for (const [user, text] of rest) h.slack.postMessage({ channel, user, text, threadTs: parent.ts });
    await h.sender.slashCommand({
      user: USERS.lead.id,
      channel,
      text: h.slack.permalink(channel, parent.ts),
    });
    await h.app.idle();
    const card = h.slack.thread(channel, parent.ts).filter((m) => m.botId)[1]!;
    const [task] = await h.database.db.select().from(schema.tasks).where(eq(schema.tasks.messageTs, card.ts));
    return { card, task: task! };
  }

  const click = async (user: string, channel: string, ts: string, actionId: string) => {
    await h.sender.blockAction({ user, channel, messageTs: ts, actionId });
    await h.app.idle();
  };

  it('sends issues and emails of two channels to their own repository and recipients', async () => {
    expect(
      (
        await saveProject({
          name: 'API',
          channels: [CHANNEL],
          repos: ['acme/api'],
          recipients: ['api@acme.test'],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await saveProject({
          name: 'Web',
          channels: [OPS],
          repos: [REPO],
          recipients: ['web@acme.test', 'ops@acme.test'],
        })
      ).status,
    ).toBe(200);
    const issuesBefore = { api: h.github.issues('acme/api').length, web: h.github.issues(REPO).length };
    const mailsBefore = h.smtp.messages.length;

    for (const channel of [CHANNEL, OPS]) {
      const { card, task } = await extractIn(channel);
      expect(task.repo).toBe(channel === CHANNEL ? 'acme/api' : REPO);
      await click(USERS.lead.id, channel, card.ts, ACTIONS.approve);
      await click(USERS.lead.id, channel, card.ts, ACTIONS.execute);
      expect((await h.app.store.requireTask(task.id)).status).toBe('done');
    }
    expect(h.github.issues('acme/api').length).toBe(issuesBefore.api + 1);
    expect(h.github.issues(REPO).length).toBe(issuesBefore.web + 1);
    const mails = h.smtp.messages.slice(mailsBefore);
    expect(mails.map((m) => m.envelope.to.sort())).toEqual([
      ['api@acme.test'],
      ['ops@acme.test', 'web@acme.test'],
    ]);
  });

  it('lets a member of an approver user group approve, and refuses someone outside it', async () => {
    await saveProject({
      name: 'Reviewed',
      channels: [CHANNEL],
      repos: [REPO],
      recipients: ['a@acme.test'],
      usergroups: [REVIEWERS],
    });
    const { card, task } = await extractIn(CHANNEL);
    // The lead is in SLACK_APPROVERS, but this channel's project names its own approvers.
    await click(USERS.lead.id, CHANNEL, card.ts, ACTIONS.approve);
    expect((await h.app.store.requireTask(task.id)).status).toBe('proposed');
    const told = h.slack
      .ephemerals()
      .filter((e) => e.user === USERS.lead.id)
      .at(-1);
    expect(told?.text).toMatch(/Only this channel's approvers can approve/);
    expect(told?.text).toContain(`<!subteam^${REVIEWERS}>`);

    await click(USERS.alice.id, CHANNEL, card.ts, ACTIONS.approve);
    expect((await h.app.store.requireTask(task.id)).status).toBe('approved');
    const calls = h.slack.calls('usergroups.users.list');
    expect(calls.length).toBeGreaterThan(0);
  });

  it('refuses /orchestrator settings to someone who is not an admin, owner or in SLACK_ADMINS', async () => {
    expect(await openSettings(USERS.alice.id, CHANNEL)).toBeUndefined();
    const told = h.slack
      .ephemerals()
      .filter((e) => e.user === USERS.alice.id)
      .at(-1);
    expect(told?.text).toMatch(/Only workspace admins and owners, and the people named in SLACK_ADMINS/);
    expect(await h.database.db.select().from(schema.projects)).toHaveLength(0);
    // SLACK_ADMINS: Bob, not a workspace admin, may open it.
    expect(await openSettings(USERS.bob.id, OPS)).toBeDefined();
  });

  it('refuses a repository the token cannot reach, under the field, and saves nothing', async () => {
    const sent = await saveProject({
      name: 'Ghost',
      channels: [CHANNEL],
      repos: [REPO, 'acme/ghost'],
      recipients: ['a@acme.test'],
    });
    expect(sent.json).toMatchObject({ response_action: 'errors' });
    const errors = (sent.json as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual([F.repos]);
    expect(errors[F.repos]).toMatch(/acme\/ghost does not exist or the bot's GitHub token cannot reach it/);
    expect(await h.database.db.select().from(schema.projects)).toHaveLength(0);
  });

  it('keeps an approved task on the repository and recipients it was approved under', async () => {
    await saveProject({
      name: 'Web',
      channels: [CHANNEL],
      repos: [REPO, 'acme/api'],
      recipients: ['before@acme.test'],
    });
    const { card, task } = await extractIn(CHANNEL);
    await click(USERS.lead.id, CHANNEL, card.ts, ACTIONS.approve);
    // An admin moves the channel to another repository and recipient after the approval.
    await saveProject({
      name: 'Web',
      channels: [CHANNEL],
      repos: ['acme/api'],
      recipients: ['after@acme.test'],
    });
    const issuesBefore = h.github.issues(REPO).length;
    const mailsBefore = h.smtp.messages.length;
    await click(USERS.lead.id, CHANNEL, card.ts, ACTIONS.execute);
    const done = await h.app.store.requireTask(task.id);
    expect(done).toMatchObject({ status: 'done', repo: REPO });
    expect(h.github.issues(REPO).length).toBe(issuesBefore + 1);
    expect(h.smtp.messages.slice(mailsBefore).map((m) => m.envelope.to)).toEqual([['before@acme.test']]);
    // The change is in the audit log, old → new, and the modal shows it as the last change.
    const audit = (await h.database.db.select().from(schema.auditEvents)).filter(
      (a) => a.action === 'project_settings',
    );
    expect(audit).toHaveLength(2);
    expect(audit[1]?.actor).toBe(USERS.admin.id);
    expect(audit[1]?.detail).toMatchObject({
      changed: expect.arrayContaining(['recipients', 'repos']),
      from: { settings: { recipients: ['before@acme.test'] } },
      to: { settings: { recipients: ['after@acme.test'] } },
    });
    const modal = await openSettings(USERS.admin.id, CHANNEL);
    expect(JSON.stringify(modal?.view)).toMatch(/Last change by <@U0ADMIN>.*recipients, repos/);
  });

  it('lists the projects in App Home with their channels and a Configure button for admins', async () => {
    await saveProject({
      name: 'Platform',
      channels: [CHANNEL, OPS],
      repos: [REPO],
      recipients: ['p@acme.test'],
    });
    await h.sender.event({ type: 'app_home_opened', user: USERS.admin.id, tab: 'home' });
    await h.app.idle();
    const home = h.slack.homeView(USERS.admin.id);
    expect(textOf(home as { text: string; blocks?: unknown[] })).toContain('Platform');
    expect(JSON.stringify(home)).toContain(`<#${CHANNEL}>, <#${OPS}>`);
    expect(actionIds(home as { blocks?: unknown[] })).toContain(ACTIONS.projectConfigure);
    const seen = new Set(h.slack.openedViews().map((v) => v.id));
    await h.sender.homeBlockAction({ user: USERS.admin.id, actionId: ACTIONS.projectConfigure });
    await h.app.idle();
    const configured = h.slack.openedViews().find((v) => !seen.has(v.id));
    expect(JSON.stringify(configured?.view)).toContain('Platform');

    // Someone who may not change settings sees the list without the button.
    await h.sender.event({ type: 'app_home_opened', user: USERS.alice.id, tab: 'home' });
    await h.app.idle();
    const theirs = h.slack.homeView(USERS.alice.id);
    expect(JSON.stringify(theirs)).toContain('Platform');
    expect(actionIds(theirs as { blocks?: unknown[] })).not.toContain(ACTIONS.projectConfigure);
  });

  it('uses the environment for a channel with no project', async () => {
    await saveProject({
      name: 'API',
      channels: [CHANNEL],
      repos: ['acme/api'],
      recipients: ['api@acme.test'],
    });
    await h.sender.slashCommand({ user: USERS.alice.id, channel: PLAIN, command: '/orchestrator', text: '' });
    await h.app.idle();
    const summary = h.slack
      .ephemerals()
      .filter((e) => e.user === USERS.alice.id)
      .at(-1);
    expect(textOf(summary)).toMatch(/has no project: it uses the environment/);
    expect(textOf(summary)).toContain(`${REPO} (default)`);
    const mailsBefore = h.smtp.messages.length;
    const { card, task } = await extractIn(PLAIN);
    expect(task.repo).toBe(REPO);
    await click(USERS.lead.id, PLAIN, card.ts, ACTIONS.approve);
    await click(USERS.lead.id, PLAIN, card.ts, ACTIONS.execute);
    expect(h.smtp.messages.slice(mailsBefore).map((m) => m.envelope.to)).toEqual([['team@acme.test']]);
  });
});
