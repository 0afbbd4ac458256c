import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { installProcessGuards } from '../src/process-guards.js';

/** A process stand-in (an EventEmitter with Node's own warning printer attached) and a console. */
function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level: 'debug' }, destination);
  const target = new EventEmitter();
  const printed: string[] = [];
  target.on('warning', (w: Error) => printed.push(`(node) ${w.name}: ${w.message}`));
  const fakeConsole = {
    log: () => printed.push('console.log'),
    info: () => printed.push('console.info'),
    warn: () => printed.push('console.warn'),
    error: () => printed.push('console.error'),
    debug: () => printed.push('console.debug'),
    trace: () => printed.push('console.trace'),
  } as unknown as Console;
  const shutdowns: Array<[string, number]> = [];
  const uninstall = installProcessGuards({
    logger,
    shutdown: (reason, code) => shutdowns.push([reason, code]),
    target: target as unknown as NodeJS.Process,
    console: fakeConsole,
  });
  return { lines, target, printed, fakeConsole, shutdowns, uninstall };
}

describe('process guards', () => {
  it('an unhandled rejection is logged through pino (redacted) and starts the graceful shutdown with code 1', () => {
    const { lines, target, shutdowns } = setup();
    target.emit(
      'unhandledRejection',
      new Error('GitHub said no to ghp_abcdefghijklmnopqrstuvwxyz0123456789'),
    );
    expect(shutdowns).toEqual([['unhandledRejection', 1]]);
    const fatal = lines.find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/unhandled promise rejection/);
    expect(JSON.stringify(fatal)).toContain('GitHub said no');
    expect(JSON.stringify(lines)).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('an uncaught exception too', () => {
    const { lines, target, shutdowns } = setup();
    target.emit('uncaughtException', new TypeError('boom'), 'uncaughtException');
    expect(shutdowns).toEqual([['uncaughtException', 1]]);
    expect(lines.some((l) => l.level === 60 && /uncaught exception/.test(String(l.msg)))).toBe(true);
  });

  it("process warnings become pino lines instead of Node's stderr text", () => {
    const { lines, target, printed } = setup();
    const warning = Object.assign(new Error('Buffer() is deprecated'), {
      name: 'DeprecationWarning',
      code: 'DEP0005',
    });
    target.emit('warning', warning);
    expect(printed).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'process warning: Buffer() is deprecated',
        warning: expect.objectContaining({ code: 'DEP0005' }),
      }),
    );
  });

  it("a dependency's console output becomes pino lines (the Anthropic SDK's deprecation notice is a console.warn)", () => {
    const { lines, fakeConsole, printed } = setup();
    fakeConsole.warn("The model '%s' is deprecated", 'claude-sonnet-4-5');
    fakeConsole.error('something broke');
    fakeConsole.log('hello');
    expect(printed).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        source: 'console',
        msg: "The model 'claude-sonnet-4-5' is deprecated",
      }),
    );
    expect(lines.map((l) => [l.level, l.msg])).toEqual(
      expect.arrayContaining([
        [50, 'something broke'],
        [30, 'hello'],
      ]),
    );
  });

  it('uninstalling gives back the console and Node’s warning printer', () => {
    const { target, fakeConsole, printed, uninstall } = setup();
    uninstall();
    fakeConsole.warn('direct');
    target.emit('warning', new Error('w'));
    expect(printed).toEqual(['console.warn', '(node) Error: w']);
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });
});
