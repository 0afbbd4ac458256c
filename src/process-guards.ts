import { format } from 'node:util';
import type { Logger } from './logger.js';

/**
 * Process-wide safety nets, installed once by main.ts:
 * - an unhandled rejection or uncaught exception is logged through pino (redacted, structured)
 *   and ends in the graceful shutdown SIGTERM uses, instead of Node's bare crash that leaves
 *   cards "Running…" and leases held. It is a last resort: the code observes every promise.
 * - Node's process warnings and anything a dependency writes with `console.*` (the Anthropic
 *   SDK's model deprecation notice, for one) become pino lines, not stray text on stderr.
 */

export interface ProcessGuardOptions {
  logger: Logger;
  /** Starts the shutdown (idempotent); `exitCode` is what the process should end with. */
  shutdown: (reason: string, exitCode: number) => void;
  /** Injected in tests; the real process and console otherwise. */
  target?: Pick<NodeJS.Process, 'on' | 'off' | 'listeners' | 'removeListener'>;
  console?: Console;
}

const CONSOLE_LEVELS = {
  debug: 'debug',
  info: 'info',
  log: 'info',
  warn: 'warn',
  error: 'error',
  trace: 'debug',
} as const;

/** Installs the guards; returns a function that removes them (tests). */
export function installProcessGuards(options: ProcessGuardOptions): () => void {
  const target = options.target ?? process;
  const out = options.console ?? console;
  const log = options.logger;

  const onRejection = (reason: unknown) => {
    log.fatal({ err: reason }, 'unhandled promise rejection: shutting down');
    options.shutdown('unhandledRejection', 1);
  };
  const onException = (err: Error, origin: string) => {
    log.fatal({ err, origin }, 'uncaught exception: shutting down');
    options.shutdown('uncaughtException', 1);
  };
  const onWarning = (warning: Error & { code?: string; detail?: string }) => {
    log.warn(
      { warning: { name: warning.name, code: warning.code, detail: warning.detail } },
      `process warning: ${warning.message}`,
    );
  };

  // Node prints warnings to stderr through a listener of its own; ours replaces it.
  const nodeWarningListeners = target.listeners('warning');
  for (const listener of nodeWarningListeners) target.removeListener('warning', listener);
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  target.on('warning', onWarning);

  const consoleLog = log.child({ source: 'console' });
  const saved = new Map<keyof typeof CONSOLE_LEVELS, Console[keyof typeof CONSOLE_LEVELS]>();
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as Array<
    [keyof typeof CONSOLE_LEVELS, (typeof CONSOLE_LEVELS)[keyof typeof CONSOLE_LEVELS]]
  >) {
    saved.set(method, out[method]);
    out[method] = (...args: unknown[]) => consoleLog[level](format(...args));
  }

  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
    target.off('warning', onWarning);
    for (const listener of nodeWarningListeners) target.on('warning', listener as (w: Error) => void);
    for (const [method, original] of saved) out[method] = original;
  };
}
