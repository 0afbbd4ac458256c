import { describe, expect, it } from 'vitest';
import { createRulesExtractor } from '../../src/agents/discussion-rules.js';
import type { ExtractedTask, ThreadMessage } from '../../src/domain/extraction.js';

let seq = 0;
function msg(user: string | null, userName: string, text: string): ThreadMessage {
  seq++;
  return { ts: `1760000000.${String(seq).padStart(6, '0')}`, user, userName, text, permalink: null };
}

async function extract(messages: ThreadMessage[]): Promise<ExtractedTask[]> {
  const result = await createRulesExtractor().extract({ messages, source: 'thread' });
  expect(result.extractor).toBe('rules');
  expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  return result.tasks;
}

/** One message from Alice, in a thread where Dave Miller and Bob also wrote. */
async function extractLine(text: string): Promise<ExtractedTask[]> {
  return extract([
    msg('U0DAVE', 'Dave Miller', 'hi'),
    msg('U0BOB', 'Bob', 'hey'),
    msg('U0ALICE', 'Alice', text),
  ]);
}

const CHIT_CHAT = [
  'Morning all! :coffee:',
  'haha of course it was cookies again',
  'Sounds good, on it.',
  'I think the new dashboard looks great btw',
  'Did anyone see the game last night?',
  "I'll be out Thursday afternoon, fyi.",
  "Great, thanks all. Let's sync again Monday.",
  'lol',
  'Thanks everyone, great work! :tada:',
];

/** A checkout incident follow-up: four real tasks among chit-chat. */
const INCIDENT_THREAD: ThreadMessage[] = [
  msg(
    'U0ALICE',
    'Alice',
    'Kicking off the checkout incident follow-up. Recap: Safari users got logged out mid-checkout yesterday and about 3% of orders failed.',
  ),
  msg('U0BOB', 'Bob', CHIT_CHAT[0]!),
  msg(
    'U0CAROL',
    'Carol',
    "Root cause was the session cookie missing SameSite=None after the proxy upgrade. We need to fix the session cookie flags in the auth proxy asap, it's a blocker for Friday's release.",
  ),
  msg('U0BOB', 'Bob', CHIT_CHAT[1]!),
  msg('U0ALICE', 'Alice', '<@U0DAVE> will add an alert on the checkout error rate by Friday'),
  msg('U0DAVE', 'Dave', CHIT_CHAT[2]!),
  msg('U0CAROL', 'Carol', 'TODO: document the proxy upgrade checklist in the runbook'),
  msg('U0BOB', 'Bob', CHIT_CHAT[3]!),
  msg('U0EVE', 'Eve', CHIT_CHAT[4]!),
  msg('U0DAVE', 'Dave', "I'll backfill the failed orders from the payments log tomorrow."),
  msg('U0DAVE', 'Dave', CHIT_CHAT[5]!),
  msg('U0ALICE', 'Alice', CHIT_CHAT[6]!),
  msg('U0BOB', 'Bob', CHIT_CHAT[7]!),
  msg('U0EVE', 'Eve', CHIT_CHAT[8]!),
];

