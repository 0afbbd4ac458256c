import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmailAgent } from '../../src/agents/email.js';
import { createTicketAgent } from '../../src/agents/ticket.js';
import type { AgentContext, AgentTask } from '../../src/agents/types.js';
import { idempotencyKey } from '../../src/domain/pipeline.js';
import { createLogger } from '../../src/logger.js';
import { createEffectLedger } from '../../src/orchestrator/effect-ledger.js';
import { createGitHubClient } from '../../src/services/github.js';
import type { Mailer, OutgoingMail } from '../../src/services/mailer.js';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../support/database.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';

/**
 * The "never twice" guards of the agents, each on its own: a ledger that says "done" must stop
 * the effect. (issue 14: deleting the email agent's check left every other test green.)
 */

const logger = createLogger({ level: 'silent' });

function task(): AgentTask {
  return {
    id: 'task-guard',
    title: 'Rotate credentials',
    description: '',
    acceptanceCriteria: [],
    priority: 'HIGH',
    labels: [],
    deadline: null,
    assignee: null,
    assigneeName: null,
    repo: 'acme/web',
    threadLink: null,
    evidence: null,
  };
}

function countingMailer(): Mailer & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    kind: 'smtp',
    sent,
    async send(message) {
      sent.push(message);
      return { messageId: message.messageId ?? '<x@y>', path: null };
    },
    close() {},
  };
}

describe.each(DATABASE_KINDS)('effect guards against the ledger (%s)', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => database.close());
  beforeEach(async () => database.truncate());

  function context(runId: string, agent: 'email' | 'ticket'): AgentContext {
    return {
      runId,
      idempotencyKey: idempotencyKey(runId, agent),
      attempt: 2,
      task: task(),
      previous: {},
      signal: new AbortController().signal,
      logger,
      effects: createEffectLedger(database.db),
    };
  }

  it('the email agent does not send again when the ledger records the email as sent', async () => {
    const mailer = countingMailer();
    const agent = createEmailAgent({ mailer, from: 'bot@acme.test', to: 'team@acme.test', logger });
    const first = await agent.run(context('run-1', 'email'));
    expect(mailer.sent).toHaveLength(1);
    // A retry or a takeover after a crash between "sent" and "step done":
    const again = await agent.run(context('run-1', 'email'));
    expect(mailer.sent).toHaveLength(1);
    expect(again).toEqual(first);
    // Another run is another email.
    await agent.run(context('run-2', 'email'));
    expect(mailer.sent).toHaveLength(2);
  });

  it('the ticket agent does not create again when the ledger records the issue', async () => {
    const github: GitHubStandIn = await startGitHubStandIn({ repos: ['acme/web'] });
    try {
      const agent = createTicketAgent({
        github: createGitHubClient({ token: github.token, apiUrl: github.url, logger, throttle: false }),
        logger,
      });
      const first = await agent.run(context('run-1', 'ticket'));
      const again = await agent.run(context('run-2', 'ticket'));
      expect(again).toEqual(first);
      expect(github.issues('acme/web')).toHaveLength(1);
      // The ledger answered: no look-up on GitHub was needed.
      expect(github.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
    } finally {
      await github.close();
    }
  });
});
