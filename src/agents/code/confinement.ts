import { posix } from 'node:path';

/**
 * What the code agent may touch, checked in code and never left to the prompt. Every path the
 * model names goes through `confinePath`; every write through `checkWrite`. A refusal carries a
 * sentence for the model (it is sent back as the tool's error), so it can choose another way.
 */

/** Largest file the agent reads or writes, as GitHub's blob API comfortably serves it. */
export const MAX_FILE_BYTES = 1024 * 1024;

export class ConfinementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfinementError';
  }
}

/**
 * A repository-relative path, normalised ("a/./b/../c" → "a/c"), or a ConfinementError. Refused:
 * absolute paths (guessing what "/src/x.ts" meant would be guesswork), anything that climbs out
 * with "..", a ".git" segment, a NUL or a backslash (it would name another file on GitHub).
 */
export function confinePath(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ConfinementError('A path is required (relative to the repository root, e.g. "src/index.ts").');
  }
  const raw = input.trim();
  if (raw.includes('\0') || raw.includes('\\')) {
    throw new ConfinementError(
      `Refused "${printable(raw)}": paths use forward slashes and no control characters.`,
    );
  }
  if (raw.startsWith('/') || /^[a-z]:/i.test(raw) || raw.startsWith('~')) {
    throw new ConfinementError(
      `Refused "${printable(raw)}": absolute paths are not allowed; use a path relative to the repository root.`,
    );
  }
  const normal = posix.normalize(raw).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw new ConfinementError(`Refused "${printable(raw)}": the path leaves the repository.`);
  }
  if (normal.split('/').some((segment) => segment === '.git')) {
    throw new ConfinementError(
      `Refused "${printable(raw)}": the .git folder is not part of the working tree.`,
    );
  }
  return normal === '.' ? '' : normal;
}

/** A glob ("**" any depth, "*" within a segment, "?" one character) as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // "**/" matches zero or more whole segments; a trailing "**" matches everything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function matchesAny(path: string, globs: readonly string[]): string | null {
  for (const glob of globs) if (globToRegExp(glob).test(path)) return glob;
  return null;
}

export interface WritePolicy {
  protectedPaths: readonly string[];
  maxFilesChanged: number;
}

/**
 * Refuses a write the policy forbids. `alreadyChanged` are the paths changed so far: changing one
 * of them again never counts twice against `maxFilesChanged`.
 */
export function checkWrite(
  path: string,
  content: string,
  policy: WritePolicy,
  alreadyChanged: ReadonlySet<string>,
): void {
  const glob = matchesAny(path, policy.protectedPaths);
  if (glob) {
    throw new ConfinementError(
      `Refused to write "${path}": it is a protected path (${glob}). The bot may not change it, because it controls what runs with the repository's secrets (CI workflows and similar). Leave it unchanged and mention the needed change in your summary instead.`,
    );
  }
  if (isBinary(content)) {
    throw new ConfinementError(`Refused to write "${path}": binary content (NUL bytes) is not allowed.`);
  }
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > MAX_FILE_BYTES) {
    throw new ConfinementError(
      `Refused to write "${path}": ${bytes} bytes is over the ${MAX_FILE_BYTES}-byte limit per file.`,
    );
  }
  if (!alreadyChanged.has(path) && alreadyChanged.size >= policy.maxFilesChanged) {
    throw new ConfinementError(
      `Refused to write "${path}": at most ${policy.maxFilesChanged} files may be changed in one task, and ${alreadyChanged.size} already are. Keep the change smaller.`,
    );
  }
}

/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
export function isBinary(content: string | Buffer): boolean {
  const head = typeof content === 'string' ? content.slice(0, 8000) : content.subarray(0, 8000);
  return typeof head === 'string' ? head.includes('\0') : head.includes(0);
}

function printable(text: string): string {
  return [...text]
    .map((c) => (c.charCodeAt(0) < 32 ? '?' : c))
    .join('')
    .slice(0, 200);
}
