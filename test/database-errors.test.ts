import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DatabaseUnreachableError, openDatabase } from '../db/index.js';

/** What an operator reads when PostgreSQL cannot be used: where, and why; never the password. */

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function openError(url: string): Promise<Error> {
  const error = await openDatabase({ databaseUrl: url }).then(
    async (db) => {
      await db.close();
      throw new Error(`opened ${url}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseUnreachableError);
  return error as Error;
}

describe('an unusable PostgreSQL at start-up', () => {
  it('nothing listening: names host, port and database, and the cause', async () => {
    const port = await closedPort();
    const error = await openError(`postgres://bot:s3cret-pw@127.0.0.1:${port}/orchestrator`);
    expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${port}/orchestrator`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'a database that does not exist, a role that does not exist',
    async () => {
      const base = new URL(process.env.TEST_DATABASE_URL ?? '');
      const missing = new URL(base);
      missing.pathname = '/no_such_database_here';
      expect((await openError(missing.toString())).message).toMatch(
        /database "no_such_database_here" does not exist \(3D000\)/,
      );
      const stranger = new URL(base);
      stranger.username = 'no_such_role_here';
      expect((await openError(stranger.toString())).message).toMatch(
        /role "no_such_role_here" does not exist \(28000\)/,
      );
    },
  );
});
