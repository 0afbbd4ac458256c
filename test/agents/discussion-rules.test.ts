import { describe, expect, it } from 'vitest';
import { createRulesExtractor } from '../../src/agents/discussion-rules.js';
import type { ExtractedTask, ExtractionResult, ThreadMessage } from '../../src/domain/extraction.js';

/**
 * One case per kind of conversation and per rule the extractor must keep. The whole labelled set
 * runs in test/eval/extraction-quality.test.ts; these say what breaks when one of them fails.
 * Threads start on Tuesday 2026-11-24 09:00 UTC, one message a minute.
 */

const START = Date.parse('2026-11-24T09:00:00Z') / 1000;

function thread(...lines: Array<[string, string, string]>): ThreadMessage[] {
  return lines.map(([user, userName, text], i) => ({
    ts: `${START + i * 60}.000100`,
    user,
    userName,
    text,
    permalink: null,
  }));
}

async function run(
  messages: ThreadMessage[],
  source: 'thread' | 'text' = 'thread',
): Promise<ExtractionResult> {
  const result = await createRulesExtractor().extract({ messages, source });
  expect(result.extractor).toBe('rules');
  expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
  return result;
}

const tasksOf = async (messages: ThreadMessage[], source: 'thread' | 'text' = 'thread') =>
  (await run(messages, source)).tasks;

/** [title, assignee, deadline, evidence message numbers (1-based)] */
function summary(
  tasks: ExtractedTask[],
  messages: ThreadMessage[],
): Array<[string, string | null, string | null, number[]]> {
  return tasks.map((t) => [
    t.title,
    t.assignee,
    t.deadline,
    (t.evidenceTs ?? []).map((ts) => messages.findIndex((m) => m.ts === ts) + 1),
  ]);
}

