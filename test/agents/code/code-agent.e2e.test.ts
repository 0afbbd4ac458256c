import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schema } from '../../../db/index.js';
import { createRulesExtractor } from '../../../src/agents/discussion.js';
import { ACTIONS } from '../../../src/slack/ids.js';
import { type AnthropicStandIn, startAnthropicStandIn } from '../../support/anthropic-standin.js';
import { create, finish, replace, tool, toolResults, view } from '../../support/code-script.js';
import { DATABASE_KINDS } from '../../support/database.js';
import { CHANNEL, type Harness, REPO, startHarness, textOf, USERS } from '../../support/harness.js';

/**
 * The built-in code agent end to end: signed Slack clicks in, the real Octokit against the GitHub
 * stand-in (real git objects), the real Anthropic SDK against a scripted conversation.
 */
describe.each(DATABASE_KINDS)('code agent, built-in (%s)', (kind) => {
  let h: Harness;
  let anthropic: AnthropicStandIn;
  let n = 0;

  beforeAll(async () => {
    anthropic = await startAnthropicStandIn();
    h = await startHarness({
      kind,
      env: {
        CODE_AGENT: 'builtin',
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_MODEL: 'claude-sonnet-4-6',
        CODE_MAX_TURNS: '6',
        CODE_MAX_COST_USD: '1',
      },
      // Extraction by rules: the Anthropic stand-in serves the code agent only.
      start: { extractor: createRulesExtractor(), codeCi: { pollMs: 20, appearMs: 2_000 } },
    });
    h.github.commitFiles(REPO, {
      'README.md': '# web\n',
      'src/app.ts': "export const greeting = 'hello';\nexport const port = 3000;\n",
      'src/util.ts': 'export const a = 1;\nexport const b = 1;\n',
      '.github/workflows/ci.yml': 'on: [push]\n',
      'AGENTS.md': 'Run npm test before finishing.\n',
    });
  });
  afterAll(async () => {
    await h.close();
    await anthropic.close();
  });
  beforeEach(async () => {
    await h.database.truncate();
    anthropic.requests.length = 0;
  });

  /** A fresh approved task (its own title, so its own branch) and its card's ts. */
  async function approvedTask(): Promise<{ taskId: string; cardTs: string; threadTs: string }> {
    n += 1;
    const { cards, threadTs } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, `We need to change the greeting number ${n} in the web app.`],
    ]);
    const card = cards[0];
    if (!card) throw new Error('no card');
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    const [task] = await h.database.db.select().from(schema.tasks);
    return { taskId: task!.id, cardTs: card.ts, threadTs };
  }

  const codeStep = async () => {
    const rows = await h.database.db.select().from(schema.steps);
    return rows.find((s) => s.agent === 'code');
  };

  it('edits two files into one commit with the expected tree and opens one draft PR that closes the issue', async () => {
    const { taskId, cardTs, threadTs } = await approvedTask();
    anthropic.enqueue(
      view('src/app.ts'),
      replace('src/app.ts', "greeting = 'hello'", "greeting = 'hello, world'"),
      create('src/health.ts', 'export const healthy = true;\n'),
      finish('Changes the greeting and adds a health flag.'),
    );
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);

    const step = await codeStep();
    expect(step?.status).toBe('succeeded');
    const output = step?.output as { branch: string; pr: { number: number; url: string }; files: string[] };
    expect(output.files).toEqual(['src/app.ts', 'src/health.ts']);
    expect(output.branch).toMatch(new RegExp(`^orchestrator/${taskId.replace(/-/g, '').slice(0, 8)}-`));

    // One commit on top of main, whose tree is exactly main's plus the two edits.
    const repo = h.github.repo(REPO);
    const head = h.github.sha(REPO, output.branch)!;
    const commit = repo.git.commit(head)!;
    expect(commit.parents).toEqual([h.github.sha(REPO, 'main')]);
    const expected = h.github.commitFiles(
      REPO,
      {
        'src/app.ts': "export const greeting = 'hello, world';\nexport const port = 3000;\n",
        'src/health.ts': 'export const healthy = true;\n',
      },
      { branch: `expected-${n}` },
    );
    expect(commit.tree).toBe(repo.git.commit(expected)!.tree);
    expect(commit.message).toContain(`Orchestrator-Task: ${taskId}`);

    // One draft PR with the issue closed by it, the criteria and the thread link.
    const pulls = [...repo.pulls.values()].filter((p) => p.head.ref === output.branch);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull.draft).toBe(true);
    const issue = h.github.issues(REPO).find((i) => i.body?.includes(`task=${taskId}`));
    expect(pull.body).toContain(`Closes #${issue!.number}`);
    expect(pull.body).toContain('src/health.ts');
    expect(pull.body).toMatch(/4 turns/);

    // The model saw the task and AGENTS.md, never the thread's raw text or a secret.
    const first = JSON.stringify(anthropic.requests[0]?.body);
    expect(first).toContain('Run npm test before finishing.');
    expect(first).not.toContain(h.github.token);
    expect(anthropic.requests[0]?.body.tools?.map((t) => t.name)).toContain('str_replace_based_edit_tool');

    // The card ends with the PR link; one reply in the thread.
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toContain(output.pr.url);
    const replies = h.botMessages(threadTs).filter((m) => m.text.includes(output.pr.url));
    expect(replies).toHaveLength(1);
  });

  it('refuses paths outside the repo and protected paths, and tells the model why', async () => {
    const { cardTs } = await approvedTask();
    anthropic.enqueue(
      create('../escape.txt', 'x'),
      create('/etc/passwd', 'x'),
      create('.github/workflows/ci.yml', 'on: [pull_request]\n'),
      finish('Could not do it.'),
    );
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    const results = toolResults(anthropic);
    expect(results.slice(0, 3).every((r) => r.isError)).toBe(true);
    expect(results[0]?.content).toMatch(/leaves the repository/);
    expect(results[1]?.content).toMatch(/absolute paths are not allowed/);
    expect(results[2]?.content).toMatch(/protected path/);
    const step = await codeStep();
    expect(step?.output).toMatchObject({ pr: null });
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(/no pull request/);
    expect(h.github.files(REPO, 'main')['.github/workflows/ci.yml']).toBe('on: [push]\n');
  });

  it('answers str_replace with no match and with two matches as errors the model can act on', async () => {
    const { cardTs } = await approvedTask();
    anthropic.enqueue(
      replace('src/util.ts', 'not there', 'x'),
      replace('src/util.ts', '= 1;', '= 2;'),
      replace('src/util.ts', 'const a = 1;', 'const a = 2;'),
      finish('Set a to 2.'),
    );
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    const results = toolResults(anthropic);
    expect(results[0]).toMatchObject({ isError: true });
    expect(results[0]?.content).toMatch(/No match/);
    expect(results[1]).toMatchObject({ isError: true });
    expect(results[1]?.content).toMatch(/matches 2 times.*lines 1, 2/);
    expect(results[2]?.isError).toBe(false);
    const output = (await codeStep())?.output as { branch: string };
    expect(h.github.files(REPO, output.branch)['src/util.ts']).toBe(
      'export const a = 2;\nexport const b = 1;\n',
    );
  });

  it('stops at the turn budget, pushes the work in progress as a draft and says which budget', async () => {
    const { cardTs } = await approvedTask();
    anthropic.enqueue(
      replace('src/app.ts', 'port = 3000', 'port = 8080'),
      ...Array.from({ length: 5 }, () => view('README.md')),
    );
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    expect(anthropic.pending()).toBe(0);
    const output = (await codeStep())?.output as {
      stoppedBy: string;
      branch: string;
      pr: { number: number };
    };
    expect(output.stoppedBy).toBe('turns');
    expect(h.github.files(REPO, output.branch)['src/app.ts']).toContain('port = 8080');
    const pull = [...h.github.repo(REPO).pulls.values()].find((p) => p.number === output.pr.number);
    expect(pull?.draft).toBe(true);
    expect(pull?.body).toMatch(/turn budget/);
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(/stopped by the turn budget/);
  });

  it('opens one PR when Execute is clicked 10 times at once', async () => {
    const { cardTs } = await approvedTask();
    anthropic.enqueue(replace('src/app.ts', 'port = 3000', 'port = 4000'), finish('Port 4000.'));
    await Promise.all(
      Array.from({ length: 10 }, () =>
        h.sender.blockAction({
          user: USERS.lead.id,
          channel: CHANNEL,
          messageTs: cardTs,
          actionId: ACTIONS.execute,
        }),
      ),
    );
    await h.app.idle();
    const output = (await codeStep())?.output as { branch: string };
    expect([...h.github.repo(REPO).pulls.values()].filter((p) => p.head.ref === output.branch)).toHaveLength(
      1,
    );
    expect(await h.database.db.select().from(schema.runs)).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(2);
  });

  it('resumes after a failure between the push and the PR: one branch, one PR, no model turn paid twice', async () => {
    const { cardTs } = await approvedTask();
    anthropic.enqueue(replace('src/app.ts', 'port = 3000', 'port = 5000'), finish('Port 5000.'));
    // The PR call fails after the branch exists (GitHub answers 502): the runner retries the step.
    h.github.failNext('POST /repos/:owner/:repo/pulls', 502);
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    const step = await codeStep();
    expect(step?.status).toBe('succeeded');
    expect(step?.attempt).toBe(2);
    const output = step?.output as { branch: string; pr: { number: number } };
    const refs = [...h.github.repo(REPO).refs.keys()].filter((r) =>
      r.startsWith(`refs/heads/${output.branch}`),
    );
    expect(refs).toEqual([`refs/heads/${output.branch}`]);
    expect([...h.github.repo(REPO).pulls.values()].filter((p) => p.head.ref === output.branch)).toHaveLength(
      1,
    );
    expect(anthropic.requests).toHaveLength(2);
  });

  it('stops at the cost budget before a turn it cannot pay for', async () => {
    const { cardTs } = await approvedTask();
    // 200k output tokens of Sonnet 4.6 are $3: over the $1 budget after one turn.
    anthropic.enqueue(
      replace('src/app.ts', 'port = 3000', 'port = 9090', { input_tokens: 1000, output_tokens: 200_000 }),
    );
    await h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    expect(anthropic.requests).toHaveLength(1);
    const output = (await codeStep())?.output as { stoppedBy: string; branch: string };
    expect(output.stoppedBy).toBe('cost');
    expect(h.github.files(REPO, output.branch)['src/app.ts']).toContain('port = 9090');
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(/stopped by the cost budget/);
  });

  // Last in this suite: from here on the repository has CI.
  it('pushes for CI, reads the failing log, fixes the code and ends with CI passing', async () => {
    h.github.actions.addWorkflow(REPO, {
      file: 'ci.yml',
      name: 'CI',
      on: ['push'],
      jobs: [{ name: 'test', steps: [{ name: 'Set up job' }, { name: 'Run tests' }] }],
    });
    const { cardTs } = await approvedTask();
    anthropic.enqueue(
      replace('src/util.ts', 'const b = 1;', 'const b = 1 +;'),
      tool('run_checks', {}),
      replace('src/util.ts', 'const b = 1 +;', 'const b = 2;'),
      tool('run_checks', {}),
      finish('Set b to 2.'),
    );
    const clicked = h.click(USERS.lead.id, cardTs, ACTIONS.execute);
    const runsBefore = h.github.actions.runs(REPO).length;
    // GitHub's side: the push starts a run; the first fails with a compiler error, the second passes.
    const nextRun = async (index: number) => {
      for (let i = 0; i < 500; i++) {
        const run = h.github.actions.runs(REPO)[runsBefore + index];
        if (run) return run;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no CI run started');
    };
    const first = await nextRun(0);
    h.github.actions.start(REPO, first.id);
    h.github.actions.complete(REPO, first.id, 'failure', {
      step: 'Run tests',
      log: 'src/util.ts(2,22): error TS1109: Expression expected.',
    });
    const second = await nextRun(1);
    expect(second.head_sha).not.toBe(first.head_sha);
    h.github.actions.start(REPO, second.id);
    h.github.actions.complete(REPO, second.id, 'success');
    await clicked;

    const results = toolResults(anthropic);
    expect(results[1]?.content).toMatch(/CI failed/);
    expect(results[1]?.content).toContain('error TS1109: Expression expected');
    expect(results[1]?.content).toMatch(/job "test", step "Run tests"/);
    expect(results[3]?.content).toMatch(/CI passed/);
    const output = (await codeStep())?.output as { branch: string; ci: string; pr: { url: string } };
    expect(output.ci).toBe('passed');
    expect(h.github.sha(REPO, output.branch)).toBe(second.head_sha);
    expect(h.github.files(REPO, output.branch)['src/util.ts']).toBe(
      'export const a = 1;\nexport const b = 2;\n',
    );
    await h.app.idle();
    expect(textOf(h.slack.message(CHANNEL, cardTs))).toMatch(/CI passed/);
  });
});

describe('code agent, off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('runs the code step and says on the card why no pull request is made', async () => {
    const { cards } = await h.extractThread(USERS.lead.id, [
      [USERS.lead.id, 'We need to rename the login button.'],
    ]);
    const card = cards[0]!;
    await h.click(USERS.lead.id, card.ts, ACTIONS.approve);
    await h.click(USERS.lead.id, card.ts, ACTIONS.execute);
    const text = textOf(h.slack.message(CHANNEL, card.ts));
    expect(text).toMatch(
      /Pull request\*? — not run: the code agent is not set up \(it needs an Anthropic API key\)/,
    );
    expect(text).toContain('⏭');
    const [run] = await h.database.db.select().from(schema.runs);
    expect(run?.status).toBe('succeeded');
  });
});
