import type { RunModel, StepModel, TaskCardModel } from '../../src/slack/blocks/models.js';

export function makeTask(overrides: Partial<TaskCardModel> = {}): TaskCardModel {
  return {
    id: '7f1c2a9e-0d1b-4c55-9a43-2f1f0b7c9e11',
    title: 'Fix login timeout on mobile',
    description: 'Users on mobile get logged out after 30 seconds.',
    acceptanceCriteria: ['Session lasts 24 hours', 'Refresh token is rotated'],
    priority: 'HIGH',
    labels: ['bug', 'auth'],
    deadline: '2025-07-01',
    assignee: 'U0ASSIGN1',
    repo: 'acme/web',
    status: 'proposed',
    version: 3,
    evidence: 'Ana: the login page times out on my phone',
    extractor: 'rules',
    truncated: false,
    approvedBy: null,
    approvedAt: null,
    rejectedBy: null,
    rejectedAt: null,
    run: null,
    ...overrides,
  };
}

export function makeStep(overrides: Partial<StepModel> = {}): StepModel {
  return {
    agent: 'ticket',
    status: 'pending',
    attempt: 1,
    durationMs: null,
    error: null,
    output: null,
    ...overrides,
  };
}

export function makeRun(steps: StepModel[], overrides: Partial<RunModel> = {}): RunModel {
  return {
    id: 'run-1',
    status: 'running',
    startedBy: 'U0STARTER',
    error: null,
    createdAt: new Date('2025-06-01T10:00:00Z'),
    finishedAt: null,
    steps,
    ...overrides,
  };
}

/** Text from a thread that tries every kind of broadcast or ping. */
export const HOSTILE =
  'Hey <!channel> and <!here|here> and <!everyone> and <@U0THREAD1> and <@W0THREAD2|bob> and <!subteam^S0TEAM|devs> @here';

/** The raw sequences that would notify people if they reached Slack unchanged. */
export const RAW_PINGS = [
  /<!channel/,
  /<!here/,
  /<!everyone/,
  /<@U0THREAD1/,
  /<@W0THREAD2/,
  /<!subteam/,
  /(^|\s)@here\b/,
];
