import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../db/index.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { DATABASE_KINDS } from '../support/database.js';
import { CHANNEL, type Harness, startHarness, textOf, USERS } from '../support/harness.js';

/**
 * Issue 7, "public error texts": a failed step's card (seen by the whole channel) says what
 * failed in plain terms, without configuration names; the approver who started the run gets
 * the actionable detail privately, and in App Home.
 */
describe.each(DATABASE_KINDS)('failure details go to approvers only (%s)', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ kind, env: { EXTRACT_RATE_PER_USER: '0' } });
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    await h.database.truncate();
    h.github.clearFaults();
  });

  it('GitHub 401: the card says the credentials were refused; GITHUB_TOKEN only in the ephemeral and App Home', async () => {
    const {
      cards: [card],
    } = await h.extractThread(USERS.alice.id, [
      [USERS.alice.id, 'We need to add a health check endpoint to the worker.'],
    ]);
    await h.click(USERS.lead.id, card!.ts, ACTIONS.approve);
    h.github.failNext('GET /user', 401, { times: 10 });
    h.github.failNext('POST /repos/:owner/:repo/issues', 401, { times: 10 });
    const ephemeralsBefore = h.slack.ephemerals().length;
    await h.click(USERS.lead.id, card!.ts, ACTIONS.execute);

    const shown = textOf(h.slack.message(CHANNEL, card!.ts));
    expect(shown).toMatch(/Failed/);
    expect(shown).toMatch(/GitHub refused the bot's credentials \(401\)/);
    expect(shown).not.toContain('GITHUB_TOKEN');
    const [run] = await h.database.db.select().from(schema.runs);
    expect(run?.error).not.toContain('GITHUB_TOKEN');
    expect(run?.errorDetail).toContain('GITHUB_TOKEN');

    const told = h.slack.ephemerals().slice(ephemeralsBefore);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ user: USERS.lead.id, channel: CHANNEL });
    expect(told[0]!.text).toContain('check GITHUB_TOKEN');

    // App Home: the approver sees the detail; the requester (not an approver) does not.
    for (const user of [USERS.lead.id, USERS.alice.id]) {
      await h.sender.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' });
    }
    await h.app.idle();
    expect(JSON.stringify(h.slack.homeView(USERS.lead.id))).toContain('check GITHUB_TOKEN');
    const aliceHome = JSON.stringify(h.slack.homeView(USERS.alice.id));
    expect(aliceHome).toContain('health check endpoint');
    expect(aliceHome).not.toContain('GITHUB_TOKEN');
  });
});
