import { z } from 'zod';
import { inRepo, type RouteContext } from './context.js';
import { fields, isoNow, noContent, notFound, ok, paginate, str, validationFailed } from './http.js';
import type { Permission, StandInComment, StandInIssue } from './models.js';
import type { Repo } from './state.js';

/**
 * Issues, labels, issue comments, the issue timeline (cross-references from pull requests),
 * collaborator permissions, and users:
 *
 *   GET   /user, GET /users/:username (404 unless known), GET /repos/:owner/:repo
 *   GET   /repos/:o/:r/issues                 state, creator, labels, since, sort, direction, paging (+ Link)
 *   POST  /repos/:o/:r/issues                 title required; labels created, or 422 (rejectUnknownLabels)
 *   GET   /repos/:o/:r/issues/:n, PATCH (title, body, state, state_reason, labels, assignees)
 *   GET   /repos/:o/:r/issues/:n/comments, POST          → issue_comment webhook
 *   GET   /repos/:o/:r/issues/:n/timeline     commented, cross-referenced (a PR that mentions #n)
 *   GET   /repos/:o/:r/labels, POST
 *   GET   /repos/:o/:r/collaborators/:username/permission
 * Writes emit the `issues` webhook: opened, closed, reopened, edited, labeled, unlabeled,
 * assigned, unassigned.
 */

const CreateIssueSchema = z.object({
  title: z.union([z.string(), z.number()]).transform(String),
  body: z.string().nullish(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).optional(),
  assignees: z.array(z.string()).optional(),
});

const CreateLabelSchema = z.object({ name: z.string().min(1), color: z.string().optional() });

export function createIssue(
  rc: RouteContext,
  repo: Repo,
  init: Partial<StandInIssue> & { title: string },
  login: string,
): StandInIssue {
  const number = repo.issues.length + 1;
  const now = isoNow();
  const issue: StandInIssue = {
    id: rc.state.nextId(),
    number,
    body: null,
    state: 'open',
    labels: [],
    assignees: [],
    user: { login },
    html_url: rc.state.htmlUrl(repo, `/issues/${number}`),
    url: rc.state.apiUrl(repo, `/issues/${number}`),
    created_at: now,
    updated_at: now,
    comments: 0,
    ...init,
  };
  repo.issues.push(issue);
  if (!rc.config.searchLag) rc.searchIndex.add(issue);
  return issue;
}

export function issueJson(rc: RouteContext, issue: StandInIssue): Record<string, unknown> {
  const assignees = (issue.assignees ?? []).map((a) => rc.state.user(a.login));
  return {
    ...issue,
    user: rc.state.user(issue.user.login),
    assignees,
    assignee: assignees[0] ?? null,
    closed_at: issue.closed_at ?? null,
    state_reason: issue.state_reason ?? null,
  };
}

