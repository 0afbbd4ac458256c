import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/index.js';
import { ACTIONS } from '../../../src/slack/ids.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../../support/harness.js';

/** Delegate mode: the issue is handed to another coding agent; its linked PR is reported. */
describe('code agent, delegate', () => {
  let h: Harness;
  let n = 0;

  beforeAll(async () => {
    h = await startHarness({
      env: {
        CODE_AGENT: 'delegate',
        CODE_DELEGATE_COMMENT: '@claude implement this issue',
        CODE_DELEGATE_TIMEOUT_SECONDS: '1',
      },
      start: { codeDelegatePollMs: 20 },
    });
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.database.truncate());

  async function execute(): Promise<{ cardTs: string; done: Promise<void> }> {
    n += 1;
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, `We need to document the deploy process, part ${n}.`],
    ]);
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    return { cardTs: card.ts, done: h.click(USERS.lead.id, card.ts, ACTIONS.execute) };
  }

  async function issueWithComment(): Promise<number> {
    for (let i = 0; i < 300; i++) {
      const [task] = await h.database.db.select().from(schema.tasks);
      const issue = h.github.issues(REPO).find((x) => task && x.body?.includes(`task=${task.id}`));
      if (issue && (h.github.repo(REPO).comments.get(issue.number) ?? []).length > 0) return issue.number;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no hand-over comment');
  }

  it('comments on the issue and reports the pull request linked to it', async () => {
    const { cardTs, done } = await execute();
    const issue = await issueWithComment();
    expect(h.github.repo(REPO).comments.get(issue)?.[0]?.body).toBe('@claude implement this issue');
    const pr = h.github.seedIssue(REPO, {
      title: 'Document the deploy process',
      body: `Closes #${issue}`,
      pull_request: { url: 'x' },
    });
    await done;
    const step = (await h.database.db.select().from(schema.steps)).find((s) => s.agent === 'code');
    expect(step?.status).toBe('succeeded');
    expect(step?.output).toMatchObject({ mode: 'delegate', pr: { number: pr.number } });
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(new RegExp(`PR #${pr.number}.*delegated`));
  });

  it('gives up after the timeout with a reason on the card', async () => {
    const { cardTs, done } = await execute();
    await done;
    const step = (await h.database.db.select().from(schema.steps)).find((s) => s.agent === 'code');
    expect(step?.status).toBe('failed');
    expect(step?.error).toMatch(/No pull request was linked to issue #\d+ within/);
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(/No pull request was linked/);
  });
});
