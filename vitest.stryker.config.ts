import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant of the guard files (stryker.config.mjs): the
 * in-process tests of the runner, the agents and the task store, on PGlite. Tests that spawn a
 * bot (crash matrix, multi-process) cannot see a mutant (it is switched on inside this process)
 * and take minutes, so they are left out here; CI runs them in the normal suite.
 */
export default defineConfig({
  test: {
    include: [
      'test/orchestrator/runner.test.ts',
      'test/orchestrator/fencing.test.ts',
      'test/orchestrator/step-deadline.test.ts',
      'test/orchestrator/guards.test.ts',
      'test/agents/email.test.ts',
      'test/agents/ticket.test.ts',
      'test/tasks/task-store.test.ts',
    ],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
