import { inRepo, type RouteContext } from './context.js';
import { fileChanges, repoCommitJson } from './git-json.js';
import { mergeFlat } from './git-objects.js';
import {
  type Answer,
  failure,
  fields,
  isoNow,
  notFound,
  ok,
  paginate,
  str,
  validationFailed,
} from './http.js';
import type { StandInPull } from './models.js';
import { createIssue, issueJson } from './routes-issues.js';
import type { Repo } from './state.js';

/**
 * Pull requests over the object store (numbers shared with issues, as on GitHub):
 *
 *   POST  /repos/:o/:r/pulls              {title, head ('branch' or 'owner:branch'), base, body, draft}
 *                                         422: unknown head/base, no commits between, one already open
 *   GET   /repos/:o/:r/pulls              state (open|closed|all), head ('owner:branch'), base, sort, direction
 *   GET   /repos/:o/:r/pulls/:n           with mergeable / mergeable_state worked out by a three-way merge
 *   PATCH /repos/:o/:r/pulls/:n           title, body, state, base
 *   GET   /repos/:o/:r/pulls/:n/commits, /files
 *   PUT   /repos/:o/:r/pulls/:n/merge     merge_method merge|squash|rebase(as squash), sha;
 *                                         405 draft / not mergeable / closed, 409 head moved
 * Emits `pull_request` opened, edited, closed (merged or not), reopened, synchronize (the head
 * branch moved); a merge into the default branch closes issues the body says it closes.
 */

const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)/gi;

export function findPull(repo: Repo, n: string | undefined): StandInPull | undefined {
  return repo.pulls.get(Number(n));
}

/** mergeable as GitHub would compute it: the test's override, or whether the trees merge. */
export function mergeable(repo: Repo, pull: StandInPull): boolean {
  if (pull.mergeable !== null) return pull.mergeable;
  return mergedTree(repo, pull) !== undefined;
}

function mergedTree(repo: Repo, pull: StandInPull): string | undefined {
  const base = repo.refs.get(`refs/heads/${pull.base.ref}`);
  const head = repo.refs.get(`refs/heads/${pull.head.ref}`);
  if (!base || !head) return undefined;
  if (repo.git.isAncestor(base, head)) return repo.git.commit(head)!.tree;
  const mb = repo.git.mergeBase(base, head);
  const flat = (sha: string | undefined) => (sha ? repo.git.flatten(repo.git.commit(sha)!.tree) : new Map());
  const merged = mergeFlat(flat(mb), flat(base), flat(head));
  return merged ? repo.git.writeFlat(merged) : undefined;
}

