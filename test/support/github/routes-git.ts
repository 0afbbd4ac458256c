import { inRepo, type RouteContext } from './context.js';
import { base64Lines, entryType, gitCommitJson, refJson, signatureOf, treeEntryJson } from './git-json.js';
import type { FlatEntry, GitMode } from './git-objects.js';
import { type Answer, failure, fields, noContent, notFound, ok, str, validationFailed } from './http.js';
import type { Repo } from './state.js';

/**
 * The Git Data API over the real object store:
 *
 *   POST  /repos/:o/:r/git/blobs              {content, encoding utf-8|base64} → 201 {sha}
 *   GET   /repos/:o/:r/git/blobs/:sha         base64 content
 *   POST  /repos/:o/:r/git/trees              {base_tree?, tree: [{path, mode, type, sha|content|sha:null}]}
 *   GET   /repos/:o/:r/git/trees/:sha         a tree, commit or branch; ?recursive=1 for the whole tree
 *   POST  /repos/:o/:r/git/commits            {message, tree, parents, author?, committer?}
 *   GET   /repos/:o/:r/git/commits/:sha
 *   GET   /repos/:o/:r/git/ref/*ref           one ref ('heads/main'); 404; 409 on an empty repo
 *   GET   /repos/:o/:r/git/matching-refs/*ref refs starting with it
 *   POST  /repos/:o/:r/git/refs               {ref: 'refs/heads/x', sha}; 422 when it exists
 *   PATCH /repos/:o/:r/git/refs/*ref          {sha, force}; 422 "Update is not a fast forward"
 *   DELETE /repos/:o/:r/git/refs/*ref         204; 422 when missing
 * Errors as GitHub words them (422 with a message, no `errors` array).
 */

const MODES: GitMode[] = ['100644', '100755', '40000', '160000', '120000'];

const unprocessable = (message: string): Answer => failure(422, message);

