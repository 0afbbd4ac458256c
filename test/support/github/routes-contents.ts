import { inRepo, type RouteContext } from './context.js';
import { base64Lines, fileChanges, gitCommitJson, repoCommitJson, signatureOf } from './git-json.js';
import type { TreeEntry } from './git-objects.js';
import { type Answer, failure, fields, notFound, ok, paginate, str, validationFailed } from './http.js';
import type { Repo } from './state.js';

/**
 * The repos API over the object store:
 *
 *   GET    /repos/:o/:r/contents/*path   ?ref=  a file (base64) or a directory listing; 404
 *   PUT    /repos/:o/:r/contents/*path   {message, content (base64), sha?, branch?} → 201 create, 200 update;
 *                                        an existing file without sha → 422, a stale sha → 409
 *   DELETE /repos/:o/:r/contents/*path   {message, sha, branch?}
 *   GET    /repos/:o/:r/branches, GET /repos/:o/:r/branches/*branch
 *   GET    /repos/:o/:r/commits          ?sha= &path=   newest first
 *   GET    /repos/:o/:r/commits/:ref     with `files`
 *   GET    /repos/:o/:r/compare/*basehead   'main...feature': status, ahead_by, behind_by, commits, files
 */

export function registerContentRoutes(rc: RouteContext): void {
  const { router, state } = rc;

  const entryJson = (repo: Repo, e: TreeEntry, path: string, ref: string): Record<string, unknown> => {
    const type =
      e.mode === '40000'
        ? 'dir'
        : e.mode === '160000'
          ? 'submodule'
          : e.mode === '120000'
            ? 'symlink'
            : 'file';
    const url = `${state.apiUrl(repo, `/contents/${path}`)}?ref=${encodeURIComponent(ref)}`;
    const git = state.apiUrl(repo, `/git/${type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`);
    const html = state.htmlUrl(repo, `/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${path}`);
    return {
      type,
      name: path.split('/').pop() ?? path,
      path,
      sha: e.sha,
      size: type === 'dir' ? 0 : (repo.git.blob(e.sha)?.length ?? 0),
      url,
      git_url: git,
      html_url: html,
      download_url: type === 'file' ? `${state.baseUrl}/_standin/raw/${repo.full}/${ref}/${path}` : null,
      _links: { self: url, git, html },
    };
  };

  const getContents = inRepo(rc, ({ params, query }, repo) => {
    const ref = query.get('ref') ?? repo.defaultBranch;
    if (repo.refs.size === 0) return failure(404, 'This repository is empty.');
    const sha = state.resolve(repo, ref);
    if (!sha) return failure(404, `No commit found for the ref ${ref}`);
    const path = (params.path ?? '').replace(/^\/+|\/+$/g, '');
    const tree = repo.git.commit(sha)!.tree;
    const entry = repo.git.lookup(tree, path);
    if (!entry) return notFound();
    if (entry.mode === '40000') {
      return ok(
        (repo.git.tree(entry.sha) ?? []).map((e) =>
          entryJson(repo, e, path ? `${path}/${e.name}` : e.name, ref),
        ),
      );
    }
    const data = repo.git.blob(entry.sha) ?? Buffer.alloc(0);
    return ok({ ...entryJson(repo, entry, path, ref), encoding: 'base64', content: base64Lines(data) });
  });
  router.add('GET /repos/:owner/:repo/contents', getContents);
  router.add('GET /repos/:owner/:repo/contents/*path', getContents);

  const write = (deleting: boolean) =>
    inRepo(rc, ({ params, body, login }, repo): Answer => {
      const f = fields(body);
      const path = (params.path ?? '').replace(/^\/+|\/+$/g, '');
      const message = str(f.message);
      if (!message)
        return validationFailed([{ resource: 'Commit', field: 'message', code: 'missing_field' }]);
      const content = str(f.content);
      if (!deleting && content === undefined) {
        return failure(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
      }
      const branch = str(f.branch) ?? repo.defaultBranch;
      const head = repo.refs.get(`refs/heads/${branch}`);
      if (!head && (repo.refs.size > 0 || branch !== repo.defaultBranch)) {
        return failure(404, `Branch ${branch} not found`);
      }
      const existing = head ? repo.git.lookup(repo.git.commit(head)!.tree, path) : undefined;
      if (existing?.mode === '40000') return failure(422, `${path} is a directory`);
      const given = str(f.sha);
      if (deleting && !existing) return notFound();
      if (existing && given === undefined) return failure(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
      if (existing && given !== existing.sha) return failure(409, `${path} does not match ${given}`);
      const author = signatureOf(f.author) ?? state.signature(login);
      const committer = signatureOf(f.committer) ?? author;
      const data = deleting ? null : Buffer.from(content ?? '', 'base64');
      const sha = state.commitFiles(repo, branch, { [path]: data }, message, author, committer);
      const commit = gitCommitJson(state, repo, sha);
      if (deleting) return ok({ content: null, commit });
      const entry = repo.git.lookup(repo.git.commit(sha)!.tree, path)!;
      return ok({ content: entryJson(repo, entry, path, branch), commit }, existing ? 200 : 201);
    });
  router.add('PUT /repos/:owner/:repo/contents/*path', write(false));
  router.add('DELETE /repos/:owner/:repo/contents/*path', write(true));

  router.add('GET /_standin/raw/:owner/:repo/*rest', ({ params }) => {
    const repo = state.repo(params);
    const rest = params.rest ?? '';
    if (!repo) return notFound();
    for (const [ref] of repo.refs) {
      const name = ref.replace(/^refs\/(heads|tags)\//, '');
      if (!rest.startsWith(`${name}/`)) continue;
      const entry = repo.git.lookup(repo.git.commit(repo.refs.get(ref)!)!.tree, rest.slice(name.length + 1));
      const data = entry ? repo.git.blob(entry.sha) : undefined;
      if (data) return { status: 200, text: data.toString('utf8') };
    }
    return notFound();
  });

  const branchJson = (repo: Repo, name: string, sha: string) => ({
    name,
    commit: { sha, url: state.apiUrl(repo, `/commits/${sha}`) },
    protected: false,
  });

  router.add(
    'GET /repos/:owner/:repo/branches',
    inRepo(rc, ({ query }, repo) => {
      const branches = [...repo.refs]
        .filter(([ref]) => ref.startsWith('refs/heads/'))
        .map(([ref, sha]) => branchJson(repo, ref.slice(11), sha))
        .sort((a, b) => a.name.localeCompare(b.name));
      return ok(paginate(branches, query));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/branches/*branch',
    inRepo(rc, ({ params }, repo) => {
      const name = params.branch ?? '';
      const sha = repo.refs.get(`refs/heads/${name}`);
      if (!sha) return failure(404, 'Branch not found');
      return ok({
        ...branchJson(repo, name, sha),
        commit: repoCommitJson(state, repo, sha),
        _links: { self: state.apiUrl(repo, `/branches/${name}`), html: state.htmlUrl(repo, `/tree/${name}`) },
        protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [] } },
      });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits',
    inRepo(rc, ({ query }, repo) => {
      if (repo.refs.size === 0) return failure(409, 'Git Repository is empty.');
      const start = state.resolve(repo, query.get('sha') ?? repo.defaultBranch);
      if (!start) return failure(404, `No commit found for SHA: ${query.get('sha')}`);
      const path = query.get('path');
      const touches = (sha: string) => {
        if (!path) return true;
        const c = repo.git.commit(sha)!;
        const at = (tree: string | undefined) => (tree ? repo.git.lookup(tree, path)?.sha : undefined);
        const parentTree = c.parents[0] ? repo.git.commit(c.parents[0])?.tree : undefined;
        return at(c.tree) !== at(parentTree);
      };
      const shas = repo.git.ancestors(start).filter(touches);
      return ok(paginate(shas, query).map((sha) => repoCommitJson(state, repo, sha)));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/commits/:ref',
    inRepo(rc, ({ params }, repo) => {
      const sha = state.resolve(repo, params.ref ?? '');
      if (!sha) return failure(422, `No commit found for SHA: ${params.ref}`);
      return ok(repoCommitJson(state, repo, sha, true));
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/compare/*basehead',
    inRepo(rc, ({ params }, repo) => {
      const [baseName = '', headName = ''] = (params.basehead ?? '').split('...');
      const strip = (n: string) => (n.includes(':') ? n.slice(n.indexOf(':') + 1) : n);
      const base = state.resolve(repo, strip(baseName));
      const head = state.resolve(repo, strip(headName));
      if (!base || !head) return notFound();
      const fromBase = new Set(repo.git.ancestors(base));
      const fromHead = new Set(repo.git.ancestors(head));
      const ahead = repo.git.ancestors(head).filter((c) => !fromBase.has(c));
      const behind = repo.git.ancestors(base).filter((c) => !fromHead.has(c));
      const status =
        base === head
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const mergeBase = repo.git.mergeBase(base, head);
      const mergeBaseTree = mergeBase ? repo.git.commit(mergeBase)?.tree : undefined;
      return ok({
        url: state.apiUrl(repo, `/compare/${params.basehead}`),
        html_url: state.htmlUrl(repo, `/compare/${params.basehead}`),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        base_commit: repoCommitJson(state, repo, base),
        merge_base_commit: mergeBase ? repoCommitJson(state, repo, mergeBase) : null,
        commits: ahead.reverse().map((sha) => repoCommitJson(state, repo, sha)),
        files: fileChanges(repo, mergeBaseTree, repo.git.commit(head)!.tree),
      });
    }),
  );
}
