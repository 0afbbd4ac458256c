import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENTS, RUN_STATUSES, STEP_STATUSES } from '../../src/domain/pipeline.js';
import { PRIORITIES, TASK_STATUSES } from '../../src/domain/task.js';
import { buildApprovalDigest } from '../../src/slack/blocks/approval-digest.js';
import {
  buildEditModal,
  buildHelpMessage,
  buildHomeView,
  buildNoticeMessage,
  buildSummaryMessage,
  buildTaskCard,
} from '../../src/slack/blocks/index.js';
import type { RunModel, StepModel, TaskCardModel } from '../../src/slack/blocks/models.js';
import { TaskButtonAction, TaskButtonValue } from '../../src/slack/payloads.js';
import {
  assertMessageWithinSlackLimits,
  assertViewWithinSlackLimits,
  buttonsOf,
  textsOf,
} from '../blocks/limits-helper.js';
import { channelId, hostileOrLong, hostileText, slackTs, userId } from './arbitraries.js';

/**
 * Every Block Kit builder, fed models full of hostile and oversized thread text: none throws,
 * every payload is within Slack's limits (50 blocks a message, 100 a view, 3000 characters a
 * section, 255 an action_id or a button value…, checked by test/blocks/limits-helper.ts), no
 * broadcast or ping written in a thread reaches the payload, and every button's payload parses
 * when Slack sends it back.
 */

const RUNS = { numRuns: 150 };
/** Repositories come from config, which accepts only `owner/name`. */
const repoName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/);
const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });

/** Sequences that notify someone if the thread's text reached Slack unchanged. */
const HOSTILE_PINGS = /<!channel|<!here|<!everyone|<!subteam|<@[UW]0HOSTILE|<#C0HOSTILE|<https:\/\/evil/;

/** The mrkdwn texts of a payload: plain_text (headers, buttons, inputs) renders no markup at all. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== 'object' || value === null) return [];
  const own =
    'type' in value && value.type === 'mrkdwn' && 'text' in value && typeof value.text === 'string'
      ? [value.text]
      : [];
  return [...own, ...Object.values(value).flatMap(mrkdwnTexts)];
}

function noThreadPings(payload: unknown): void {
  expect(mrkdwnTexts(payload).length + textsOf(payload).length).toBeGreaterThan(0);
  for (const text of mrkdwnTexts(payload)) expect(text).not.toMatch(HOSTILE_PINGS);
}

/** A button's action as Slack would post it back: it must pass the listeners' schema. */
function buttonsRoundTrip(blocks: readonly unknown[]): void {
  for (const b of buttonsOf(blocks)) {
    const action = { user: { id: 'U0CLICKER' }, actions: [{ action_id: b.action_id, value: b.value }] };
    expect(TaskButtonAction.safeParse(action).success, JSON.stringify(b).slice(0, 200)).toBe(true);
  }
}

const stepOutput = fc.option(
  fc.oneof(
    fc.record({
      // The URL is GitHub's answer, not thread text.
      url: fc.webUrl(),
      number: fc.nat(),
      dryRun: fc.boolean(),
      title: hostileText(),
      body: hostileOrLong(),
    }),
    fc.record({
      messageId: hostileText(3),
      to: hostileText(3),
      delivery: fc.constantFrom('smtp', 'outbox'),
      path: fc.option(hostileText(3)),
    }),
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
  ),
);

const step: fc.Arbitrary<StepModel> = fc.record({
  agent: fc.constantFrom(...AGENTS),
  status: fc.constantFrom(...STEP_STATUSES),
  attempt: fc.integer({ min: 0, max: 1000 }),
  durationMs: fc.option(fc.oneof(fc.nat(), fc.double())),
  error: fc.option(hostileOrLong()),
  output: stepOutput,
});

const run: fc.Arbitrary<RunModel> = fc.record({
  id: fc.uuid(),
  status: fc.constantFrom(...RUN_STATUSES),
  startedBy: fc.oneof(userId, hostileText(2)),
  error: fc.option(hostileOrLong()),
  createdAt: date,
  finishedAt: fc.option(date),
  steps: fc.array(step, { maxLength: 20 }),
});

const taskModel: fc.Arbitrary<TaskCardModel> = fc.record({
  id: fc.uuid(),
  title: hostileOrLong(),
  description: hostileOrLong(),
  acceptanceCriteria: fc.array(hostileOrLong(), { maxLength: 30 }),
  priority: fc.constantFrom(...PRIORITIES),
  labels: fc.array(hostileText(3), { maxLength: 30 }),
  deadline: fc.option(hostileText(3)),
  assignee: fc.option(fc.oneof(userId, hostileText(2))),
  repo: fc.oneof(fc.constant('acme/web'), hostileText(3)),
  status: fc.constantFrom(...TASK_STATUSES),
  // The value format carries up to nine digits; a task is not edited a billion times.
  version: fc.nat({ max: 999_999_999 }),
  evidence: fc.option(
    fc.oneof(
      hostileOrLong(),
      slackTs.map(
        (ts) => `https://acme.slack.com/archives/C01/p${ts.replace('.', '')}?thread_ts=1700000000.000100`,
      ),
    ),
  ),
  threadLink: fc.option(fc.constant('https://acme.slack.com/archives/C01/p1700000000000100')),
  extractor: fc.oneof(fc.constant('rules'), hostileText(2)),
  truncated: fc.boolean(),
  approvedBy: fc.option(userId),
  approvedAt: fc.option(date),
  rejectedBy: fc.option(userId),
  rejectedAt: fc.option(date),
  run: fc.option(run),
  names: fc.option(fc.dictionary(userId, hostileText(2), { maxKeys: 4 }), { nil: undefined }),
  // The task's issue and pull requests as GitHub reports them (URLs are GitHub's, not thread text).
  github: fc.option(
    fc.array(
      fc.record({
        kind: fc.constantFrom('issue' as const, 'pull' as const),
        number: fc.nat(),
        state: fc.oneof(fc.constantFrom('open', 'draft', 'merged', 'closed'), hostileText(2)),
        url: fc.option(fc.webUrl()),
      }),
      { maxLength: 30 },
    ),
    { nil: undefined },
  ),
});