export function registerGitRoutes(rc: RouteContext): void {
  const { router, state } = rc;

  router.add(
    'POST /repos/:owner/:repo/git/blobs',
    inRepo(rc, ({ body }, repo) => {
      const f = fields(body);
      const content = str(f.content);
      if (content === undefined)
        return validationFailed([{ resource: 'Blob', field: 'content', code: 'missing_field' }]);
      const encoding = str(f.encoding) ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
        return unprocessable(`encoding must be "utf-8" or "base64"`);
      }
      const sha = repo.git.putBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      return ok({ sha, url: state.apiUrl(repo, `/git/blobs/${sha}`) }, 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/git/blobs/:sha',
    inRepo(rc, ({ params }, repo) => {
      const sha = (params.sha ?? '').toLowerCase();
      const data = repo.git.blob(sha);
      if (!data) return notFound();
      return ok({
        sha,
        node_id: `B_${sha.slice(0, 12)}`,
        size: data.length,
        url: state.apiUrl(repo, `/git/blobs/${sha}`),
        content: base64Lines(data),
        encoding: 'base64',
      });
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/git/trees',
    inRepo(rc, ({ body }, repo) => {
      const f = fields(body);
      if (!Array.isArray(f.tree))
        return validationFailed([{ resource: 'Tree', field: 'tree', code: 'missing_field' }]);
      let flat = new Map<string, FlatEntry>();
      const baseTree = str(f.base_tree);
      if (baseTree) {
        const treeSha = treeOf(repo, baseTree);
        if (!treeSha) return unprocessable('Invalid tree info');
        flat = repo.git.flatten(treeSha);
      }
      for (const raw of f.tree) {
        const e = fields(raw);
        const path = (str(e.path) ?? '').replace(/^\/+|\/+$/g, '');
        const mode = (str(e.mode) === '040000' ? '40000' : str(e.mode)) as GitMode;
        if (!path || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
          return unprocessable(`tree.path contains a malformed path component`);
        }
        if (!MODES.includes(mode)) return unprocessable(`Must supply a valid tree.mode`);
        const under = (p: string) => p === path || p.startsWith(`${path}/`);
        if (e.sha === null) {
          for (const p of [...flat.keys()]) if (under(p)) flat.delete(p);
          continue;
        }
        const content = str(e.content);
        let sha = str(e.sha)?.toLowerCase();
        if (content !== undefined) sha = repo.git.putBlob(Buffer.from(content));
        if (!sha) return unprocessable('Must supply tree.sha or tree.content');
        const type = entryType(mode);
        if (type === 'tree') {
          if (!repo.git.tree(sha)) return unprocessable(`tree.sha ${sha} is not a valid tree`);
          for (const p of [...flat.keys()]) if (under(p)) flat.delete(p);
          for (const [sub, entry] of repo.git.flatten(sha)) flat.set(`${path}/${sub}`, entry);
          continue;
        }
        if (type === 'blob' && !repo.git.blob(sha))
          return unprocessable(`tree.sha ${sha} is not a valid blob`);
        // A file replaces a directory of the same name (and the other way round), as in git.
        for (const p of [...flat.keys()]) if (p.startsWith(`${path}/`)) flat.delete(p);
        for (const prefix of ancestorsOf(path)) flat.delete(prefix);
        flat.set(path, { mode, sha });
      }
      const sha = repo.git.writeFlat(flat);
      return ok(treeJson(rc, repo, sha, false), 201);
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/git/trees/:sha',
    inRepo(rc, ({ params, query }, repo) => {
      const sha = treeOf(repo, params.sha ?? '');
      return sha ? ok(treeJson(rc, repo, sha, query.has('recursive'))) : notFound();
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/git/commits',
    inRepo(rc, ({ body, login }, repo) => {
      const f = fields(body);
      const message = str(f.message);
      if (message === undefined)
        return validationFailed([{ resource: 'Commit', field: 'message', code: 'missing_field' }]);
      const tree = str(f.tree)?.toLowerCase() ?? '';
      if (!repo.git.tree(tree)) return unprocessable('Tree SHA does not exist');
      const parents = Array.isArray(f.parents) ? f.parents.map((p) => String(p).toLowerCase()) : [];
      if (parents.some((p) => !repo.git.commit(p))) {
        return unprocessable('Parent SHA does not exist or is not a commit object');
      }
      const author = signatureOf(f.author) ?? state.signature(login);
      const committer = signatureOf(f.committer) ?? author;
      const sha = repo.git.putCommit({ tree, parents, author, committer, message });
      return ok(gitCommitJson(state, repo, sha), 201, {
        location: state.apiUrl(repo, `/git/commits/${sha}`),
      });
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/git/commits/:sha',
    inRepo(rc, ({ params }, repo) => {
      const sha = (params.sha ?? '').toLowerCase();
      return repo.git.commit(sha) ? ok(gitCommitJson(state, repo, sha)) : notFound();
    }),
  );

  const emptyRepo = (repo: Repo) => repo.refs.size === 0;

  router.add(
    'GET /repos/:owner/:repo/git/ref/*ref',
    inRepo(rc, ({ params }, repo) => {
      if (emptyRepo(repo)) return failure(409, 'Git Repository is empty.');
      const ref = `refs/${params.ref}`;
      const sha = repo.refs.get(ref);
      return sha ? ok(refJson(state, repo, ref, sha)) : notFound();
    }),
  );

  router.add(
    'GET /repos/:owner/:repo/git/matching-refs/*ref',
    inRepo(rc, ({ params }, repo) => {
      if (emptyRepo(repo)) return failure(409, 'Git Repository is empty.');
      const prefix = `refs/${params.ref}`;
      const refs = [...repo.refs]
        .filter(([ref]) => ref.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b));
      return ok(refs.map(([ref, sha]) => refJson(state, repo, ref, sha)));
    }),
  );

  router.add(
    'POST /repos/:owner/:repo/git/refs',
    inRepo(rc, ({ body, login }, repo) => {
      const f = fields(body);
      const ref = str(f.ref) ?? '';
      const sha = str(f.sha)?.toLowerCase() ?? '';
      if (!/^refs\/[^/]+\/.+/.test(ref)) {
        return unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
      }
      if (!/^refs\/[\w./-]+$/.test(ref) || ref.includes('..') || ref.endsWith('.lock') || ref.endsWith('/')) {
        return unprocessable(`${ref} is not a valid ref name.`);
      }
      if (repo.refs.has(ref)) return unprocessable('Reference already exists');
      if (!repo.git.commit(sha)) return unprocessable('Object does not exist');
      state.setRef(repo, ref, sha, login);
      return ok(refJson(state, repo, ref, sha), 201, { location: state.apiUrl(repo, `/git/${ref}`) });
    }),
  );

  router.add(
    'PATCH /repos/:owner/:repo/git/refs/*ref',
    inRepo(rc, ({ params, body, login }, repo) => {
      const ref = `refs/${params.ref}`;
      const f = fields(body);
      const sha = str(f.sha)?.toLowerCase() ?? '';
      const current = repo.refs.get(ref);
      if (!current) return unprocessable('Reference does not exist');
      if (!repo.git.commit(sha)) return unprocessable('Object does not exist');
      if (f.force !== true && !repo.git.isAncestor(current, sha)) {
        return unprocessable('Update is not a fast forward');
      }
      state.setRef(repo, ref, sha, login);
      return ok(refJson(state, repo, ref, sha));
    }),
  );

  router.add(
    'DELETE /repos/:owner/:repo/git/refs/*ref',
    inRepo(rc, ({ params, login }, repo) => {
      const ref = `refs/${params.ref}`;
      if (!repo.refs.has(ref)) return unprocessable('Reference does not exist');
      state.setRef(repo, ref, null, login);
      return noContent();
    }),
  );
}

/** A tree, a commit's tree, or a branch or tag's tree. */
export function treeOf(repo: Repo, treeish: string): string | undefined {
  const lower = treeish.toLowerCase();
  if (repo.git.tree(lower)) return lower;
  const commit = repo.git.commit(lower) ?? repo.git.commit(resolveName(repo, treeish) ?? '');
  return commit?.tree;
}

function resolveName(repo: Repo, name: string): string | undefined {
  return (
    repo.refs.get(`refs/heads/${name}`) ?? repo.refs.get(`refs/tags/${name}`) ?? repo.refs.get(`refs/${name}`)
  );
}

function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_p, i) => parts.slice(0, i + 1).join('/'));
}

function treeJson(rc: RouteContext, repo: Repo, sha: string, recursive: boolean): Record<string, unknown> {
  const entries: unknown[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const e of repo.git.tree(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      entries.push(treeEntryJson(rc.state, repo, e, path));
      if (recursive && e.mode === '40000') walk(e.sha, path);
    }
  };
  walk(sha, '');
  return { sha, url: rc.state.apiUrl(repo, `/git/trees/${sha}`), tree: entries, truncated: false };
}