export function registerIssueRoutes(rc: RouteContext): void {
  const { router, state } = rc;
  const emitIssue = (repo: Repo, issue: StandInIssue, action: string, sender: string, extra = {}) => {
    if (issue.pull_request) return; // a pull request's own events come from routes-pulls
    state.emit(repo, 'issues', { action, issue: issueJson(rc, issue), ...extra }, sender);
  };

  router.add('GET /user', ({ login }) => ok({ ...state.user(login), name: login }));

  router.add('GET /users/:username', ({ params }) =>
    state.users.has(params.username ?? '') ? ok(state.user(params.username ?? '')) : notFound(),
  );

  router.add(
    'GET /repos/:owner/:repo',
    inRepo(rc, (_ctx, repo) => ok(state.repoJson(repo))),
  );

  router.add(
    'GET /repos/:owner/:repo/issues',
    inRepo(rc, ({ query, params }, repo) => {
      const wantedState = query.get('state') ?? 'open';
      const creator = query.get('creator');
      const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
      const since = query.get('since');
      const sort = query.get('sort') ?? 'created';
      const direction = query.get('direction') ?? 'desc';
      const matching = repo.issues
        .filter((i) => wantedState === 'all' || i.state === wantedState)
        .filter((i) => !creator || i.user.login.toLowerCase() === creator.toLowerCase())
        .filter((i) => labels.every((l) => i.labels.some((x) => x.name === l)))
        .filter((i) => !since || i.updated_at >= since)
        .sort((a, b) => {
          const key = sort === 'updated' ? 'updated_at' : sort === 'comments' ? 'comments' : 'created_at';
          const diff = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id;
          return direction === 'asc' ? diff : -diff;
        });
      const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
      const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
      const lastPage = Math.max(1, Math.ceil(matching.length / perPage));
      const headers: Record<string, string> = {};
      if (lastPage > page) {
        const link = (p: number) => {
          const q = new URLSearchParams(query);
          q.set('page', String(p));
          return `<${state.baseUrl}/repos/${params.owner}/${params.repo}/issues?${q}>`;
        };
        headers.link = `${link(page + 1)}; rel="next", ${link(lastPage)}; rel="last"`;
      }
      return ok(
        paginate(matching, query).map((i) => issueJson(rc, i)),
        200,
        headers,
      );
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/issues',
    inRepo(rc, ({ body, login }, repo) => {
      const parsed = CreateIssueSchema.safeParse(body);
      if (!parsed.success || parsed.data.title.trim() === '') {
        return validationFailed([{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
      }
      const labels = (parsed.data.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name));
      const unknown = labels.filter((l) => !repo.labels.has(l));
      if (unknown.length > 0 && rc.config.rejectUnknownLabels) {
        return validationFailed(
          unknown.map((value) => ({ value, resource: 'Label', field: 'name', code: 'invalid' })),
        );
      }
      for (const l of unknown) repo.labels.add(l);
      const issue = createIssue(
        rc,
        repo,
        {
          title: parsed.data.title,
          body: parsed.data.body ?? null,
          labels: labels.map((name) => ({ name })),
          assignees: (parsed.data.assignees ?? []).map((a) => ({ login: a })),
        },
        login,
      );
      emitIssue(repo, issue, 'opened', login);
      return ok(issueJson(rc, issue), 201, { location: issue.url });
    }),
  );

  const findIssue = (repo: Repo, n: string | undefined) => repo.issues.find((i) => String(i.number) === n);

  router.add(
    'GET /repos/:owner/:repo/issues/:number',
    inRepo(rc, ({ params }, repo) => {
      const issue = findIssue(repo, params.number);
      return issue ? ok(issueJson(rc, issue)) : notFound();
    }),
  );

  router.add(
    'PATCH /repos/:owner/:repo/issues/:number',
    inRepo(rc, ({ params, body, login }, repo) => {
      const issue = findIssue(repo, params.number);
      if (!issue) return notFound();
      const f = fields(body);
      const events: Array<[string, Record<string, unknown>]> = [];
      if (typeof f.title === 'string' || typeof f.body === 'string') {
        issue.title = str(f.title) ?? issue.title;
        issue.body = str(f.body) ?? issue.body;
        events.push(['edited', {}]);
      }
      if ((f.state === 'closed' || f.state === 'open') && f.state !== issue.state) {
        issue.state = f.state;
        issue.closed_at = f.state === 'closed' ? isoNow() : null;
        issue.state_reason = f.state === 'closed' ? (str(f.state_reason) ?? 'completed') : 'reopened';
        events.push([f.state === 'closed' ? 'closed' : 'reopened', {}]);
      }
      if (Array.isArray(f.labels)) {
        const next = f.labels.map((l) => (typeof l === 'string' ? l : (str(fields(l).name) ?? '')));
        const before = issue.labels.map((l) => l.name);
        for (const l of next) repo.labels.add(l);
        issue.labels = next.map((name) => ({ name }));
        for (const l of next.filter((x) => !before.includes(x)))
          events.push(['labeled', { label: { name: l } }]);
        for (const l of before.filter((x) => !next.includes(x)))
          events.push(['unlabeled', { label: { name: l } }]);
      }
      if (Array.isArray(f.assignees)) {
        const next = f.assignees.filter((a): a is string => typeof a === 'string');
        const before = (issue.assignees ?? []).map((a) => a.login);
        issue.assignees = next.map((a) => ({ login: a }));
        for (const a of next.filter((x) => !before.includes(x)))
          events.push(['assigned', { assignee: state.user(a) }]);
        for (const a of before.filter((x) => !next.includes(x)))
          events.push(['unassigned', { assignee: state.user(a) }]);
      }
      issue.updated_at = isoNow();
      for (const [action, extra] of events) emitIssue(repo, issue, action, login, extra);
      return ok(issueJson(rc, issue));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/issues/:number/comments',
    inRepo(rc, ({ params, query }, repo) => {
      if (!findIssue(repo, params.number)) return notFound();
      return ok(
        paginate(repo.comments.get(Number(params.number)) ?? [], query).map((c) => commentJson(rc, c)),
      );
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/issues/:number/comments',
    inRepo(rc, ({ params, body, login }, repo) => {
      const issue = findIssue(repo, params.number);
      if (!issue) return notFound();
      const text = str(fields(body).body);
      if (!text)
        return validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      const comment = addComment(rc, repo, issue, text, login);
      state.emit(
        repo,
        'issue_comment',
        { action: 'created', issue: issueJson(rc, issue), comment: commentJson(rc, comment) },
        login,
      );
      return ok(commentJson(rc, comment), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/issues/:number/timeline',
    inRepo(rc, ({ params, query }, repo) => {
      const issue = findIssue(repo, params.number);
      if (!issue) return notFound();
      const mention = new RegExp(`(^|[^\\w/])#${issue.number}(?!\\d)`);
      const events: Array<Record<string, unknown>> = [];
      for (const c of repo.comments.get(issue.number) ?? []) {
        events.push({ event: 'commented', ...commentJson(rc, c), actor: state.user(c.user.login) });
      }
      for (const pr of repo.issues.filter((i) => i.pull_request && mention.test(i.body ?? ''))) {
        events.push({
          event: 'cross-referenced',
          created_at: pr.created_at,
          updated_at: pr.updated_at,
          actor: state.user(pr.user.login),
          source: { type: 'issue', issue: { ...issueJson(rc, pr), repository: state.repoJson(repo) } },
        });
      }
      events.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
      return ok(paginate(events, query));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/labels',
    inRepo(rc, (_ctx, repo) => ok([...repo.labels].map((name) => ({ name, color: 'ededed' })))),
  );

  router.add(
    'POST /repos/:owner/:repo/labels',
    inRepo(rc, ({ body }, repo) => {
      const parsed = CreateLabelSchema.safeParse(body);
      if (!parsed.success)
        return validationFailed([{ resource: 'Label', code: 'missing_field', field: 'name' }]);
      if (repo.labels.has(parsed.data.name)) {
        return validationFailed([{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      }
      repo.labels.add(parsed.data.name);
      return ok({ name: parsed.data.name, color: parsed.data.color ?? 'ededed' }, 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/collaborators/:username/permission',
    inRepo(rc, ({ params }, repo) => {
      const username = params.username ?? '';
      if (!state.users.has(username)) return notFound();
      const permission: Permission = repo.permissions.get(username) ?? 'read';
      // GitHub's legacy `permission` field folds maintain into write and triage into read.
      const legacy =
        permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : (permission as string);
      return ok({ permission: legacy, role_name: permission, user: state.user(username) });
    }),
  );

  router.add(
    'PUT /repos/:owner/:repo/collaborators/:username',
    inRepo(rc, ({ params, body }, repo) => {
      const perm = (str(fields(body).permission) ?? 'push') as string;
      const map: Record<string, Permission> = { pull: 'read', push: 'write', admin: 'admin' };
      state.users.add(params.username ?? '');
      repo.permissions.set(params.username ?? '', map[perm] ?? (perm as Permission));
      return noContent();
    }),
  );
}

export function addComment(
  rc: RouteContext,
  repo: Repo,
  issue: StandInIssue,
  body: string,
  login: string,
): StandInComment {
  const id = rc.state.nextId();
  const now = isoNow();
  const comment: StandInComment = {
    id,
    body,
    user: { login },
    created_at: now,
    updated_at: now,
    html_url: `${issue.html_url}#issuecomment-${id}`,
    url: rc.state.apiUrl(repo, `/issues/comments/${id}`),
    issue_url: issue.url,
  };
  const list = repo.comments.get(issue.number) ?? [];
  list.push(comment);
  repo.comments.set(issue.number, list);
  issue.comments = list.length;
  issue.updated_at = now;
  return comment;
}

export function commentJson(rc: RouteContext, c: StandInComment): Record<string, unknown> {
  return { ...c, user: rc.state.user(c.user.login), author_association: 'NONE' };
}
