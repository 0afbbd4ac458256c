import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** A thread (or free text) that tasks were extracted from. */
export const discussions = pgTable(
  'discussions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    teamId: text('team_id'),
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts'),
    permalink: text('permalink'),
    requestedBy: text('requested_by').notNull(),
    source: text('source').notNull(), // 'thread' | 'text'
    messageCount: integer('message_count').notNull().default(0),
    extractor: text('extractor').notNull(), // model name or 'rules'
    truncated: boolean('truncated').notNull().default(false),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** Estimated USD at the model's list price, prompt-cache reads and writes included; null if unknown. */
    costUsd: doublePrecision('cost_usd'),
    summaryTs: text('summary_ts'),
    createdAt: createdAt(),
  },
  (t) => [index('discussions_requested_by_idx').on(t.requestedBy, t.createdAt)],
);

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    discussionId: uuid('discussion_id')
      .notNull()
      .references(() => discussions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    acceptanceCriteria: jsonb('acceptance_criteria').$type<string[]>().notNull().default([]),
    priority: text('priority').notNull().default('MEDIUM'),
    labels: jsonb('labels').$type<string[]>().notNull().default([]),
    deadline: text('deadline'),
    assignee: text('assignee'),
    evidence: text('evidence'),
    repo: text('repo').notNull(),
    status: text('status').notNull().default('proposed'),
    /** Optimistic concurrency: every change bumps it; an edit based on an older version is refused. */
    version: integer('version').notNull().default(1),
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts'),
    messageTs: text('message_ts'),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    rejectedBy: text('rejected_by'),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    /** Who saved the last edit; with APPROVAL_PREVENT_SELF they may not approve that version. */
    lastEditedBy: text('last_edited_by'),
    /**
     * The project settings the task was approved under (repo list, recipients, steps, …), frozen
     * at approval: a later change of the channel's settings does not move an approved task.
     * Null until approved, and again after an edit sends it back for approval.
     */
    projectSettings: jsonb('project_settings').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tasks_discussion_idx').on(t.discussionId), index('tasks_status_idx').on(t.status)],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('queued'),
    startedBy: text('started_by').notNull(),
    /** Shown to the whole channel: what failed, in plain terms, no configuration names or hosts. */
    error: text('error'),
    /** The actionable version for approvers only (ephemeral answers, App Home): "check GITHUB_TOKEN". */
    errorDetail: text('error_detail'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('runs_task_idx').on(t.taskId),
    // At most one live run per task: concurrent Execute clicks collide here, not in app code.
    uniqueIndex('runs_one_active_per_task').on(t.taskId).where(sql`status in ('queued', 'running')`),
  ],
);

export const steps = pgTable(
  'steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    agent: text('agent').notNull(),
    position: integer('position').notNull(),
    status: text('status').notNull().default('pending'),
    attempt: integer('attempt').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /**
     * A new uuid on every claim: heartbeat, success and failure are fenced by it, so a claim that
     * was taken over (even by the same process) can no longer touch the step.
     */
    claimToken: uuid('claim_token'),
    idempotencyKey: text('idempotency_key').notNull(),
    output: jsonb('output').$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('steps_idempotency_key_idx').on(t.idempotencyKey),
    index('steps_run_idx').on(t.runId, t.position),
    index('steps_claim_idx').on(t.status, t.nextAttemptAt),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taskId: uuid('task_id').references(() => tasks.id, { onDelete: 'set null' }),
    actor: text('actor').notNull(),
    action: text('action').notNull(), // extract, edit, approve, reject, execute, retry, cancel
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('audit_events_task_idx').on(t.taskId), index('audit_events_created_idx').on(t.createdAt)],
);

export type DiscussionRow = typeof discussions.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type StepRow = typeof steps.$inferSelect;
export type AuditEventRow = typeof auditEvents.$inferSelect;

/**
 * The ledger of outside effects, keyed by the step's idempotency key. An agent records its
 * intent before acting and the result after, so a retry or a process taking over after a crash
 * can tell "done" (never repeat) from "maybe done" (look it up outside before repeating).
 */
export const effects = pgTable('effects', {
  idempotencyKey: text('idempotency_key').primaryKey(),
  kind: text('kind').notNull(), // github_issue, email, …
  status: text('status').notNull().default('started'), // started | done
  /** The step claim that last began this effect; another live claim may not begin it too. */
  claimToken: uuid('claim_token'),
  externalId: text('external_id'),
  detail: jsonb('detail').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Last run of each scheduled job, shared by all replicas (a daily job runs once per day in all). */
export const jobRuns = pgTable('job_runs', {
  name: text('name').primaryKey(),
  lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
  lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
  lastStatus: text('last_status'),
  lastResult: jsonb('last_result').$type<Record<string, unknown>>(),
});

export type EffectRow = typeof effects.$inferSelect;
export type JobRunRow = typeof jobRuns.$inferSelect;

/**
 * GitHub events the bot has acted on, one row per normalised event. The key is the same whichever
 * route the event came by (webhook or poll), so inserting it is the claim: of two arrivals, only
 * the one whose insert succeeds calls the subscribers. `processed_at` stays null until they ran,
 * so a crash in between is picked up again.
 */
export const githubEvents = pgTable(
  'github_events',
  {
    dedupeKey: text('dedupe_key').primaryKey(),
    kind: text('kind').notNull(),
    repo: text('repo').notNull(),
    number: integer('number'),
    source: text('source').notNull(), // webhook | poll
    /** `x-github-delivery` of the webhook delivery that brought it; null when the poll did. */
    deliveryId: text('delivery_id'),
    /** The normalised event, so an unprocessed one can be dispatched again after a crash. */
    event: jsonb('event').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [
    index('github_events_pending_idx').on(t.processedAt, t.receivedAt),
    index('github_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * A task's issue and pull requests on GitHub and their last known state, kept by the events
 * intake. One row per issue or PR (they share numbers within a repo).
 */
export const taskGithubLinks = pgTable(
  'task_github_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    repo: text('repo').notNull(),
    number: integer('number').notNull(),
    kind: text('kind').notNull(), // issue | pull
    /** issue: open | closed; pull: open | draft | merged | closed. */
    state: text('state').notNull(),
    title: text('title'),
    url: text('url'),
    headSha: text('head_sha'),
    labels: jsonb('labels').$type<string[]>().notNull().default([]),
    assignees: jsonb('assignees').$type<string[]>().notNull().default([]),
    /** GitHub's updated_at of the state stored here: an older event never overwrites a newer state. */
    sourceUpdatedAt: timestamp('source_updated_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('task_github_links_repo_number_idx').on(t.repo, t.number),
    index('task_github_links_task_idx').on(t.taskId),
  ],
);

export type GithubEventRow = typeof githubEvents.$inferSelect;
export type TaskGithubLinkRow = typeof taskGithubLinks.$inferSelect;

/** A project: settings (zod-checked in src/projects/settings.ts) shared by the channels bound to it. */
export const projects = pgTable('projects', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  /** Optimistic concurrency: a save based on an older version is refused. */
  version: integer('version').notNull().default(1),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /** Names of the fields the last save changed, shown in the settings modal. */
  lastChange: jsonb('last_change').$type<string[]>().notNull().default([]),
  createdAt: createdAt(),
});

/** A channel belongs to at most one project (the primary key); channels without one use the environment. */
export const projectChannels = pgTable(
  'project_channels',
  {
    channelId: text('channel_id').primaryKey(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('project_channels_project_idx').on(t.projectId)],
);

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectChannelRow = typeof projectChannels.$inferSelect;
