import Anthropic from '@anthropic-ai/sdk';

export interface AnthropicClientOptions {
  apiKey: string | undefined;
  /** An LLM gateway or a test stand-in; Anthropic's public API when absent. */
  baseUrl?: string;
  /** The SDK retries 408, 409, 429 and 5xx (529 overloaded included), honouring retry-after. */
  maxRetries?: number;
  timeoutMs?: number;
}

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The Anthropic client, or null without an API key (the app then extracts with rules).
 * Every option is passed explicitly so the SDK does not pick up a stray ANTHROPIC_* variable the
 * config did not validate.
 */
export function createAnthropicClient(options: AnthropicClientOptions): Anthropic | null {
  const apiKey = options.apiKey?.trim();
  if (!apiKey) return null;
  return new Anthropic({
    apiKey,
    authToken: null,
    baseURL: options.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // The SDK would otherwise write its own warnings to the console, outside our logger.
    logLevel: 'off',
  });
}