describe('rules extractor, by kind of conversation', () => {
  it('incident: follow-ups with owners, nothing from what was done during the thread', async () => {
    const messages = thread(
      ['U1', 'maya', 'checkout is throwing 502s, anyone deploying?'],
      ['U2', 'tom', 'me, rolling back now'],
      ['U2', 'tom', 'rolled back, errors gone'],
      [
        'U1',
        'maya',
        'phew. tom can you write the postmortem by Thursday? and we need an alert on checkout 5xx',
      ],
      ['U2', 'tom', 'yep'],
      ['U3', 'Raj', "I'll add the 5xx alert today"],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([
      ['Write the postmortem', 'U2', '2026-11-26', [4, 5]],
      ['An alert on checkout 5xx', 'U3', '2026-11-24', [4, 6]],
    ]);
  });

  it('planning: a decision with named owners, the verb said once', async () => {
    const messages = thread(
      ['U1', 'Kate', 'Decided: three themes. Hal takes reliability, Ines onboarding.'],
      ['U2', 'Hal', 'works for me'],
      ['U3', 'Ines', '👍'],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([
      ['Reliability', 'U2', null, [1, 2]],
      ['Onboarding', 'U3', null, [1, 3]],
    ]);
  });

  it('code review: second-person asks go to the author of the change, and "fixing both" takes both', async () => {
    const messages = thread(
      ['U1', 'Jack', 'Could someone review the upload endpoint? https://github.com/acme/api/pull/530'],
      ['U2', 'Kira', 'Please check the magic bytes server-side. Also can you cap the upload size?'],
      ['U1', 'Jack', 'Good catches. Fixing both.'],
    );
    const tasks = await tasksOf(messages);
    expect(summary(tasks, messages).slice(1)).toEqual([
      ['Check the magic bytes server-side', 'U1', null, [2, 3]],
      ['Cap the upload size', 'U1', null, [2, 3]],
    ]);
  });

  it('support escalation: "can someone…" is taken by whoever answers "I can fix that"', async () => {
    const messages = thread(
      [
        'U1',
        'Alma (Support)',
        'Escalating ZD-48213: SSO fails for emails with a plus sign. Can someone from identity take a look?',
      ],
      ['U2', 'Boris', 'The NameID is decoded twice. I can fix that by Thursday.'],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([['Take a look', 'U2', '2026-11-26', [1, 2]]]);
  });

  it('release: a go/no-go with a driver, and an ask done before the thread ends is no task', async () => {
    const messages = thread(
      ['U1', 'Gina', 'ok GO. Finn you are driving the deploy at 15:00?'],
      ['U2', 'Finn', 'yep'],
      ['U1', 'Gina', 'Ned can you proofread the release notes?'],
      ['U3', 'Ned', 'done, left 3 comments'],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([['The deploy', 'U2', '2026-11-24', [1, 2]]]);
  });

  it('meeting notes pasted: every action-item line, owners only when the writer is meant', async () => {
    const notes = thread([
      'U1',
      'Ros',
      [
        'Platform weekly — Nov 24',
        'Terraform: prod state is in S3 now.',
        'Action items',
        '- [ ] Petra — migrate the dev state to S3 (next week)',
        '- [ ] Ros — book the DR test',
        '- [x] Jamal — upgrade the runners',
        '- ALL - read the new escalation policy',
      ].join('\n'),
    ]);
    const tasks = await tasksOf(notes, 'text');
    expect(tasks.map((t) => [t.title, t.assignee, t.deadline])).toEqual([
      ['Migrate the dev state to S3', null, '2026-11-30'],
      ['Book the DR test', 'U1', null],
    ]);
  });

  it('email: polite asks between a greeting and a signature', async () => {
    const email = thread([
      'U1',
      'Fay',
      'Subject: API access\n\nHi team,\n\nThanks for the call. Could you please send us sandbox credentials by Monday? Our launch is still on February 1st.\n\nBest regards,\nMartin',
    ]);
    const [task, ...rest] = await tasksOf(email, 'text');
    expect(rest).toEqual([]);
    expect(task).toMatchObject({ title: 'Send us sandbox credentials', deadline: '2026-11-30' });
  });

  it('deliberation: options weighed with "we should", "we could" and questions make no task', async () => {
    const messages = thread(
      ['U1', 'Erin', 'We need to decide at some point whether the frontends become one repo.'],
      ['U2', 'Felix', 'I think we should do it, but not before the design system is stable.'],
      [
        'U3',
        'Grace',
        'We could also publish the design system as a package. Should we set up a private registry?',
      ],
      ['U1', 'Erin', "Let's keep collecting pain points and revisit in January."],
    );
    expect(await tasksOf(messages)).toEqual([]);
  });

  it('social: lunch plans, kudos and sarcasm make no task', async () => {
    const messages = thread(
      ['U1', 'Nat', 'ramen at 12:30? can someone book a table'],
      ['U2', 'Owen', "I'll call them"],
      ['U3', 'Ivy', "sure, let's just rewrite the whole thing in Rust while we're at it 🙃"],
      ['U1', 'Nat', 'huge shoutout to Dev for the migration 👏'],
    );
    expect(await tasksOf(messages)).toEqual([]);
  });
});

describe('rules extractor, by rule', () => {
  it('negation: "let\'s not", "no need to" and "I won\'t" propose nothing; "don\'t forget to" does', async () => {
    const messages = thread(
      ['U1', 'Cy', "let's not deploy anything on Friday."],
      ['U2', 'Sam', "no need to open a ticket, I won't touch it."],
      ['U1', 'Cy', "please don't forget to update the changelog"],
    );
    expect((await tasksOf(messages)).map((t) => t.title)).toEqual(['Update the changelog']);
  });

  it('second person: "you\'ll take the migration?" to a mentioned user, accepted with a deadline', async () => {
    const messages = thread(
      ['U1', 'Uma', "I'm out from Wednesday. <@U2> you'll take the Postgres upgrade?"],
      ['U2', 'Vik', "yep, I'll book the window for next Tuesday"],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([
      ['The Postgres upgrade', 'U2', '2026-12-01', [1, 2]],
    ]);
  });

  it('named and role owners: "I\'ll ask Dave to…" resolves Dave only when he is in the thread', async () => {
    const withDave = thread(
      ['U1', 'Fox', "I'll ask Dave to turn off TLS 1.0 on the old load balancer"],
      ['U9', 'Dave Miller', 'saw this'],
    );
    expect((await tasksOf(withDave))[0]?.assignee).toBe('U9');
    const withoutDave = thread(['U1', 'Fox', "I'll ask Marta to turn off TLS 1.0 on the old load balancer"]);
    expect(await tasksOf(withoutDave)).toMatchObject([
      { title: 'Turn off TLS 1.0 on the old load balancer', assignee: null },
    ]);
    const role = thread(
      ['U1', 'Kai', 'for the drill: the on-call engineer runs the failover at 10:00'],
      ['U2', 'Lia', "I'm on call, so that's me"],
    );
    expect(summary(await tasksOf(role), role)).toEqual([['Run the failover', 'U2', '2026-11-24', [1, 2]]]);
  });

  it('"gonna" and "can someone…" left unanswered', async () => {
    const messages = thread(
      ['U1', 'Raf', 'gonna switch the image to a multi-stage build tomorrow'],
      ['U2', 'Ike', 'the backup verification job is failing. can someone look at it?'],
      ['U3', 'Jun', '👀'],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([
      ['Switch the image to a multi-stage build', 'U1', '2026-11-25', [1]],
      ['Look at it', null, null, [2]],
    ]);
  });

  it('merges repeated mentions of one item into the first, with every evidence message', async () => {
    const messages = thread(
      ['U1', 'Zoe', 'we need to replay the failed webhooks to be safe'],
      ['U1', 'Zoe', '<@U2> can you do the replay today?'],
      ['U2', 'Adam', 'yep'],
    );
    expect(summary(await tasksOf(messages), messages)).toEqual([
      ['Replay the failed webhooks to be safe', 'U2', '2026-11-24', [1, 2, 3]],
    ]);
  });

  it('deadlines are dates relative to the message: EOD tomorrow, end of week, the 7th; next sprint is none', async () => {
    const deadline = async (text: string) => (await tasksOf(thread(['U1', 'Ann', text])))[0]?.deadline;
    expect(await deadline("I'll send the report EOD tomorrow")).toBe('2026-11-25');
    expect(await deadline("I'll ship the hotfix by end of week")).toBe('2026-11-27');
    expect(await deadline("I'll update the schedule starting the 7th")).toBe('2026-12-07');
    expect(await deadline("I'll move the certificate to cert-manager next sprint")).toBeNull();
    expect(await deadline("I'll rotate the keys, it has been broken since Saturday")).toBeNull();
  });

  it('keeps priority and labels from the words used', async () => {
    const [task] = await tasksOf(
      thread(['U1', 'Ann', "I'll patch the leaked token in the proxy asap, it's a blocker"]),
    );
    expect(task).toMatchObject({ priority: 'CRITICAL' });
    expect(task!.labels).toContain('security');
  });

  it('says on the result that it reads English only, and proposes nothing from a German thread', async () => {
    const german = thread(
      ['U1', 'Anja', 'Das Deployment von gestern hat den Export kaputt gemacht.'],
      ['U2', 'Bernd', 'Ich schaue mir das gleich an und schreibe bis heute Nachmittag einen Test.'],
    );
    const result = await run(german);
    expect(result.tasks).toEqual([]);
    expect(result.notice).toMatch(/German.*English only.*Claude/);
    const english = await run(thread(['U1', 'Ann', "I'll write the test"]));
    expect(english.notice).toBeUndefined();
  });

  it('decodes Slack markup and shows mentions by name in titles', async () => {
    const [task] = await tasksOf(
      thread([
        'U1',
        'Ann',
        'please update <https://example.com/runbook|the runbook> for the &lt;prod&gt; cluster with <@U2|bob>',
      ]),
    );
    expect(task!.title).toBe('Update the runbook for the <prod> cluster with @bob');
  });

  it('returns nothing for an empty thread', async () => {
    expect(await run([])).toEqual({
      tasks: [],
      extractor: 'rules',
      truncated: false,
      omittedMessages: 0,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
  });
});
