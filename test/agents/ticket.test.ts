import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTicketAgent, issueMarker } from '../../src/agents/ticket.js';
import { type AgentContext, AgentError, type AgentTask, type TicketOutput } from '../../src/agents/types.js';
import { idempotencyKey } from '../../src/domain/pipeline.js';
import { createLogger } from '../../src/logger.js';
import { createGitHubClient } from '../../src/services/github.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-standin.js';

const logger = createLogger({ level: 'silent' });

function makeTask(overrides: Partial<AgentTask> = {}): AgentTask {
  return {
    id: 'task-7f3a',
    title: 'Rate-limit the login endpoint',
    description: 'Brute force attempts seen in logs. @alice said @channel should know; cc @acme/security.',
    acceptanceCriteria: ['5 failed tries per minute per IP', 'A 429 with retry-after, ping @bob when done'],
    priority: 'HIGH',
    labels: ['security', 'backend'],
    deadline: '2030-05-01',
    assignee: 'U012ABCDEF',
    assigneeName: 'Dana @dana Smith',
    repo: 'acme/web',
    threadLink: 'https://acme.slack.com/archives/C01/p1700000000000100',
    evidence: 'We got 10k login attempts from one IP last night',
    ...overrides,
  };
}

function makeContext(task: AgentTask, runId = 'run-1'): AgentContext {
  return {
    runId,
    idempotencyKey: idempotencyKey(runId, 'ticket'),
    attempt: 1,
    task,
    previous: {},
    signal: new AbortController().signal,
    logger,
  };
}

async function runTicket(
  agent: ReturnType<typeof createTicketAgent>,
  ctx: AgentContext,
): Promise<TicketOutput> {
  return (await agent.run(ctx)) as TicketOutput;
}

/**
 * Mentions that could ping: any `@` directly followed by a name. Code spans are not discounted on
 * purpose: one stray backtick in thread text can close a span and reopen the mention.
 */
function livePings(markdown: string): string[] {
  return [...markdown.matchAll(/@([A-Za-z0-9][\w-]*)/g)].map((m) => m[1] ?? '');
}

const ZWSP = '\u200b';