describe('rules extractor on an engineering thread', () => {
  it('finds the four tasks and nothing from the chit-chat', async () => {
    const tasks = await extract(INCIDENT_THREAD);

    expect(tasks.map((t) => t.title)).toEqual([
      'Fix the session cookie flags in the auth proxy',
      'Add an alert on the checkout error rate',
      'Document the proxy upgrade checklist in the runbook',
      'Backfill the failed orders from the payments log',
    ]);
    const [cookie, alert, docs, backfill] = tasks as [
      ExtractedTask,
      ExtractedTask,
      ExtractedTask,
      ExtractedTask,
    ];

    expect(cookie).toMatchObject({ priority: 'CRITICAL', assignee: null, deadline: null });
    expect(cookie.labels).toContain('bug');
    expect(cookie.evidence).toBe(
      "We need to fix the session cookie flags in the auth proxy asap, it's a blocker for Friday's release.",
    );

    expect(alert).toMatchObject({ priority: 'MEDIUM', assignee: 'U0DAVE', deadline: 'Friday' });
    expect(alert.labels).toContain('infra');
    expect(alert.evidence).toBe('@Dave will add an alert on the checkout error rate by Friday');

    expect(docs).toMatchObject({ priority: 'MEDIUM', assignee: null, deadline: null });
    expect(docs.labels).toContain('docs');

    expect(backfill).toMatchObject({ assignee: 'U0DAVE', deadline: 'tomorrow' });

    for (const task of tasks) {
      expect(task.acceptanceCriteria.length).toBeGreaterThanOrEqual(1);
      expect(task.acceptanceCriteria[0]).toContain(task.title);
      expect(task.description.length).toBeGreaterThan(0);
      expect(task.evidence.length).toBeLessThanOrEqual(200);
    }
  });

  it.each(CHIT_CHAT)('finds no task in %j', async (text) => {
    expect(await extractLine(text)).toEqual([]);
  });

  it('returns an empty list for a thread with no task', async () => {
    const thread = CHIT_CHAT.map((text, i) => msg(`U0P${i}`, `Person ${i}`, text));
    const result = await createRulesExtractor().extract({ messages: thread, source: 'thread' });
    expect(result).toEqual({
      tasks: [],
      extractor: 'rules',
      truncated: false,
      omittedMessages: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('returns an empty list for an empty thread', async () => {
    expect(await extract([])).toEqual([]);
  });
});

describe('rules extractor phrases', () => {
  it('assigns "<@U…> will …" to the mentioned user, even one who did not write', async () => {
    const [task] = await extractLine(
      '<@U0ZED|zed> will migrate the orders table to Postgres 16 by 2026-12-01',
    );
    expect(task).toMatchObject({
      title: 'Migrate the orders table to Postgres 16',
      assignee: 'U0ZED',
      deadline: '2026-12-01',
    });
    expect(task!.labels).toContain('backend');
  });

  it('assigns "I will …" and "I\'ll …" to the author', async () => {
    const tasks = await extractLine("I will write the postmortem by EOD. I'll also update the status page.");
    expect(tasks.map((t) => [t.title, t.assignee, t.deadline])).toEqual([
      ['Write the postmortem', 'U0ALICE', 'EOD'],
      ['Update the status page', 'U0ALICE', null],
    ]);
  });

  it('assigns "@name will …" and "Name will …" only to someone in the thread', async () => {
    expect((await extractLine('@dave will rotate the staging API keys'))[0]?.assignee).toBe('U0DAVE');
    expect((await extractLine('Bob will review the Terraform plan'))[0]?.assignee).toBe('U0BOB');
    const [unknown] = await extractLine('@mallory will rotate the staging API keys');
    expect(unknown).toMatchObject({ title: 'Rotate the staging API keys', assignee: null });
    expect(unknown!.labels).toContain('security');
    expect(await extractLine('This will make the build slower')).toEqual([]);
  });

  it('reads TODO lines and action item markers', async () => {
    const tasks = await extractLine(
      'TODO bump the node version to 20 in CI\ntodo: add a smoke test for checkout\nAI: remove the old feature flag\nAction item: investigate the p99 latency spike',
    );
    expect(tasks.map((t) => t.title)).toEqual([
      'Bump the node version to 20 in CI',
      'Add a smoke test for checkout',
      'Remove the old feature flag',
      'Investigate the p99 latency spike',
    ]);
    expect(tasks[1]!.labels).toContain('test');
  });

  it('takes every bullet under an "Action items:" header', async () => {
    const tasks = await extractLine(
      'Action items:\n- <@U0BOB> staging API key rotation\n- on-call doc refresh\n• Update the dashboard links\nThanks all!',
    );
    expect(tasks.map((t) => [t.title, t.assignee])).toEqual([
      ['Staging API key rotation', 'U0BOB'],
      ['On-call doc refresh', null],
      ['Update the dashboard links', null],
    ]);
  });

  it("reads requests: can someone, please, we should, we need to, let's", async () => {
    const tasks = await extractLine(
      [
        'Can someone please review the Terraform PR for the new VPC? No rush.',
        'please add retries to the webhook sender',
        'We should add rate limiting to the login endpoint so that bots cannot brute-force passwords.',
        "Let's refactor the billing module before the Q3 launch - it is a mess",
      ].join('\n'),
    );
    expect(tasks.map((t) => [t.title, t.priority])).toEqual([
      ['Review the Terraform PR for the new VPC', 'LOW'],
      ['Add retries to the webhook sender', 'MEDIUM'],
      ['Add rate limiting to the login endpoint', 'MEDIUM'],
      ['Refactor the billing module before the Q3 launch', 'MEDIUM'],
    ]);
    expect(tasks[2]!.acceptanceCriteria).toContain('Bots cannot brute-force passwords');
    expect(tasks[0]!.labels).toContain('infra');
  });

  it('reads imperative sentences but not statements that start with the same word', async () => {
    expect((await extractLine('Fix the flaky checkout e2e test.'))[0]).toMatchObject({
      title: 'Fix the flaky checkout e2e test',
      labels: ['bug', 'test'],
    });
    expect(await extractLine('Test failures are annoying.')).toEqual([]);
    expect(await extractLine('Update: the deploy went fine')).toEqual([]);
    expect(await extractLine('Fix the login page?')).toEqual([]);
  });

  it('sets priority from the words used', async () => {
    const priority = async (text: string) => (await extractLine(text))[0]?.priority;
    expect(await priority('We need to patch the CVE in the image, this is critical')).toBe('CRITICAL');
    expect(await priority('Prod is down. We need to roll back the deploy.')).toBe('CRITICAL');
    expect(await priority('Please rotate the leaked token asap')).toBe('HIGH');
    expect(await priority('We should add dark mode, nice to have')).toBe('LOW');
    expect(await priority('We should add a CSV export')).toBe('MEDIUM');
  });

  it('keeps deadlines as said and leaves them out of the title', async () => {
    const deadline = async (text: string) => {
      const [task] = await extractLine(text);
      return [task?.title, task?.deadline];
    };
    expect(await deadline('Please ship the hotfix by end of week')).toEqual([
      'Ship the hotfix',
      'end of week',
    ]);
    expect(await deadline('We need to renew the TLS cert tomorrow')).toEqual([
      'Renew the TLS cert',
      'tomorrow',
    ]);
    expect(await deadline('Please send the report EOD')).toEqual(['Send the report', 'EOD']);
    expect(await deadline('I will deploy the fix by 2026-12-01')).toEqual(['Deploy the fix', '2026-12-01']);
  });

  it('merges a task said twice into one, keeping the highest priority', async () => {
    const tasks = await extract([
      msg('U0ALICE', 'Alice', 'We should fix the Safari login redirect.'),
      msg('U0BOB', 'Bob', 'yes, fix the Safari login redirect asap, customers are complaining'),
    ]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ title: 'Fix the Safari login redirect', priority: 'HIGH' });
  });

  it('decodes Slack markup in titles and evidence', async () => {
    const [task] = await extractLine(
      'Please update <https://example.com/runbook|the runbook> for the &lt;prod&gt; cluster &amp; staging',
    );
    expect(task!.title).toBe('Update the runbook for the <prod> cluster & staging');
  });
});
