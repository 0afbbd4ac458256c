import { z } from 'zod';
import { ConfinementError, checkWrite, confinePath, type WritePolicy } from './confinement.js';
import { type RepoWorkspace, UnreadableFile } from './workspace.js';

/**
 * Anthropic's text editor tool (`text_editor_20250728`, named `str_replace_based_edit_tool`),
 * run against the in-memory workspace: view (files with line numbers, folders as a listing),
 * create, str_replace (the old text must match exactly once) and insert (after a line, 0 = top).
 * Every problem becomes a ToolFailure whose message goes back to the model as an error result.
 */

export const TEXT_EDITOR_TOOL = {
  type: 'text_editor_20250728',
  name: 'str_replace_based_edit_tool',
} as const;

export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolFailure';
  }
}

const Input = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('view'),
    path: z.string(),
    view_range: z.array(z.number().int()).length(2).optional(),
  }),
  z.object({ command: z.literal('create'), path: z.string(), file_text: z.string() }),
  z.object({
    command: z.literal('str_replace'),
    path: z.string(),
    old_str: z.string(),
    new_str: z.string().default(''),
  }),
  z.object({
    command: z.literal('insert'),
    path: z.string(),
    insert_line: z.number().int().min(0),
    // Older editor versions call it new_str; accept both.
    insert_text: z.string().optional(),
    new_str: z.string().optional(),
  }),
]);

/** Folder listings stop at this many entries (the model can list a subfolder). */
const MAX_LISTING = 300;

export interface EditResult {
  text: string;
  /** Set when the call changed a file. */
  changed?: string;
}

export async function runTextEditor(
  workspace: RepoWorkspace,
  policy: WritePolicy,
  rawInput: unknown,
): Promise<EditResult> {
  const parsed = Input.safeParse(rawInput);
  if (!parsed.success) {
    throw new ToolFailure(
      `Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'command'} ${i.message}`).join('; ')}`,
    );
  }
  const input = parsed.data;
  try {
    const path = confinePath(input.path);
    switch (input.command) {
      case 'view':
        return { text: await view(workspace, path, input.view_range) };
      case 'create': {
        checkWrite(path, input.file_text, policy, workspace.editedPaths());
        const existed = workspace.isFile(path);
        workspace.write(path, input.file_text);
        return { text: `${existed ? 'Overwrote' : 'Created'} ${path}.`, changed: path };
      }
      case 'str_replace': {
        const text = await existing(workspace, path);
        if (input.old_str === '') throw new ToolFailure('old_str must not be empty.');
        const count = occurrences(text, input.old_str);
        if (count === 0) {
          throw new ToolFailure(
            `No match for old_str in ${path}. It must match the file exactly, whitespace and indentation included; view the file and try again.`,
          );
        }
        if (count > 1) {
          const lines = matchLines(text, input.old_str);
          throw new ToolFailure(
            `old_str matches ${count} times in ${path} (lines ${lines.join(', ')}); include more surrounding lines so it matches exactly once.`,
          );
        }
        const next = text.replace(input.old_str, () => input.new_str);
        checkWrite(path, next, policy, workspace.editedPaths());
        workspace.write(path, next);
        return {
          text: `Edited ${path}.\n${snippet(next, next.indexOf(input.new_str), input.new_str)}`,
          changed: path,
        };
      }
      case 'insert': {
        const text = await existing(workspace, path);
        const insertText = input.insert_text ?? input.new_str;
        if (insertText === undefined) throw new ToolFailure('insert_text is required.');
        const lines = text.split('\n');
        if (input.insert_line > lines.length) {
          throw new ToolFailure(
            `insert_line ${input.insert_line} is past the end of ${path} (${lines.length} lines).`,
          );
        }
        const inserted = insertText.endsWith('\n') ? insertText.slice(0, -1) : insertText;
        lines.splice(input.insert_line, 0, ...inserted.split('\n'));
        const next = lines.join('\n');
        checkWrite(path, next, policy, workspace.editedPaths());
        workspace.write(path, next);
        return {
          text: `Inserted ${inserted.split('\n').length} line(s) after line ${input.insert_line} of ${path}.`,
          changed: path,
        };
      }
    }
  } catch (err) {
    if (err instanceof ConfinementError || err instanceof UnreadableFile) throw new ToolFailure(err.message);
    throw err;
  }
}

async function existing(workspace: RepoWorkspace, path: string): Promise<string> {
  const text = await workspace.read(path);
  if (text === null) {
    throw new ToolFailure(
      workspace.isDirectory(path)
        ? `${path} is a folder, not a file.`
        : `${path} does not exist; use create.`,
    );
  }
  return text;
}

async function view(workspace: RepoWorkspace, path: string, range?: number[]): Promise<string> {
  if (!workspace.isFile(path)) {
    if (!workspace.isDirectory(path)) throw new ToolFailure(`${path || '.'} does not exist.`);
    return listing(workspace, path);
  }
  const text = (await workspace.read(path)) ?? '';
  const lines = text.split('\n');
  let from = 1;
  let to = lines.length;
  if (range) {
    from = Math.max(1, range[0] ?? 1);
    to = range[1] === -1 ? lines.length : Math.min(lines.length, range[1] ?? lines.length);
    if (from > to)
      throw new ToolFailure(`view_range [${range.join(', ')}] is empty; ${path} has ${lines.length} lines.`);
  }
  return lines
    .slice(from - 1, to)
    .map((line, i) => `${String(from + i).padStart(6)}\t${line}`)
    .join('\n');
}

/** Files and folders up to two levels below `path`, as the reference tool lists them. */
function listing(workspace: RepoWorkspace, path: string): string {
  const prefix = path === '' ? '' : `${path}/`;
  const seen = new Set<string>();
  for (const file of workspace.paths()) {
    if (!file.startsWith(prefix)) continue;
    const parts = file.slice(prefix.length).split('/');
    if (parts.length > 1) seen.add(`${prefix}${parts[0]}/`);
    if (parts.length > 2) seen.add(`${prefix}${parts[0]}/${parts[1]}${parts.length > 2 ? '/' : ''}`);
    if (parts.length <= 2) seen.add(`${prefix}${parts.join('/')}`);
  }
  const entries = [...seen].sort();
  const shown = entries.slice(0, MAX_LISTING);
  const more = entries.length > shown.length ? `\n… and ${entries.length - shown.length} more` : '';
  return `Files and folders in ${path || 'the repository root'} (two levels):\n${shown.join('\n')}${more}`;
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) count++;
  return count;
}

function matchLines(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1 && out.length < 10; i = text.indexOf(needle, i + 1)) {
    out.push(text.slice(0, i).split('\n').length);
  }
  return out;
}

/** A few numbered lines around the edit, so the model sees the result without another view. */
function snippet(text: string, at: number, inserted: string): string {
  const lines = text.split('\n');
  const first = at < 0 ? 0 : text.slice(0, at).split('\n').length - 1;
  const last = first + inserted.split('\n').length - 1;
  const from = Math.max(0, first - 3);
  const to = Math.min(lines.length, last + 4);
  return lines
    .slice(from, to)
    .map((line, i) => `${String(from + i + 1).padStart(6)}\t${line}`)
    .join('\n');
}
