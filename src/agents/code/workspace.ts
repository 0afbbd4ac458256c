import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { AgentError } from '../types.js';
import { isBinary, MAX_FILE_BYTES } from './confinement.js';

/**
 * An in-memory copy of a repository at one commit, read through the Git Data API: the tree once
 * (recursive), blobs only when the agent opens them, each fetched once. Edits stay in memory
 * until the publisher commits them; nothing of the repository ever touches the bot's disk.
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

interface Entry {
  sha: string;
  mode: string;
  size: number;
}

const RefSchema = z.object({ object: z.object({ sha: z.string() }) });
const CommitSchema = z.object({ sha: z.string(), tree: z.object({ sha: z.string() }) });
const TreeSchema = z.object({
  truncated: z.boolean().optional(),
  tree: z.array(
    z.object({
      path: z.string(),
      mode: z.string(),
      type: z.string(),
      sha: z.string().nullable(),
      size: z.number().optional(),
    }),
  ),
});
const BlobSchema = z.object({ content: z.string(), encoding: z.string() });
const RepoSchema = z.object({ default_branch: z.string() });

export class RepoWorkspace {
  private readonly blobs = new Map<string, string>();
  /** path → new text; only files the agent wrote. */
  private readonly edits = new Map<string, string>();

  private constructor(
    private readonly github: Octokit,
    readonly ref: RepoRef,
    readonly baseBranch: string,
    /** The commit the copy was taken at (the parent of the first commit we make). */
    readonly baseSha: string,
    readonly baseTreeSha: string,
    private readonly entries: Map<string, Entry>,
    private readonly signal: AbortSignal,
  ) {}

  /** The base branch's head; `branch` null means the repository's default branch. */
  static async open(
    github: Octokit,
    ref: RepoRef,
    branch: string | null,
    signal: AbortSignal,
  ): Promise<RepoWorkspace> {
    const request = { signal };
    const baseBranch =
      branch ?? RepoSchema.parse((await github.rest.repos.get({ ...ref, request })).data).default_branch;
    const head = RefSchema.parse(
      (await github.rest.git.getRef({ ...ref, ref: `heads/${baseBranch}`, request })).data,
    ).object.sha;
    const commit = CommitSchema.parse(
      (await github.rest.git.getCommit({ ...ref, commit_sha: head, request })).data,
    );
    const tree = TreeSchema.parse(
      (await github.rest.git.getTree({ ...ref, tree_sha: commit.tree.sha, recursive: 'true', request })).data,
    );
    if (tree.truncated) {
      throw new AgentError(
        `The repository ${ref.owner}/${ref.repo} is too large to read in one tree listing.`,
        'permanent',
      );
    }
    const entries = new Map<string, Entry>();
    for (const e of tree.tree) {
      // Submodules (commit) and folders (tree) are not files; symlinks are left alone.
      if (e.type !== 'blob' || !e.sha || e.mode === '120000') continue;
      entries.set(e.path, { sha: e.sha, mode: e.mode, size: e.size ?? 0 });
    }
    return new RepoWorkspace(github, ref, baseBranch, head, commit.tree.sha, entries, signal);
  }

  /** Every file path, edits included, sorted. */
  paths(): string[] {
    const all = new Set([...this.entries.keys(), ...this.edits.keys()]);
    return [...all].sort();
  }

  isFile(path: string): boolean {
    return this.edits.has(path) || this.entries.has(path);
  }

  isDirectory(path: string): boolean {
    if (path === '') return true;
    const prefix = `${path}/`;
    return this.paths().some((p) => p.startsWith(prefix));
  }

  /** The file's text; null when it does not exist. Throws for binaries and oversized files. */
  async read(path: string): Promise<string | null> {
    const edited = this.edits.get(path);
    if (edited !== undefined) return edited;
    const entry = this.entries.get(path);
    if (!entry) return null;
    if (entry.size > MAX_FILE_BYTES) throw new UnreadableFile(`"${path}" is over 1 MB; it cannot be opened.`);
    const cached = this.blobs.get(entry.sha);
    if (cached !== undefined) return cached;
    const blob = BlobSchema.parse(
      (
        await this.github.rest.git.getBlob({
          ...this.ref,
          file_sha: entry.sha,
          request: { signal: this.signal },
        })
      ).data,
    );
    const bytes = Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8');
    if (isBinary(bytes)) throw new UnreadableFile(`"${path}" is a binary file; it cannot be opened as text.`);
    const text = bytes.toString('utf8');
    this.blobs.set(entry.sha, text);
    return text;
  }

  /** Text of a file if present and readable, else null (instruction files, optional reads). */
  async readOptional(path: string): Promise<string | null> {
    try {
      return await this.read(path);
    } catch (err) {
      if (err instanceof UnreadableFile) return null;
      throw err;
    }
  }

  write(path: string, text: string): void {
    this.edits.set(path, text);
  }

  /** Paths whose content differs from the base commit (a file edited back to its original is not a change). */
  async changes(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [path, text] of [...this.edits].sort(([a], [b]) => a.localeCompare(b))) {
      const entry = this.entries.get(path);
      if (entry && (await this.readOriginal(path)) === text) continue;
      out.set(path, text);
    }
    return out;
  }

  /** Paths written so far (for the changed-files limit, before the no-op check). */
  editedPaths(): ReadonlySet<string> {
    return new Set(this.edits.keys());
  }

  /** Mode of an existing file (kept on commit, so an executable stays executable). */
  modeOf(path: string): string {
    return this.entries.get(path)?.mode ?? '100644';
  }

  private async readOriginal(path: string): Promise<string | null> {
    const entry = this.entries.get(path);
    if (!entry) return null;
    const cached = this.blobs.get(entry.sha);
    if (cached !== undefined) return cached;
    const edited = this.edits.get(path);
    this.edits.delete(path);
    try {
      return await this.readOptional(path);
    } finally {
      if (edited !== undefined) this.edits.set(path, edited);
    }
  }
}

/** A file the agent may not open (binary, too large): told to the model, not a failure of the run. */
export class UnreadableFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableFile';
  }
}
