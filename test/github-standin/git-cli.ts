import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway repository driven by the real `git` CLI, to check the stand-in's SHAs against. */
export class GitCli {
  readonly dir = mkdtempSync(join(tmpdir(), 'standin-git-'));

  constructor() {
    this.git(['init', '-q']);
  }

  git(args: string[], input?: string, env: Record<string, string> = {}): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      input,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir, ...env },
      encoding: 'utf8',
    }).trim();
  }

  hashBlob(content: string): string {
    return this.git(['hash-object', '--stdin'], content);
  }

  /** Writes files (null removes), stages everything, and returns `git write-tree`. */
  writeTree(files: Record<string, string | null>, executable: string[] = []): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) {
        rmSync(full, { force: true });
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      if (executable.includes(path)) chmodSync(full, 0o755);
    }
    this.git(['add', '-A']);
    for (const path of executable) this.git(['update-index', '--chmod=+x', path]);
    return this.git(['write-tree']);
  }

  /** `git commit-tree` with fixed identities and dates; the message goes in verbatim. */
  commitTree(
    tree: string,
    parents: string[],
    message: string,
    who: { name: string; email: string; date: string },
  ): string {
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    return this.git(args, message, {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_AUTHOR_DATE: who.date,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_COMMITTER_DATE: who.date,
    });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
