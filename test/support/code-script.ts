import type { AnthropicStandIn, ScriptedResponse, Usage } from './anthropic-standin.js';

/**
 * Scripted tool-use conversations for the code agent, replayed by the Anthropic stand-in: each
 * helper is one assistant turn calling one tool. `toolResults` reads back what the agent sent
 * the model (every tool_result of every request), so a test can assert what the model was told.
 */

export const EDITOR = 'str_replace_based_edit_tool';

export function view(path: string, usage?: Usage): ScriptedResponse {
  return { kind: 'tool_use', name: EDITOR, input: { command: 'view', path }, ...(usage ? { usage } : {}) };
}

export function create(path: string, fileText: string, usage?: Usage): ScriptedResponse {
  return {
    kind: 'tool_use',
    name: EDITOR,
    input: { command: 'create', path, file_text: fileText },
    ...(usage ? { usage } : {}),
  };
}

export function replace(path: string, oldStr: string, newStr: string, usage?: Usage): ScriptedResponse {
  return {
    kind: 'tool_use',
    name: EDITOR,
    input: { command: 'str_replace', path, old_str: oldStr, new_str: newStr },
    ...(usage ? { usage } : {}),
  };
}

export function tool(name: string, input: unknown): ScriptedResponse {
  return { kind: 'tool_use', name, input };
}

export function finish(summary: string): ScriptedResponse {
  return { kind: 'tool_use', name: 'finish', input: { summary } };
}

export interface SeenResult {
  content: string;
  isError: boolean;
}

/** The tool results the agent sent, in order (each request carries the whole conversation: the last one has them all). */
export function toolResults(anthropic: AnthropicStandIn, from = 0): SeenResult[] {
  const last = anthropic.requests.slice(from).at(-1);
  if (!last) return [];
  const out: SeenResult[] = [];
  for (const message of last.body.messages) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_result') continue;
      out.push({ content: String(block.content), isError: block.is_error === true });
    }
  }
  return out;
}