export function pullJson(rc: RouteContext, repo: Repo, pull: StandInPull): Record<string, unknown> {
  const { state } = rc;
  const issue = repo.issues.find((i) => i.number === pull.number);
  const headSha = repo.refs.get(`refs/heads/${pull.head.ref}`) ?? null;
  const baseSha = repo.refs.get(`refs/heads/${pull.base.ref}`) ?? null;
  const canMerge = pull.state === 'open' && !pull.merged ? mergeable(repo, pull) : null;
  return {
    id: pull.id,
    node_id: `PR_${pull.id}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: state.user(pull.user.login),
    draft: pull.draft,
    merged: pull.merged,
    mergeable: canMerge,
    mergeable_state: pull.draft ? 'draft' : canMerge === false ? 'dirty' : canMerge ? 'clean' : 'unknown',
    merged_at: pull.merged_at,
    merged_by: pull.merged_by ? state.user(pull.merged_by) : null,
    merge_commit_sha: pull.merge_commit_sha,
    closed_at: pull.closed_at,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    labels: issue?.labels ?? [],
    assignees: (issue?.assignees ?? []).map((a) => state.user(a.login)),
    requested_reviewers: pull.requested_reviewers.map((l) => state.user(l)),
    requested_teams: [],
    head: { ref: pull.head.ref, sha: headSha, label: pull.head.label, repo: state.repoJson(repo) },
    base: {
      ref: pull.base.ref,
      sha: baseSha,
      label: `${repo.owner}:${pull.base.ref}`,
      repo: state.repoJson(repo),
    },
    html_url: state.htmlUrl(repo, `/pull/${pull.number}`),
    url: state.apiUrl(repo, `/pulls/${pull.number}`),
    issue_url: state.apiUrl(repo, `/issues/${pull.number}`),
    comments: issue?.comments ?? 0,
    review_comments: repo.reviewComments.filter((c) => c.pull === pull.number).length,
  };
}

export function registerPullRoutes(rc: RouteContext): void {
  const { router, state } = rc;
  const emitPull = (repo: Repo, pull: StandInPull, action: string, sender: string, extra = {}) =>
    state.emit(
      repo,
      'pull_request',
      { action, number: pull.number, pull_request: pullJson(rc, repo, pull), ...extra },
      sender,
    );

  // A moved head branch is a `synchronize` on its open pull requests.
  state.pushHooks.push((repo, ref, before, after, sender) => {
    if (!after) return;
    for (const pull of repo.pulls.values()) {
      if (pull.state !== 'open' || `refs/heads/${pull.head.ref}` !== ref) continue;
      pull.updated_at = isoNow();
      emitPull(repo, pull, 'synchronize', sender, { before, after });
    }
  });

  const headRef = (repo: Repo, head: string) => {
    const [owner, branch] = head.includes(':') ? head.split(':', 2) : [repo.owner, head];
    return { owner: owner ?? repo.owner, branch: branch ?? '' };
  };

  router.add(
    'POST /repos/:owner/:repo/pulls',
    inRepo(rc, ({ body, login }, repo) => {
      const f = fields(body);
      const title = str(f.title);
      const base = str(f.base) ?? '';
      const head = headRef(repo, str(f.head) ?? '');
      if (!title)
        return validationFailed([{ resource: 'PullRequest', field: 'title', code: 'missing_field' }]);
      const baseSha = repo.refs.get(`refs/heads/${base}`);
      const headSha = repo.refs.get(`refs/heads/${head.branch}`);
      if (!baseSha) return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
      if (!headSha || head.owner.toLowerCase() !== repo.owner.toLowerCase()) {
        return validationFailed([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      }
      const label = `${repo.owner}:${head.branch}`;
      const open = [...repo.pulls.values()].find(
        (p) => p.state === 'open' && p.head.ref === head.branch && p.base.ref === base,
      );
      if (open) {
        return validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` },
        ]);
      }
      if (repo.git.isAncestor(headSha, baseSha)) {
        return validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `No commits between ${base} and ${head.branch}`,
          },
        ]);
      }
      const issue = createIssue(rc, repo, { title, body: str(f.body) ?? null }, login);
      issue.pull_request = {
        url: state.apiUrl(repo, `/pulls/${issue.number}`),
        html_url: state.htmlUrl(repo, `/pull/${issue.number}`),
        merged_at: null,
      };
      issue.html_url = state.htmlUrl(repo, `/pull/${issue.number}`);
      const pull: StandInPull = {
        number: issue.number,
        id: state.nextId(),
        title,
        body: issue.body,
        state: 'open',
        draft: f.draft === true,
        merged: false,
        merged_at: null,
        merge_commit_sha: null,
        closed_at: null,
        created_at: issue.created_at,
        updated_at: issue.created_at,
        user: { login },
        head: { ref: head.branch, label, repoFull: repo.full },
        base: { ref: base },
        mergeable: null,
        requested_reviewers: [],
        merged_by: null,
      };
      repo.pulls.set(pull.number, pull);
      emitPull(repo, pull, 'opened', login);
      return ok(pullJson(rc, repo, pull), 201, { location: state.apiUrl(repo, `/pulls/${pull.number}`) });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls',
    inRepo(rc, ({ query }, repo) => {
      const wanted = query.get('state') ?? 'open';
      const head = query.get('head');
      const base = query.get('base');
      const direction = query.get('direction') ?? 'desc';
      const key = query.get('sort') === 'updated' ? 'updated_at' : 'created_at';
      const list = [...repo.pulls.values()]
        .filter((p) => wanted === 'all' || p.state === wanted)
        .filter(
          (p) =>
            !head ||
            p.head.label.toLowerCase() ===
              (head.includes(':') ? head : `${repo.owner}:${head}`).toLowerCase(),
        )
        .filter((p) => !base || p.base.ref === base)
        .sort(
          (a, b) =>
            (a[key] === b[key] ? a.number - b.number : a[key] < b[key] ? -1 : 1) *
            (direction === 'asc' ? 1 : -1),
        );
      return ok(paginate(list, query).map((p) => pullJson(rc, repo, p)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls/:number',
    inRepo(rc, ({ params }, repo) => {
      const pull = findPull(repo, params.number);
      return pull ? ok(pullJson(rc, repo, pull)) : notFound();
    }),
  );

  router.add(
    'PATCH /repos/:owner/:repo/pulls/:number',
    inRepo(rc, ({ params, body, login }, repo) => {
      const pull = findPull(repo, params.number);
      const issue = repo.issues.find((i) => i.number === pull?.number);
      if (!pull || !issue) return notFound();
      const f = fields(body);
      const actions: string[] = [];
      if (typeof f.title === 'string' || typeof f.body === 'string' || typeof f.base === 'string') {
        const base = str(f.base);
        if (base && !repo.refs.has(`refs/heads/${base}`)) {
          return validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        }
        pull.title = issue.title = str(f.title) ?? pull.title;
        pull.body = issue.body = str(f.body) ?? pull.body;
        pull.base.ref = base ?? pull.base.ref;
        actions.push('edited');
      }
      if ((f.state === 'closed' || f.state === 'open') && f.state !== pull.state && !pull.merged) {
        pull.state = issue.state = f.state;
        pull.closed_at = issue.closed_at = f.state === 'closed' ? isoNow() : null;
        actions.push(f.state === 'closed' ? 'closed' : 'reopened');
      }
      pull.updated_at = issue.updated_at = isoNow();
      for (const action of actions) emitPull(repo, pull, action, login);
      return ok(pullJson(rc, repo, pull));
    }),
  );

  const aheadCommits = (repo: Repo, pull: StandInPull): string[] => {
    const head = repo.refs.get(`refs/heads/${pull.head.ref}`);
    const base = repo.refs.get(`refs/heads/${pull.base.ref}`);
    if (!head || !base) return [];
    if (pull.merged && pull.merge_commit_sha) return [];
    const fromBase = new Set(repo.git.ancestors(base));
    return repo.git
      .ancestors(head)
      .filter((c) => !fromBase.has(c))
      .reverse();
  };

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/commits',
    inRepo(rc, ({ params, query }, repo) => {
      const pull = findPull(repo, params.number);
      if (!pull) return notFound();
      return ok(paginate(aheadCommits(repo, pull), query).map((sha) => repoCommitJson(state, repo, sha)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/pulls/:number/files',
    inRepo(rc, ({ params, query }, repo) => {
      const pull = findPull(repo, params.number);
      const head = pull && repo.refs.get(`refs/heads/${pull.head.ref}`);
      const base = pull && repo.refs.get(`refs/heads/${pull.base.ref}`);
      if (!head || !base) return notFound();
      const mb = repo.git.mergeBase(base, head);
      return ok(
        paginate(
          fileChanges(repo, mb ? repo.git.commit(mb)?.tree : undefined, repo.git.commit(head)!.tree),
          query,
        ),
      );
    }),
  );

  router.add(
    'PUT /repos/:owner/:repo/pulls/:number/merge',
    inRepo(rc, ({ params, body, login }, repo): Answer => {
      const pull = findPull(repo, params.number);
      const issue = repo.issues.find((i) => i.number === pull?.number);
      if (!pull || !issue) return notFound();
      const f = fields(body);
      if (pull.merged || pull.state !== 'open') return failure(405, 'Pull Request is not mergeable');
      if (pull.draft) return failure(405, 'Pull Request is still a draft');
      const head = repo.refs.get(`refs/heads/${pull.head.ref}`);
      const base = repo.refs.get(`refs/heads/${pull.base.ref}`);
      if (!head || !base) return failure(405, 'Pull Request is not mergeable');
      if (str(f.sha) && str(f.sha) !== head)
        return failure(409, 'Head branch was modified. Review and try the merge again.');
      const tree = pull.mergeable === false ? undefined : mergedTree(repo, pull);
      if (!tree) return failure(405, 'Pull Request is not mergeable');
      const method = str(f.merge_method) ?? 'merge';
      const title =
        str(f.commit_title) ??
        (method === 'merge'
          ? `Merge pull request #${pull.number} from ${pull.head.label.replace(':', '/')}`
          : `${pull.title} (#${pull.number})`);
      const message = str(f.commit_message) ?? (method === 'merge' ? pull.title : '');
      const who = state.signature(login);
      const sha = repo.git.putCommit({
        tree,
        parents: method === 'merge' ? [base, head] : [base],
        author: who,
        committer: { name: 'GitHub', email: 'noreply@github.com', date: who.date },
        message: message ? `${title}\n\n${message}` : title,
      });
      state.setRef(repo, `refs/heads/${pull.base.ref}`, sha, login);
      const now = isoNow();
      Object.assign(pull, {
        merged: true,
        merged_at: now,
        merge_commit_sha: sha,
        merged_by: login,
        state: 'closed',
        closed_at: now,
        updated_at: now,
      });
      Object.assign(issue, { state: 'closed', closed_at: now, updated_at: now, state_reason: 'completed' });
      if (issue.pull_request) issue.pull_request.merged_at = now;
      emitPull(repo, pull, 'closed', login);
      if (pull.base.ref === repo.defaultBranch) {
        for (const m of (pull.body ?? '').matchAll(CLOSING)) {
          const closes = repo.issues.find((i) => i.number === Number(m[1]) && !i.pull_request);
          if (!closes || closes.state === 'closed') continue;
          Object.assign(closes, {
            state: 'closed',
            closed_at: now,
            updated_at: now,
            state_reason: 'completed',
          });
          state.emit(repo, 'issues', { action: 'closed', issue: issueJson(rc, closes) }, login);
        }
      }
      return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
    }),
  );
}
