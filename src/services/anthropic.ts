import Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../logger.js';
import { deadlineFetch } from './deadline.js';

export interface AnthropicClientOptions {
  apiKey: string | undefined;
  /** An LLM gateway or a test stand-in; Anthropic's public API when absent. */
  baseUrl?: string;
  /** The SDK retries 408, 409, 429 and 5xx (529 overloaded included), honouring retry-after. */
  maxRetries?: number;
  /** Overall deadline of one request, answer included (each retry gets its own). */
  timeoutMs?: number;
  /** The SDK's own warnings and errors go here (never to the console). */
  logger?: Logger;
  /** Told every HTTP call's status (undefined: no response), retries included (metrics). */
  onCall?: (status: number | undefined) => void;
}

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
/** Claude writes the whole answer before replying (no streaming): 8k output tokens take minutes. */
export const DEFAULT_ANTHROPIC_TIMEOUT_MS = 180_000;

/**
 * The Anthropic client, or null without an API key (the app then extracts with rules).
 * Every option is passed explicitly so the SDK does not pick up a stray ANTHROPIC_* variable the
 * config did not validate.
 */
export function createAnthropicClient(options: AnthropicClientOptions): Anthropic | null {
  const apiKey = options.apiKey?.trim();
  if (!apiKey) return null;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ANTHROPIC_TIMEOUT_MS;
  return new Anthropic({
    apiKey,
    authToken: null,
    baseURL: options.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL,
    maxRetries: options.maxRetries ?? 2,
    // The SDK's own timeout stops at the response headers; the fetch below also bounds the body.
    timeout: timeoutMs,
    fetch: deadlineFetch('the Anthropic API', timeoutMs, globalThis.fetch, options.onCall),
    // The SDK would otherwise write its own warnings to the console, outside our logger.
    ...(options.logger ? { logger: sdkLogger(options.logger), logLevel: 'warn' } : { logLevel: 'off' }),
  });
}

/** The SDK logs `(message, ...details)`; pino wants `(fields, message)`. */
function sdkLogger(logger: Logger) {
  const log = logger.child({ service: 'anthropic' });
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...details: unknown[]) =>
      details.length > 0 ? log[level]({ details }, message) : log[level](message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
