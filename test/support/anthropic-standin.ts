import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../src/sandbox/read-body.js';
import { trickle } from './stall.js';

/**
 * A stand-in for the Anthropic Messages API (`POST /v1/messages`) on 127.0.0.1, for the real SDK
 * pointed at it with `baseURL: standIn.url`.
 *
 * - Auth as the API does it: the key in `x-api-key` or `Authorization: Bearer`; a wrong or missing
 *   key gets 401 with Anthropic's error body `{type:'error', error:{type:'authentication_error', …}}`
 *   and does not use up a scripted response.
 * - Answers come from a queue the test fills with `enqueue`, one per request, in order:
 *   `{ kind: 'tool_use', input }` (a forced tool call), `{ kind: 'text', text }`, or
 *   `{ kind: 'error', status, headers? }` (e.g. 529 with `retry-after: 0`), `{ kind: 'hang' }` (no
 *   answer at all) or `{ kind: 'trickle', input }` (a tool call whose body comes one byte at a
 *   time, see stall.ts). An empty queue answers 500 with `x-should-retry: false`, so a test that
 *   forgot to script a call fails at once.
 * - With `models` given, any other model gets the API's 404 `not_found_error` ("model: …"),
 *   as an unknown or retired model does; scripted responses are not used up.
 * - Every request is recorded in `requests` (headers and parsed JSON body), 401s included.
 */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  /** Prompt-cache writes and reads, as the API reports them; 0 when absent. */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type ScriptedResponse =
  | {
      kind: 'tool_use';
      input: unknown;
      /** Defaults to the tool named in the request's tool_choice. */
      name?: string;
      usage?: Usage;
      stopReason?: 'tool_use' | 'max_tokens';
    }
  | { kind: 'text'; text: string; usage?: Usage }
  | { kind: 'error'; status: number; type?: string; message?: string; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'trickle'; input: unknown; intervalMs?: number };

/** The parts of a Messages request body the tests look at; the rest is kept as sent. */
export interface MessagesRequestBody {
  model: string;
  max_tokens: number;
  system?: unknown;
  tools?: Array<{ name: string; input_schema: unknown }>;
  tool_choice?: { type: string; name?: string };
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> }>;
  [key: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: MessagesRequestBody;
  /** The status the stand-in answered with. */
  status: number;
}

export interface AnthropicStandIn {
  /** Base URL for the SDK, e.g. http://127.0.0.1:40123 */
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  enqueue(...responses: ScriptedResponse[]): void;
  /** Scripted responses not yet used. */
  pending(): number;
  close(): Promise<void>;
}

const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 50 };

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomUUID().replace(/-/g, '')}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type?: string,
  headers: Record<string, string> = {},
): void {
  send(
    res,
    status,
    { type: 'error', error: { type: type ?? ERROR_TYPES[status] ?? 'api_error', message } },
    headers,
  );
}

function keyFrom(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

export async function startAnthropicStandIn(
  options: { apiKey?: string; models?: string[] } = {},
): Promise<AnthropicStandIn> {
  const apiKey = options.apiKey ?? 'sk-ant-test-standin';
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      let body: MessagesRequestBody;
      try {
        body = JSON.parse(raw || '{}') as MessagesRequestBody;
      } catch {
        sendError(res, 400, 'Request body is not valid JSON');
        return;
      }
      const record: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        body,
        status: 0,
      };
      requests.push(record);
      const answer = (status: number) => {
        record.status = status;
      };

      if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
        answer(404);
        sendError(res, 404, `Not found: ${req.method} ${req.url}`);
        return;
      }
      if (keyFrom(req) !== apiKey) {
        answer(401);
        sendError(res, 401, 'invalid x-api-key');
        return;
      }
      if (
        typeof body.model !== 'string' ||
        typeof body.max_tokens !== 'number' ||
        !Array.isArray(body.messages)
      ) {
        answer(400);
        sendError(res, 400, 'model, max_tokens and messages are required');
        return;
      }

      if (options.models && !options.models.includes(body.model)) {
        answer(404);
        sendError(res, 404, `model: ${body.model}`);
        return;
      }

      const next = queue.shift();
      if (!next) {
        answer(500);
        sendError(res, 500, 'stand-in: no scripted response left', 'api_error', {
          'x-should-retry': 'false',
        });
        return;
      }
      if (next.kind === 'error') {
        answer(next.status);
        sendError(res, next.status, next.message ?? `stand-in error ${next.status}`, next.type, next.headers);
        return;
      }

      if (next.kind === 'hang') {
        answer(0);
        return;
      }
      const id = `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      const content =
        next.kind === 'tool_use' || next.kind === 'trickle'
          ? [
              {
                type: 'tool_use',
                id: `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
                name:
                  (next.kind === 'tool_use' ? next.name : undefined) ??
                  body.tool_choice?.name ??
                  body.tools?.[0]?.name ??
                  'tool',
                input: next.input,
              },
            ]
          : [{ type: 'text', text: next.text, citations: null }];
      const usage = (next.kind === 'trickle' ? undefined : next.usage) ?? DEFAULT_USAGE;
      answer(200);
      const message = {
        id,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason:
          next.kind === 'text'
            ? 'end_turn'
            : next.kind === 'tool_use'
              ? (next.stopReason ?? 'tool_use')
              : 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          service_tier: 'standard',
        },
      };
      if (next.kind === 'trickle') {
        trickle(res, 200, { 'content-type': 'application/json' }, JSON.stringify(message), next.intervalMs);
        return;
      }
      send(res, 200, message);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `stand-in failure: ${String(error)}`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
