import { describe, expect, it } from 'vitest';
import { buildHomeView } from '../../src/slack/blocks/home.js';
import type { HomeModel } from '../../src/slack/blocks/models.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { HOSTILE, makeRun, makeStep, RAW_PINGS } from './fixtures.js';
import { assertViewWithinSlackLimits, buttonsOf, textsOf } from './limits-helper.js';

const empty = (o: Partial<HomeModel> = {}): HomeModel => ({
  userId: 'U0ME',
  isApprover: false,
  approversConfigured: true,
  discussions: [],
  tasks: [],
  runs: [],
  pendingApprovals: [],
  ...o,
});

const textOf = (h: HomeModel) => textsOf(buildHomeView(h).blocks).join('\n');

describe('home view', () => {
  it('is a home view with a Refresh button', () => {
    const view = buildHomeView(empty());
    assertViewWithinSlackLimits(view);
    expect(view.type).toBe('home');
    expect(buttonsOf(view.blocks).map((b) => b.action_id)).toEqual([ACTIONS.homeRefresh]);
  });

  it('empty states say what to do', () => {
    const text = textOf(empty());
    expect(text).toContain('No extractions yet. Run `/extract` in a thread to get started.');
    expect(text).toContain('You have no tasks yet. Run `/extract` in a thread to get started.');
    expect(text).toContain('No runs yet. Approve a task and press *Execute* to start one.');
  });

  it('shows approvals only to approvers; without named approvers, tells admins how to name them', () => {
    const pendingApprovals = [
      {
        id: 't1',
        title: 'Ship it',
        priority: 'HIGH' as const,
        permalink: 'https://acme.slack.com/archives/C1/p1',
      },
    ];
    expect(textOf(empty({ pendingApprovals }))).not.toContain('Waiting for your approval');
    const approver = textOf(empty({ isApprover: true, pendingApprovals }));
    expect(approver).toContain('Waiting for your approval');
    expect(approver).toContain('<https://acme.slack.com/archives/C1/p1|Ship it>');
    expect(approver).not.toContain('everyone may approve');
    expect(textOf(empty({ approversConfigured: false, pendingApprovals }))).not.toContain(
      'Waiting for your approval',
    );
    const admin = textOf(empty({ approversConfigured: false, isApprover: true, pendingApprovals }));
    expect(admin).toContain('Waiting for your approval');
    expect(admin).toMatch(/only workspace admins and owners may approve.*SLACK_APPROVERS/);
    expect(textOf(empty({ isApprover: true }))).toContain('Nothing is waiting for approval.');
  });

  it('lists extractions with date, channel, counts, extractor and link', () => {
    const text = textOf(
      empty({
        discussions: [
          {
            id: 'd1',
            createdAt: new Date('2025-06-01T10:00:00Z'),
            permalink: 'https://acme.slack.com/archives/C0CHAN/p1',
            channelId: 'C0CHAN',
            messageCount: 23,
            taskCount: 1,
            extractor: 'claude-sonnet-4-5',
          },
        ],
      }),
    );
    expect(text).toContain(
      '<!date^1748772000^{date_short_pretty} {time}|2025-06-01 10:00 UTC> · <#C0CHAN> · 23 messages · 1 task · claude-sonnet-4-5 · <https://acme.slack.com/archives/C0CHAN/p1|open thread>',
    );
  });

  it('groups tasks by status with counts', () => {
    const tasks = [
      { id: '1', title: 'A', status: 'proposed' as const, repo: 'acme/web', permalink: null },
      { id: '2', title: 'B', status: 'proposed' as const, repo: 'acme/web', permalink: null },
      { id: '3', title: 'C', status: 'done' as const, repo: 'acme/api', permalink: null },
    ];
    const text = textOf(empty({ tasks }));
    expect(text).toContain('Proposed: 2 · Done: 1');
    expect(text).toContain('*Proposed* (2)\n• A · acme/web\n• B · acme/web');
    expect(text).toContain('*Done* (1)\n• C · acme/api');
    expect(text.indexOf('*Proposed* (2)')).toBeLessThan(text.indexOf('*Done* (1)'));
  });

  it('shows each run with its steps, the issue link or the dry-run note', () => {
    const runs = [
      {
        taskTitle: 'Real one',
        run: makeRun(
          [
            makeStep({
              status: 'succeeded',
              output: { dryRun: false, url: 'https://github.com/acme/web/issues/5', number: 5 },
            }),
            makeStep({ agent: 'email', status: 'succeeded', output: { to: 'a@b.io', delivery: 'smtp' } }),
          ],
          { status: 'succeeded' },
        ),
      },
      {
        taskTitle: 'Dry one',
        run: makeRun(
          [makeStep({ status: 'succeeded', output: { dryRun: true, title: 'T', body: 'secret body' } })],
          {
            status: 'failed',
            error: 'email failed',
          },
        ),
      },
    ];
    const text = textOf(empty({ runs }));
    expect(text).toContain('*Real one* · ✅ Succeeded');
    expect(text).toContain('by <@U0STARTER>');
    expect(text).toContain('✅ *GitHub issue* — <https://github.com/acme/web/issues/5|acme/web#5>');
    expect(text).toContain('✅ *Email* — to a@b.io, sent by SMTP');
    expect(text).toContain('*Dry one* · ❌ Failed');
    expect(text).toContain('Dry run: issue not created');
    expect(text).not.toContain('secret body'); // no preview on Home
    expect(text).toContain('_email failed_');
  });

  it('stays within 100 blocks and says how many were left out, with 300 of everything', () => {
    const huge = 'x'.repeat(5000);
    const h = empty({
      isApprover: true,
      pendingApprovals: Array.from({ length: 300 }, (_, i) => ({
        id: `p${i}`,
        title: `${i} ${huge}`,
        priority: 'LOW' as const,
        permalink: null,
      })),
      discussions: Array.from({ length: 300 }, (_, i) => ({
        id: `d${i}`,
        createdAt: new Date(),
        permalink: `https://acme.slack.com/archives/C1/p${i}`,
        channelId: 'C1',
        messageCount: i,
        taskCount: i,
        extractor: huge,
      })),
      tasks: Array.from({ length: 300 }, (_, i) => ({
        id: `t${i}`,
        title: huge,
        status:
          (['proposed', 'approved', 'rejected', 'running', 'done', 'failed', 'cancelled'] as const)[i % 7] ??
          'done',
        repo: huge,
        permalink: null,
      })),
      runs: Array.from({ length: 300 }, (_, i) => ({
        taskTitle: huge,
        run: makeRun(
          Array.from({ length: 20 }, () => makeStep({ status: 'failed', attempt: 9, error: huge })),
          { id: `r${i}`, error: huge },
        ),
      })),
    });
    const view = buildHomeView(h);
    assertViewWithinSlackLimits(view);
    const text = textsOf(view.blocks).join('\n');
    expect(text).toMatch(/…and 290 more/); // runs
    expect(text).toMatch(/…and 2\d\d more/); // approvals, discussions
  });

  it('thread text in titles never pings', () => {
    const text = textOf(
      empty({
        approversConfigured: false,
        pendingApprovals: [{ id: 'p', title: HOSTILE, priority: 'LOW', permalink: null }],
        tasks: [
          { id: 't', title: HOSTILE, status: 'proposed', repo: HOSTILE, permalink: 'https://x.slack.com/a' },
        ],
        runs: [
          {
            taskTitle: HOSTILE,
            run: makeRun([makeStep({ status: 'failed', error: HOSTILE })], { error: HOSTILE }),
          },
        ],
      }),
    );
    for (const ping of RAW_PINGS) expect(text).not.toMatch(ping);
  });
});