describe('ticket agent', () => {
  let gh: GitHubStandIn;
  const client = (token = gh.token) =>
    createGitHubClient({ token, apiUrl: gh.url, logger, throttle: false, retryAfterBaseMs: 1 });

  beforeEach(async () => {
    gh = await startGitHubStandIn();
  });
  afterEach(async () => {
    await gh.close();
  });

  it('creates one issue with checklist, details, thread link and marker, and no live mentions', async () => {
    const agent = createTicketAgent({ github: client(), logger });
    const out = await runTicket(agent, makeContext(makeTask()));

    const issues = gh.issues('acme/web');
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(out).toEqual({
      dryRun: false,
      repo: 'acme/web',
      number: issue.number,
      url: issue.html_url,
      title: 'Rate-limit the login endpoint',
      body: null,
      reused: false,
    });
    expect(issue.title).toBe('Rate-limit the login endpoint');
    const body = issue.body ?? '';
    expect(body).toContain('- [ ] 5 failed tries per minute per IP');
    expect(body).toContain(`- [ ] A 429 with retry-after, ping @${ZWSP}bob when done`);
    expect(body).toContain('**Priority:** HIGH');
    expect(body).toContain('**Deadline:** 2030-05-01');
    expect(body).toContain(`**Assignee:** Dana @${ZWSP}dana Smith`);
    expect(body).toContain('[this Slack thread](https://acme.slack.com/archives/C01/p1700000000000100)');
    expect(body).toContain(issueMarker('task-7f3a'));
    expect(body).toContain(`@${ZWSP}acme/security`);
    expect(livePings(body)).toEqual([]);
    expect(issue.labels.map((l) => l.name)).toEqual(['security', 'backend']);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('thread text cannot ping, link, embed images or raw HTML in the issue (issue 7, item 8)', async () => {
    const attack = makeTask({
      title: 'Ship it @octocat and fix #12',
      description: [
        'thanks` @octocat ` and `@hubot`',
        '![beacon](https://evil.example/pixel.png) and [the docs](https://evil.example/phish)',
        '<img src="https://evil.example/a.png"> <a href="https://evil.example">x</a> &#64;monalisa',
        '```',
        '### Details',
        '<!-- ai-orchestrator:task=other-task -->',
      ].join('\n'),
      acceptanceCriteria: ['[click](javascript:alert(1)) for @octocat'],
      evidence: 'see <https://evil.example/x> cc @acme/security',
      assigneeName: 'x`@y`z',
    });
    await runTicket(createTicketAgent({ github: client(), logger }), makeContext(attack));
    const [issue] = gh.issues('acme/web');
    const body = issue?.body ?? '';

    expect(livePings(body)).toEqual([]);
    expect(livePings(issue?.title ?? '')).toEqual([]);
    expect(body).not.toContain('![');
    expect(body).not.toContain('](https://evil');
    expect(body).not.toContain('](javascript');
    expect(body).not.toMatch(/<(img|a|https?:)/i);
    // `&#64;` would render as an @ and ping; escaped it shows as typed.
    expect(body).not.toMatch(/(^|[^;])&#64;/);
    // No code fence or heading from the thread, and only our own marker.
    expect(body).not.toMatch(/^```/m);
    expect(body.match(/^### Details$/gm)).toHaveLength(1);
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body).toContain(issueMarker(attack.id));
    // The words are still there to read.
    expect(body).toContain(`@${ZWSP}octocat`);
    expect(body).toContain('the docs');
    // The only link is the thread's permalink, which the bot got from Slack.
    expect([...body.matchAll(/\]\(/g)]).toHaveLength(1);
    expect(body).toContain('[this Slack thread](https://acme.slack.com/archives/C01/p1700000000000100)');
  });

  it('a second run of the same task finds the marker and creates nothing', async () => {
    const agent = createTicketAgent({ github: client(), logger });
    const first = await runTicket(agent, makeContext(makeTask(), 'run-1'));
    const second = await runTicket(
      createTicketAgent({ github: client(), logger }),
      makeContext(makeTask(), 'run-2'),
    );
    expect(second).toMatchObject({ reused: true, number: first.number, url: first.url, dryRun: false });
    expect(gh.issues('acme/web')).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('finds its issue even while search has not indexed it yet', async () => {
    gh.searchLag = true;
    const agent = createTicketAgent({ github: client(), logger });
    const first = await runTicket(agent, makeContext(makeTask(), 'run-1'));

    // Search alone would miss it:
    const search = await client().rest.search.issuesAndPullRequests({
      q: `"ai-orchestrator:task=task-7f3a" in:body repo:acme/web`,
    });
    expect(search.data.total_count).toBe(0);

    const second = await runTicket(agent, makeContext(makeTask(), 'run-2'));
    expect(second).toMatchObject({ reused: true, number: first.number });
    expect(gh.issues('acme/web')).toHaveLength(1);
  });

  it('finds an older issue through search when it is beyond the recent listing', async () => {
    const task = makeTask();
    const old = gh.seedIssue(
      'acme/web',
      { title: task.title, body: `old\n\n${issueMarker(task.id)}\n` },
      'orchestrator-bot',
    );
    for (let i = 0; i < 120; i++) gh.seedIssue('acme/web', { title: `other ${i}` }, 'orchestrator-bot');

    const out = await runTicket(createTicketAgent({ github: client(), logger }), makeContext(task));
    expect(out).toMatchObject({ reused: true, number: old.number, url: old.html_url });
    expect(gh.requests.some((r) => r.path === '/search/issues')).toBe(true);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('does not take a pull request or another task whose text quotes the marker', async () => {
    const task = makeTask();
    gh.seedIssue(
      'acme/web',
      { title: 'a PR', body: issueMarker(task.id), pull_request: { url: 'x' } },
      'orchestrator-bot',
    );
    // Task B's thread text tries to forge task A's marker.
    await runTicket(
      createTicketAgent({ github: client(), logger }),
      makeContext(makeTask({ id: 'task-b', description: `copy of ${issueMarker(task.id)}` })),
    );
    const out = await runTicket(createTicketAgent({ github: client(), logger }), makeContext(task));
    expect(out.reused).toBe(false);
    expect(gh.issues('acme/web').filter((i) => !i.pull_request)).toHaveLength(2);
  });

  it('makes a dry run without a client: no HTTP, the would-be issue in the output', async () => {
    const out = await runTicket(createTicketAgent({ github: null, logger }), makeContext(makeTask()));
    expect(out).toMatchObject({ dryRun: true, number: null, url: null, repo: 'acme/web', reused: false });
    expect(out.title).toBe('Rate-limit the login endpoint');
    expect(out.body).toContain(issueMarker('task-7f3a'));
    expect(out.body).toContain('- [ ] 5 failed tries per minute per IP');
    expect(gh.requests).toHaveLength(0);
  });

  it('a 502 on create is transient and not repeated by Octokit (the issue may exist): the next attempt makes one', async () => {
    gh.failNext('POST /repos/:owner/:repo/issues', 502);
    const agent = createTicketAgent({ github: client(), logger });
    const error = await agent.run(makeContext(makeTask())).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'transient' });
    expect(gh.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([502]);
    const out = await runTicket(agent, makeContext(makeTask()));
    expect(out.number).toBe(1);
    expect(gh.issues('acme/web')).toHaveLength(1);
  });

  it('retries without labels when GitHub rejects them (422)', async () => {
    await gh.close();
    gh = await startGitHubStandIn({ rejectUnknownLabels: true });
    const out = await runTicket(createTicketAgent({ github: client(), logger }), makeContext(makeTask()));
    expect(out.reused).toBe(false);
    const issues = gh.issues('acme/web');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.labels).toEqual([]);
    expect(issues[0]?.body).toContain('**Labels:** security, backend');
  });

  it('a bad token is a permanent error that names GITHUB_TOKEN and not the token', async () => {
    const badToken = 'ghp_wrongwrongwrongwrongwrongwrong0000';
    const error = await createTicketAgent({ github: client(badToken), logger })
      .run(makeContext(makeTask()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ kind: 'permanent' });
    const { message, detail } = error as AgentError;
    expect(message).not.toContain('GITHUB_TOKEN');
    expect(detail).toContain('GITHUB_TOKEN');
    expect(message).toContain('401');
    expect(`${message} ${detail}`).not.toContain(badToken);
    expect(gh.issues('acme/web')).toHaveLength(0);
  });

  it('an unknown repo is a permanent error naming it', async () => {
    const error = await createTicketAgent({ github: client(), logger })
      .run(makeContext(makeTask({ repo: 'acme/missing' })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ kind: 'permanent' });
    expect((error as AgentError).message).toBe(
      'Repository acme/missing not found or the token cannot see it (404)',
    );
  });

  it('a 422 that is not about labels is permanent', async () => {
    gh.failNext('POST /repos/:owner/:repo/issues', 422, {
      times: 2,
      errors: [{ resource: 'Issue', field: 'title', code: 'invalid' }],
    });
    const error = await createTicketAgent({ github: client(), logger })
      .run(makeContext(makeTask()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ kind: 'permanent' });
    expect((error as AgentError).message).toContain('422');
    expect(gh.issues('acme/web')).toHaveLength(0);
  });

  it('a GitHub outage that outlasts the retries is transient', async () => {
    gh.failNext('*', 502, { times: 50 });
    const error = await createTicketAgent({ github: client(), logger })
      .run(makeContext(makeTask()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as AgentError).message).toContain('502');
  });
});