describe('Block Kit builders under hostile, oversized models', () => {
  it('the task card', () => {
    fc.assert(
      fc.property(taskModel, (task) => {
        const card = buildTaskCard(task);
        assertMessageWithinSlackLimits(card);
        noThreadPings(card.blocks);
        expect(card.text).not.toMatch(HOSTILE_PINGS);
        buttonsRoundTrip(card.blocks);
        // Every task button names this task at the version the card shows.
        for (const b of buttonsOf(card.blocks)) {
          expect(TaskButtonValue.parse(b.value)).toEqual({ taskId: task.id, version: task.version });
        }
        // "source message" links only into the discussion's own thread.
        for (const text of textsOf(card.blocks)) {
          for (const m of text.matchAll(/<([^|>]+)\|source message>/g)) {
            expect(m[1]!.startsWith('https://acme.slack.com/archives/C01/p')).toBe(true);
            expect(task.threadLink).toBeTruthy();
          }
        }
      }),
      RUNS,
    );
  });

  it('the summary', () => {
    fc.assert(
      fc.property(
        fc.record({
          taskCount: fc.nat(),
          proposedTaskCount: fc.nat(),
          messageCount: fc.nat(),
          extractor: fc.oneof(fc.constant('rules'), hostileText(2)),
          truncated: fc.boolean(),
          omittedMessages: fc.nat(),
          requestedBy: fc.oneof(userId, hostileText(2)),
          source: fc.constantFrom('thread' as const, 'text' as const),
          notice: fc.option(hostileOrLong(), { nil: undefined }),
        }),
        (summary) => {
          const { notice, ...rest } = summary;
          const message = buildSummaryMessage(notice === undefined ? rest : { ...rest, notice });
          assertMessageWithinSlackLimits(message);
          noThreadPings(message.blocks);
        },
      ),
      RUNS,
    );
  });

  it('the Edit modal', () => {
    fc.assert(
      fc.property(
        taskModel,
        fc.uniqueArray(repoName, { maxLength: 150 }),
        fc.option(channelId),
        repoName,
        (task, repos, channel, repo) => {
          // A stored task's repo was checked against the same rule when it was set.
          const view = buildEditModal({ task: { ...task, repo }, repos, channelId: channel });
          assertViewWithinSlackLimits(view);
          noThreadPings(view.blocks);
        },
      ),
      RUNS,
    );
  });

  it('App Home', () => {
    const listed = fc.record({
      id: fc.uuid(),
      title: hostileOrLong(),
      permalink: fc.option(fc.webUrl()),
    });
    fc.assert(
      fc.property(
        fc.record({
          userId,
          isApprover: fc.boolean(),
          approversConfigured: fc.boolean(),
          discussions: fc.array(
            fc.record({
              id: fc.uuid(),
              createdAt: date,
              permalink: fc.option(fc.webUrl()),
              channelId: fc.oneof(channelId, hostileText(2)),
              messageCount: fc.nat(),
              taskCount: fc.nat(),
              extractor: hostileText(2),
            }),
            { maxLength: 60 },
          ),
          tasks: fc.array(
            fc.record({
              id: fc.uuid(),
              title: hostileOrLong(),
              status: fc.constantFrom(...TASK_STATUSES),
              repo: hostileText(2),
              permalink: fc.option(fc.webUrl()),
            }),
            { maxLength: 80 },
          ),
          runs: fc.array(fc.record({ taskTitle: hostileOrLong(), run }), { maxLength: 30 }),
          pendingApprovals: fc.array(
            listed.map((l) => ({ ...l, priority: 'HIGH' as const })),
            { maxLength: 80 },
          ),
        }),
        (home) => {
          const view = buildHomeView(home);
          assertViewWithinSlackLimits(view);
          noThreadPings(view.blocks);
          buttonsRoundTrip(view.blocks);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the approval digest, notices and help', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            title: hostileOrLong(),
            priority: fc.oneof(fc.constantFrom(...PRIORITIES), hostileText(2)),
            // Permalinks come from Slack (`chat.getPermalink`), not from thread text.
            permalink: fc.option(fc.webUrl()),
            createdAt: date,
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.nat(),
        fc.array(userId, { maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('error' as const, 'info' as const, 'working' as const),
        hostileOrLong(),
        (tasks, total, approvers, olderThanHours, kind, text) => {
          const digest = buildApprovalDigest({ tasks, total, approvers, olderThanHours });
          assertMessageWithinSlackLimits(digest);
          noThreadPings(digest.blocks);
          // A notice's text is ours by contract (thread text goes through safeMrkdwn first): only limits here.
          assertMessageWithinSlackLimits(buildNoticeMessage(kind, text));
        },
      ),
      RUNS,
    );
    assertMessageWithinSlackLimits(buildHelpMessage());
  });
});
