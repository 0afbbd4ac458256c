// Mutation testing of the "never twice" guards (issue 14): `npm run test:mutation`.
// Slow on two cores (tens of minutes), so not part of CI's default run. Scope and score: README.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/orchestrator/**/*.ts',
    'src/agents/email.ts',
    'src/agents/ticket.ts',
    'src/tasks/task-store.ts',
  ],
  // Log wording and display strings are not guards; mutating them would measure the tests of text.
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 15_000,
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: 'node_modules/.cache/stryker-tmp',
  cleanTempDir: 'always',
};
