import { createHash } from 'node:crypto';

/**
 * An in-memory git object database with git's own encodings, so every SHA the stand-in hands
 * out is the SHA `git` would compute for the same content (the tests check this against the
 * real `git` CLI). Objects: blobs, trees and commits (annotated tags are not needed).
 *
 *   blob    sha1("blob <len>\0" + bytes)
 *   tree    sha1("tree <len>\0" + for each entry sorted git's way: "<mode> <name>\0" + 20-byte sha)
 *   commit  sha1("commit <len>\0" + "tree …\nparent …\nauthor N <e> <unix> <tz>\ncommitter …\n\n" + message)
 */

export type ObjectType = 'blob' | 'tree' | 'commit';

/** Git's modes as written in tree objects ('40000' for a tree, without GitHub's leading 0). */
export type GitMode = '100644' | '100755' | '40000' | '160000' | '120000';

export interface TreeEntry {
  mode: GitMode;
  name: string;
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  /** ISO 8601, with its own offset kept (it is part of the commit's bytes). */
  date: string;
}

export interface CommitData {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export type StoredObject =
  | { type: 'blob'; sha: string; data: Buffer }
  | { type: 'tree'; sha: string; entries: TreeEntry[] }
  | { type: 'commit'; sha: string; commit: CommitData };

/** A file (or submodule / symlink) at a full path, as a flattened tree holds it. */
export interface FlatEntry {
  mode: GitMode;
  sha: string;
}

export function hashObject(type: ObjectType, body: Buffer): string {
  const header = Buffer.from(`${type} ${body.length}\0`);
  return createHash('sha1').update(header).update(body).digest('hex');
}

/** Git orders tree entries by name bytes, comparing a tree's name as if it ended in '/'. */
function sortKey(entry: TreeEntry): Buffer {
  return Buffer.from(entry.mode === '40000' ? `${entry.name}/` : entry.name);
}

export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
  return Buffer.concat(
    sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
  );
}

/** "2024-01-02T03:04:05+02:00" → "1704157445 +0200" (git's raw date). */
export function gitDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${iso}`);
  const offset = /([+-])(\d\d):?(\d\d)$/.exec(iso);
  const tz = offset ? `${offset[1]}${offset[2]}${offset[3]}` : '+0000';
  return `${Math.floor(ms / 1000)} ${tz}`;
}

export function encodeCommit(c: CommitData): Buffer {
  const sig = (s: Signature) => `${s.name} <${s.email}> ${gitDate(s.date)}`;
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${sig(c.author)}`, `committer ${sig(c.committer)}`);
  return Buffer.from(`${lines.join('\n')}\n\n${c.message}`);
}

export class GitStore {
  private readonly objects = new Map<string, StoredObject>();

  putBlob(data: Buffer): string {
    const sha = hashObject('blob', data);
    this.objects.set(sha, { type: 'blob', sha, data });
    return sha;
  }

  putTree(entries: TreeEntry[]): string {
    const sha = hashObject('tree', encodeTree(entries));
    const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
    this.objects.set(sha, { type: 'tree', sha, entries: sorted });
    return sha;
  }

  putCommit(commit: CommitData): string {
    const sha = hashObject('commit', encodeCommit(commit));
    this.objects.set(sha, { type: 'commit', sha, commit });
    return sha;
  }

  get(sha: string): StoredObject | undefined {
    return this.objects.get(sha.toLowerCase());
  }

  blob(sha: string): Buffer | undefined {
    const o = this.get(sha);
    return o?.type === 'blob' ? o.data : undefined;
  }

  tree(sha: string): TreeEntry[] | undefined {
    const o = this.get(sha);
    return o?.type === 'tree' ? o.entries : undefined;
  }

  commit(sha: string): CommitData | undefined {
    const o = this.get(sha);
    return o?.type === 'commit' ? o.commit : undefined;
  }

  /** The one commit whose SHA starts with `prefix`, if exactly one does. */
  commitByPrefix(prefix: string): string | undefined {
    const found = [...this.objects.values()].filter((o) => o.type === 'commit' && o.sha.startsWith(prefix));
    return found.length === 1 ? found[0]?.sha : undefined;
  }

  /** Every non-tree entry under a tree, by full path. */
  flatten(treeSha: string, prefix = '', out = new Map<string, FlatEntry>()): Map<string, FlatEntry> {
    for (const e of this.tree(treeSha) ?? []) {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.mode === '40000') this.flatten(e.sha, path, out);
      else out.set(path, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  /** Writes the trees for a flattened file map (empty directories vanish, as in git). */
  writeFlat(files: Map<string, FlatEntry>): string {
    const here: TreeEntry[] = [];
    const dirs = new Map<string, Map<string, FlatEntry>>();
    for (const [path, entry] of files) {
      const slash = path.indexOf('/');
      if (slash < 0) {
        here.push({ mode: entry.mode, name: path, sha: entry.sha });
        continue;
      }
      const dir = path.slice(0, slash);
      const sub = dirs.get(dir) ?? new Map<string, FlatEntry>();
      sub.set(path.slice(slash + 1), entry);
      dirs.set(dir, sub);
    }
    for (const [name, sub] of dirs) here.push({ mode: '40000', name, sha: this.writeFlat(sub) });
    return this.putTree(here);
  }

  /** The tree entry at `path` (a file or a directory), or undefined; '' is the root. */
  lookup(treeSha: string, path: string): TreeEntry | undefined {
    const parts = path.split('/').filter(Boolean);
    let current: TreeEntry = { mode: '40000', name: '', sha: treeSha };
    for (const part of parts) {
      if (current.mode !== '40000') return undefined;
      const next = this.tree(current.sha)?.find((e) => e.name === part);
      if (!next) return undefined;
      current = next;
    }
    return current;
  }

  /** Commits reachable from `sha` (itself included), newest first by walk order. */
  ancestors(sha: string): string[] {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commit(next)?.parents ?? []));
    }
    return [...seen];
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).includes(ancestor);
  }

  /** The first common ancestor found walking back from `b` (enough for the stand-in's histories). */
  mergeBase(a: string, b: string): string | undefined {
    const fromA = new Set(this.ancestors(a));
    return this.ancestors(b).find((c) => fromA.has(c));
  }
}

/** Three-way merge of flattened trees, path by path; undefined when a path changed on both sides. */
export function mergeFlat(
  base: Map<string, FlatEntry>,
  ours: Map<string, FlatEntry>,
  theirs: Map<string, FlatEntry>,
): Map<string, FlatEntry> | undefined {
  const out = new Map<string, FlatEntry>();
  const same = (x?: FlatEntry, y?: FlatEntry) => x?.sha === y?.sha && x?.mode === y?.mode;
  for (const path of new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])) {
    const b = base.get(path);
    const o = ours.get(path);
    const t = theirs.get(path);
    let pick: FlatEntry | undefined;
    if (same(o, t)) pick = o;
    else if (same(b, o)) pick = t;
    else if (same(b, t)) pick = o;
    else return undefined;
    if (pick) out.set(path, pick);
  }
  return out;
}
