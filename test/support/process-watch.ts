import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/**
 * Fails the running test when anything reached the process-level handlers: an unhandled
 * rejection or an uncaught exception is what ends the real bot (`node` exits), so a test that
 * "survived" one in vitest's process did not really survive.
 */
export function failOnUnhandledErrors(): void {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  afterEach(async () => {
    // Rejections are reported after a turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const found = seen.splice(0);
    expect(found.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)))).toEqual([]);
  });
}
