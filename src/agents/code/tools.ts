import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { confinePath, globToRegExp, type WritePolicy } from './confinement.js';
import { runTextEditor, TEXT_EDITOR_TOOL, ToolFailure } from './text-editor.js';
import { type RepoWorkspace, UnreadableFile } from './workspace.js';

/**
 * The tools the code agent offers the model, and their dispatch. Every result is cut to
 * MAX_TOOL_RESULT_CHARS (the README documents it): a huge file or listing must not blow the
 * context window or the cost budget; the cut says so, and how to see the rest.
 */

/** Longest tool result sent back to the model, in characters (~5k tokens). */
export const MAX_TOOL_RESULT_CHARS = 20_000;
/** search_code: at most this many matching lines, from at most this many files read. */
const MAX_SEARCH_HITS = 200;
const MAX_SEARCH_FILES = 2_000;
/** Regexes run on our host: a short pattern, matched line by line over lines cut short. */
const MAX_PATTERN = 200;
const MAX_LINE = 2_000;

export const TOOL_NAMES = {
  editor: TEXT_EDITOR_TOOL.name,
  listFiles: 'list_files',
  searchCode: 'search_code',
  runChecks: 'run_checks',
  finish: 'finish',
} as const;

export function toolDefinitions(withChecks: boolean): Anthropic.Messages.ToolUnion[] {
  const tools: Anthropic.Messages.ToolUnion[] = [
    { ...TEXT_EDITOR_TOOL, max_characters: MAX_TOOL_RESULT_CHARS },
    {
      name: TOOL_NAMES.listFiles,
      description:
        'List file paths in the repository matching a glob ("**" any depth, "*" within a folder), e.g. "src/**/*.ts". Without a glob, lists every file.',
      input_schema: {
        type: 'object',
        properties: { glob: { type: 'string', description: 'Glob relative to the repository root.' } },
      },
    },
    {
      name: TOOL_NAMES.searchCode,
      description:
        'Search file contents with a JavaScript regular expression (case-sensitive unless ignore_case). Returns path:line: text for each matching line.',
      input_schema: {
        type: 'object',
        properties: {
          pattern: { type: 'string' },
          glob: { type: 'string', description: 'Only files matching this glob.' },
          ignore_case: { type: 'boolean' },
        },
        required: ['pattern'],
      },
    },
  ];
  if (withChecks) {
    tools.push({
      name: TOOL_NAMES.runChecks,
      description:
        "Push the current changes as a work-in-progress commit and wait for the repository's own CI checks on it. Returns pass, or the failing job's log tail. Use it once the change is complete; rounds are limited.",
      input_schema: { type: 'object', properties: {} },
    });
  }
  tools.push({
    name: TOOL_NAMES.finish,
    description:
      'Call once when the task is done (or cannot be done). The summary becomes the pull request description: what changed and why, in a few sentences.',
    input_schema: {
      type: 'object',
      properties: { summary: { type: 'string' } },
      required: ['summary'],
    },
    // The tools never change during a run: caching them (with the system prompt) saves input cost.
    cache_control: { type: 'ephemeral' },
  });
  return tools;
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
  /** A path the call changed. */
  changed?: string;
  /** Set by finish. */
  finished?: { summary: string };
}

export interface ToolEnv {
  workspace: RepoWorkspace;
  policy: WritePolicy;
  /** run_checks; absent when the repository has no CI to follow. */
  runChecks?: () => Promise<string>;
}

const ListInput = z.object({ glob: z.string().optional() });
const SearchInput = z.object({
  pattern: z.string().min(1).max(MAX_PATTERN),
  glob: z.string().optional(),
  ignore_case: z.boolean().optional(),
});
const FinishInput = z.object({ summary: z.string().min(1) });

export async function runTool(env: ToolEnv, name: string, input: unknown): Promise<ToolOutcome> {
  try {
    switch (name) {
      case TOOL_NAMES.editor: {
        const r = await runTextEditor(env.workspace, env.policy, input);
        return { content: truncate(r.text), isError: false, ...(r.changed ? { changed: r.changed } : {}) };
      }
      case TOOL_NAMES.listFiles:
        return ok(listFiles(env.workspace, parse(ListInput, input).glob));
      case TOOL_NAMES.searchCode:
        return ok(await searchCode(env.workspace, parse(SearchInput, input)));
      case TOOL_NAMES.runChecks:
        if (!env.runChecks) throw new ToolFailure('No CI checks are available for this repository.');
        return ok(await env.runChecks());
      case TOOL_NAMES.finish: {
        const { summary } = parse(FinishInput, input);
        return { content: 'Finished.', isError: false, finished: { summary } };
      }
      default:
        throw new ToolFailure(`Unknown tool "${name}".`);
    }
  } catch (err) {
    if (err instanceof ToolFailure) return { content: truncate(err.message), isError: true };
    throw err;
  }
}

function ok(content: string): ToolOutcome {
  return { content: truncate(content), isError: false };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    throw new ToolFailure(
      `Invalid input: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

export function truncate(text: string, max = MAX_TOOL_RESULT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… truncated: ${text.length - max} more characters. Narrow the request (a view_range, a smaller glob) to see the rest.]`;
}

function globFilter(glob: string | undefined): (path: string) => boolean {
  if (!glob || glob.trim() === '' || glob.trim() === '**') return () => true;
  const trimmed = glob.trim().replace(/^\.\//, '');
  // The glob is matched, never used as a path: confining it only catches "../" style escapes.
  if (!trimmed.startsWith('*')) confinePath(trimmed.split('*')[0] || '.');
  const re = globToRegExp(trimmed);
  return (path) => re.test(path);
}

function listFiles(workspace: RepoWorkspace, glob: string | undefined): string {
  const paths = workspace.paths().filter(safeGlob(glob));
  if (paths.length === 0) return `No files match ${glob ?? '**'}.`;
  return `${paths.length} file(s):\n${paths.join('\n')}`;
}

function safeGlob(glob: string | undefined): (path: string) => boolean {
  try {
    return globFilter(glob);
  } catch (err) {
    throw new ToolFailure(err instanceof Error ? err.message : String(err));
  }
}

async function searchCode(workspace: RepoWorkspace, input: z.infer<typeof SearchInput>): Promise<string> {
  let re: RegExp;
  try {
    re = new RegExp(input.pattern, input.ignore_case ? 'i' : '');
  } catch (err) {
    throw new ToolFailure(`Invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
  const paths = workspace.paths().filter(safeGlob(input.glob));
  const hits: string[] = [];
  let read = 0;
  for (const path of paths) {
    if (read >= MAX_SEARCH_FILES || hits.length >= MAX_SEARCH_HITS) break;
    read++;
    let text: string | null;
    try {
      text = await workspace.read(path);
    } catch (err) {
      if (err instanceof UnreadableFile) continue;
      throw err;
    }
    if (text === null) continue;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length && hits.length < MAX_SEARCH_HITS; i++) {
      const line = (lines[i] ?? '').slice(0, MAX_LINE);
      if (re.test(line)) hits.push(`${path}:${i + 1}: ${line}`);
    }
  }
  const capped =
    hits.length >= MAX_SEARCH_HITS || read < paths.length ? ' (stopped early; narrow the glob)' : '';
  if (hits.length === 0) return `No matches for /${input.pattern}/ in ${read} file(s)${capped}.`;
  return `${hits.length} match(es)${capped}:\n${hits.join('\n')}`;
}
