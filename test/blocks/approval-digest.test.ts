import { describe, expect, it } from 'vitest';
import {
  type ApprovalDigestTask,
  buildApprovalDigest,
  DIGEST_MAX_LISTED,
} from '../../src/slack/blocks/approval-digest.js';
import { assertMessageWithinSlackLimits, textsOf } from './limits-helper.js';

const task = (o: Partial<ApprovalDigestTask> = {}): ApprovalDigestTask => ({
  title: 'Add rate limiting to login',
  priority: 'HIGH',
  permalink: 'https://acme.slack.com/archives/C0ENG/p1700000000000100',
  createdAt: new Date('2026-03-02T08:00:00Z'),
  ...o,
});

const all = (m: { text: string; blocks: unknown[] }) => [m.text, ...textsOf(m.blocks)].join('\n');

describe('approval digest', () => {
  it('lists each task with its priority and a link to its card, and mentions the approvers', () => {
    const m = buildApprovalDigest({
      tasks: [task(), task({ title: 'Write the runbook', priority: 'LOW', permalink: null })],
      total: 2,
      approvers: ['U0LEAD', 'U0BOB'],
      olderThanHours: 4,
    });
    assertMessageWithinSlackLimits(m);
    const text = all(m);
    expect(m.text).toContain('2 tasks have been waiting for approval for more than 4 hours');
    expect(m.text).toContain('<@U0LEAD> <@U0BOB>');
    expect(text).toContain(
      '<https://acme.slack.com/archives/C0ENG/p1700000000000100|Add rate limiting to login>',
    );
    expect(text).toContain(':large_orange_circle:');
    expect(text).toMatch(/HIGH/);
    // No permalink: the title alone, no broken link.
    expect(text).toMatch(/\*Write the runbook\* · LOW/);
  });

  it('says workspace admins may approve when no approvers are named, without naming configuration', () => {
    const m = buildApprovalDigest({ tasks: [task()], total: 1, approvers: [], olderThanHours: 1 });
    expect(m.text).toContain('1 task has been waiting for approval for more than 1 hour');
    expect(all(m)).toMatch(/Workspace admins and owners may approve/);
    expect(all(m)).not.toMatch(/<@|SLACK_/);
  });

  it('keeps thread text inert: no broadcast, no ping, no injected link', () => {
    const m = buildApprovalDigest({
      tasks: [task({ title: '<!channel> ping <@U0EVIL> see <https://evil.example|here> & more' })],
      total: 1,
      approvers: ['U0LEAD'],
      olderThanHours: 4,
    });
    const text = all(m);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0EVIL>');
    expect(text).not.toContain('<https://evil.example');
    expect(text).toContain('&amp; more');
  });

  it('stays within Slack limits with many long tasks and approvers, and counts the ones left out', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      task({
        title: `${'Very long title '.repeat(30)} #${i}`,
        permalink: `https://acme.slack.com/archives/C1/p${i}`,
      }),
    );
    const approvers = Array.from({ length: 40 }, (_, i) => `U${String(i).padStart(8, '0')}`);
    const m = buildApprovalDigest({ tasks: many, total: 75, approvers, olderThanHours: 4 });
    assertMessageWithinSlackLimits(m);
    expect(m.text).toContain('75 tasks');
    expect(all(m)).toMatch(/…and \d+ more tasks/);
    const shownTasks = (all(m).match(/^• /gm) ?? []).length;
    expect(shownTasks).toBeGreaterThan(0);
    expect(shownTasks).toBeLessThanOrEqual(DIGEST_MAX_LISTED);
    expect(all(m)).toContain('and 20 other approvers');
  });
});
