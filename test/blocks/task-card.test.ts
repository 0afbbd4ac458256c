import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../src/domain/task.js';
import { buildTaskCard } from '../../src/slack/blocks/task-card.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { HOSTILE, makeRun, makeStep, makeTask, RAW_PINGS } from './fixtures.js';
import { assertMessageWithinSlackLimits, buttonsOf, textsOf } from './limits-helper.js';

const ALL_STATUSES: TaskStatus[] = [
  'proposed',
  'approved',
  'rejected',
  'running',
  'done',
  'failed',
  'cancelled',
];

function allText(card: { text: string; blocks: unknown[] }): string {
  return [card.text, ...textsOf(card.blocks)].join('\n');
}

describe('task card buttons', () => {
  const expected: Record<TaskStatus, string[]> = {
    proposed: [ACTIONS.edit, ACTIONS.approve, ACTIONS.reject],
    approved: [ACTIONS.edit, ACTIONS.execute, ACTIONS.reject],
    running: [ACTIONS.cancel],
    failed: [ACTIONS.retry, ACTIONS.edit],
    cancelled: [ACTIONS.retry, ACTIONS.edit],
    rejected: [ACTIONS.edit],
    done: [],
  };

  it.each(ALL_STATUSES)('%s shows the right buttons, each carrying the task id and version', (status) => {
    const task = makeTask({ status, run: status === 'proposed' ? null : makeRun([]) });
    const card = buildTaskCard(task);
    const buttons = buttonsOf(card.blocks);
    expect(buttons.map((b) => b.action_id)).toEqual(expected[status]);
    for (const b of buttons) expect(b.value).toBe(`${task.id}:${task.version}`);
    assertMessageWithinSlackLimits(card);
  });

  it('labels say what they do, and dangerous or costly ones ask first', () => {
    const word: Record<string, string> = {
      [ACTIONS.edit]: 'Edit',
      [ACTIONS.approve]: 'Approve',
      [ACTIONS.reject]: 'Reject',
      [ACTIONS.execute]: 'Execute',
      [ACTIONS.retry]: 'Retry',
      [ACTIONS.cancel]: 'Cancel',
    };
    for (const status of ALL_STATUSES) {
      for (const b of buttonsOf(buildTaskCard(makeTask({ status })).blocks)) {
        const text = (b.text as { text: string }).text;
        expect(text).toContain(word[String(b.action_id)]);
        if (
          b.action_id === ACTIONS.approve ||
          b.action_id === ACTIONS.execute ||
          b.action_id === ACTIONS.retry
        ) {
          expect(b.style).toBe('primary');
        }
        if (b.action_id === ACTIONS.reject || b.action_id === ACTIONS.cancel) {
          expect(b.style).toBe('danger');
          expect(b.confirm).toBeDefined();
        }
        if (b.action_id === ACTIONS.execute) expect(b.confirm).toBeDefined();
        if (b.action_id === ACTIONS.approve || b.action_id === ACTIONS.edit)
          expect(b.confirm).toBeUndefined();
      }
    }
  });

  it('a done task links to its issue and offers nothing else', () => {
    const run = makeRun(
      [
        makeStep({
          status: 'succeeded',
          output: { dryRun: false, url: 'https://github.com/acme/web/issues/42', number: 42 },
        }),
      ],
      { status: 'succeeded' },
    );
    const buttons = buttonsOf(buildTaskCard(makeTask({ status: 'done', run })).blocks);
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({
      action_id: ACTIONS.openLink,
      url: 'https://github.com/acme/web/issues/42',
    });
  });

  it('a done dry run has no actions block at all', () => {
    const run = makeRun([makeStep({ status: 'succeeded', output: { dryRun: true, title: 'T' } })], {
      status: 'succeeded',
    });
    const card = buildTaskCard(makeTask({ status: 'done', run }));
    expect(card.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('refuses an id that cannot fit in a button value instead of cutting it', () => {
    expect(() => buildTaskCard(makeTask({ id: 'x'.repeat(300) }))).toThrow(RangeError);
  });
});

describe('task card content', () => {
  it('shows title with priority emoji, description, criteria, fields, evidence and extractor', () => {
    const card = buildTaskCard(makeTask());
    expect(card.blocks[0]).toMatchObject({ type: 'header' });
    const text = allText(card);
    expect(textsOf(card.blocks[0])[0]).toBe(':large_orange_circle: Fix login timeout on mobile');
    expect(text).toContain('Users on mobile get logged out after 30 seconds.');
    expect(text).toContain('• Session lasts 24 hours\n• Refresh token is rotated');
    expect(text).toMatch(/\*Priority\*\n.*HIGH/);
    expect(text).toContain('`bug`');
    expect(text).toContain('`auth`');
    expect(text).toContain('*Repository*\nacme/web');
    expect(text).toContain('*Deadline*\n2025-07-01');
    expect(text).toContain('Evidence: “Ana: the login page times out on my phone”');
    expect(text).toContain('Extracted by rules');
    expect(text).not.toContain('older messages omitted');
    expect(card.text).toContain('Fix login timeout on mobile');
    expect(card.text).toContain('Proposed');
  });

  it('names the model and says when the thread was cut', () => {
    const text = allText(buildTaskCard(makeTask({ extractor: 'claude-sonnet-4-5', truncated: true })));
    expect(text).toContain('Extracted by claude-sonnet-4-5');
    expect(text).toContain('thread was cut to fit; older messages omitted');
  });

  it('escapes mrkdwn control characters from the thread', () => {
    const text = allText(
      buildTaskCard(makeTask({ description: 'if a < b && c > d then <https://evil.example|click>' })),
    );
    expect(text).toContain('if a &lt; b &amp;&amp; c &gt; d then &lt;https://evil.example|click&gt;');
  });

  it('links evidence only when it is a message of the thread itself, rebuilt by the bot', () => {
    const threadLink = 'https://acme.slack.com/archives/C01/p1700000000000100';
    const reply = 'https://acme.slack.com/archives/C01/p1700000000000200?thread_ts=1700000000.000100';
    const own = allText(buildTaskCard(makeTask({ threadLink, evidence: reply })));
    expect(own).toContain(`<${reply}|source message>`);
    for (const evidence of [
      'https://evil.example/archives/C01/p1700000000000200?thread_ts=1700000000.000100',
      'https://acme.slack.com/archives/C02/p1700000000000200',
      'https://acme.slack.com/archives/C01/p1700000000000900',
      'https://evil.example/login',
    ]) {
      const text = allText(buildTaskCard(makeTask({ threadLink, evidence })));
      expect(text).not.toContain('|source message>');
    }
    // Without the thread's own permalink nothing is a link, whatever it looks like.
    expect(allText(buildTaskCard(makeTask({ evidence: reply })))).not.toContain('|source message>');
  });

  it('shows a suggested assignee inertly until approval, then as a mention', () => {
    const names = { U0ASSIGN1: 'ana' };
    const proposed = allText(buildTaskCard(makeTask({ names })));
    expect(proposed).toContain('@ana (suggested)');
    expect(proposed).not.toContain('<@');
    const noName = allText(buildTaskCard(makeTask()));
    expect(noName).toContain('`U0ASSIGN1` (suggested)');
    expect(noName).not.toContain('<@');
    const approved = allText(
      buildTaskCard(makeTask({ names, status: 'approved', approvedBy: 'U0BOSS', approvedAt: new Date(0) })),
    );
    expect(approved).toContain('*Assignee*\n<@U0ASSIGN1>');
  });

  it('status lines for each status', () => {
    const at = new Date('2025-06-01T12:00:00Z');
    const approved = allText(
      buildTaskCard(makeTask({ status: 'approved', approvedBy: 'U0BOSS', approvedAt: at })),
    );
    expect(approved).toContain(
      `Approved* by <@U0BOSS> at <!date^${at.getTime() / 1000}^{date_short_pretty} {time}|`,
    );
    const rejected = allText(
      buildTaskCard(makeTask({ status: 'rejected', rejectedBy: 'U0NO', rejectedAt: at })),
    );
    expect(rejected).toContain('Rejected* by <@U0NO> at <!date^');
    expect(allText(buildTaskCard(makeTask({ status: 'running', run: makeRun([]) })))).toContain('Running…');
    expect(allText(buildTaskCard(makeTask({ status: 'done', run: makeRun([]) })))).toContain('Done');
    const failed = allText(
      buildTaskCard(
        makeTask({ status: 'failed', run: makeRun([], { status: 'failed', error: 'GitHub said 403' }) }),
      ),
    );
    expect(failed).toContain('Failed*: GitHub said 403');
    expect(allText(buildTaskCard(makeTask()))).toContain('Proposed');
  });
});

describe('thread text never pings anyone', () => {
  it.each(ALL_STATUSES)('in a %s card', (status) => {
    const task = makeTask({
      status,
      title: HOSTILE,
      description: HOSTILE,
      acceptanceCriteria: [HOSTILE, `Then ${HOSTILE}`],
      labels: [HOSTILE],
      evidence: HOSTILE,
      deadline: HOSTILE,
      repo: HOSTILE,
      assignee: null,
      run: makeRun(
        [
          makeStep({ status: 'succeeded', output: { dryRun: true, title: HOSTILE, body: HOSTILE } }),
          makeStep({ agent: 'email', status: 'failed', error: HOSTILE }),
        ],
        { error: HOSTILE },
      ),
    });
    const card = buildTaskCard(task);
    const text = allText(card);
    for (const ping of RAW_PINGS) expect(text).not.toMatch(ping);
    expect(text).toContain('@\u200bchannel');
    expect(text).toContain('@\u200bbob');
    // The only mention left is the run's starter, which our code put there.
    const mentions = text.match(/<@[A-Z0-9]+>/g) ?? [];
    expect(new Set(mentions)).toEqual(new Set(status === 'running' ? ['<@U0STARTER>'] : []));
  });

  it('uses names for mentioned users when it has them', () => {
    const text = allText(
      buildTaskCard(makeTask({ description: 'ask <@U0THREAD1>', names: { U0THREAD1: 'carla' } })),
    );
    expect(text).toContain('ask @\u200bcarla');
  });
});

describe('limits with huge inputs', () => {
  const huge = 'x'.repeat(5000);
  const hugeTask = (status: TaskStatus) =>
    makeTask({
      status,
      title: `A${'b'.repeat(199)}`,
      description: `${'&<>'.repeat(4000)}`,
      acceptanceCriteria: Array.from({ length: 40 }, (_, i) => `${i} ${huge}`),
      labels: Array.from({ length: 30 }, (_, i) => `label-${i}-${'z'.repeat(80)}`),
      evidence: huge,
      repo: `acme/${'r'.repeat(3000)}`,
      deadline: huge,
      extractor: `claude-${huge}`,
      truncated: true,
      approvedBy: 'U0BOSS',
      approvedAt: new Date(),
      run: makeRun(
        [
          makeStep({
            status: 'succeeded',
            attempt: 3,
            durationMs: 1234,
            output: { dryRun: true, title: huge, body: huge.repeat(20) },
          }),
          makeStep({ agent: 'email', status: 'failed', attempt: 5, durationMs: 99, error: huge }),
          ...Array.from({ length: 60 }, () => makeStep({ agent: 'email', status: 'skipped', error: huge })),
        ],
        { error: huge },
      ),
    });

  it.each(ALL_STATUSES)('a %s card stays within Slack limits', (status) => {
    const card = buildTaskCard(hugeTask(status));
    assertMessageWithinSlackLimits(card);
    expect(card.blocks.length).toBeLessThanOrEqual(50);
    expect(card.blocks.at(-1)?.type).toBe(status === 'done' ? 'context' : 'actions');
  });

  it('says how many criteria were left out', () => {
    const text = allText(buildTaskCard(hugeTask('proposed')));
    const shown = (text.match(/^• \d+ x+…$/gm) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(text).toContain(`…and ${40 - shown} more`);
  });

  it('does not cut an HTML entity in half', () => {
    const card = buildTaskCard(hugeTask('proposed'));
    const description = textsOf(card.blocks[1])[0] ?? '';
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(description).toMatch(/(&amp;|&lt;|&gt;)…$/);
  });
});

describe('step lines', () => {
  const card = (steps: ReturnType<typeof makeStep>[]) =>
    allText(buildTaskCard(makeTask({ status: 'running', run: makeRun(steps) })));

  it('one line per status with its emoji', () => {
    const text = card([
      makeStep({ status: 'pending' }),
      makeStep({ agent: 'email', status: 'running', attempt: 2 }),
    ]);
    expect(text).toContain('⏳ *GitHub issue* — waiting');
    expect(text).toContain('🔄 *Email* — running… · 2 attempts');
  });

  it('a created issue links as owner/repo#number with the duration', () => {
    const text = card([
      makeStep({
        status: 'succeeded',
        durationMs: 1500,
        output: { dryRun: false, repo: 'acme/web', number: 42, url: 'https://github.com/acme/web/issues/42' },
      }),
    ]);
    expect(text).toContain('✅ *GitHub issue* — <https://github.com/acme/web/issues/42|acme/web#42> · 1.5 s');
  });

  it('a dry run says so and previews the would-be issue', () => {
    const text = card([
      makeStep({
        status: 'succeeded',
        output: {
          dryRun: true,
          repo: 'acme/web',
          number: null,
          url: null,
          title: 'Fix login',
          body: 'Steps:\n\n1. open app <now>\n<!-- ai-orchestrator:task=abc -->',
        },
      }),
    ]);
    expect(text).toContain('✅ *GitHub issue* — Dry run: issue not created');
    expect(text).toContain('> *Fix login*\n> Steps:\n> 1. open app &lt;now&gt;');
    expect(text).not.toContain('ai-orchestrator:task');
  });

  it('email shows the recipient and how it was delivered', () => {
    const smtp = card([
      makeStep({ agent: 'email', status: 'succeeded', output: { to: 'team@acme.io', delivery: 'smtp' } }),
    ]);
    expect(smtp).toContain('✅ *Email* — to team@acme.io, sent by SMTP');
    const outbox = card([
      makeStep({
        agent: 'email',
        status: 'succeeded',
        output: { to: 'team@acme.io', delivery: 'outbox', path: '/data/outbox/abc.eml' },
      }),
    ]);
    expect(outbox).toContain('✅ *Email* — to team@acme.io, written to the outbox (abc.eml)');
  });

  it('a failure shows the error and the attempts; a skip shows its reason', () => {
    const text = card([
      makeStep({ status: 'failed', attempt: 3, durationMs: 65_000, error: 'GitHub 422: Validation Failed' }),
      makeStep({ agent: 'email', status: 'skipped', error: 'no recipients configured' }),
    ]);
    expect(text).toContain(
      '❌ *GitHub issue* — failed: GitHub 422: Validation Failed · 3 attempts · 1 min 5 s',
    );
    expect(text).toContain('⏭ *Email* — skipped: no recipients configured');
  });

  it('ignores an output that is not an http(s) link', () => {
    const text = card([
      makeStep({
        status: 'succeeded',
        output: { dryRun: false, number: 7, url: 'javascript:alert(1)', repo: 'acme/web' },
      }),
    ]);
    expect(text).toContain('— acme/web#7');
    expect(text).not.toContain('javascript:');
  });
});

describe('task card GitHub state', () => {
  it('shows the issue and PR states from the events intake, within limits', () => {
    const card = buildTaskCard(
      makeTask({
        status: 'done',
        github: [
          { kind: 'issue', number: 12, state: 'closed', url: 'https://github.com/acme/web/issues/12' },
          { kind: 'pull', number: 14, state: 'merged', url: 'https://github.com/acme/web/pull/14' },
        ],
      }),
    );
    const text = allText(card);
    expect(text).toContain('Issue #12> ✅ closed');
    expect(text).toContain('PR #14> 🟣 merged');
    assertMessageWithinSlackLimits(card);
    expect(allText(buildTaskCard(makeTask()))).not.toContain('GitHub:');
  });
});
