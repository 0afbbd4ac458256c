import type { AgentName, RunStatus, StepStatus } from '../../domain/pipeline.js';
import type { Priority, TaskFields, TaskStatus } from '../../domain/task.js';

/** What a task card shows. Built from database rows by the Slack layer; builders stay pure. */
export interface TaskCardModel extends TaskFields {
  id: string;
  status: TaskStatus;
  version: number;
  evidence: string | null;
  /**
   * The discussion's permalink, as Slack gave it to the bot (`chat.getPermalink`). Evidence becomes
   * a link only when it points into this thread (see `ownEvidenceLink`).
   */
  threadLink?: string | null;
  /** 'rules' or a model name. */
  extractor: string;
  /** The discussion was cut to the token budget. */
  truncated: boolean;
  approvedBy: string | null;
  approvedAt: Date | null;
  rejectedBy: string | null;
  rejectedAt: Date | null;
  /** The latest run, if any. */
  run: RunModel | null;
  /** Slack user ids mentioned in thread text → names, for inert rendering. */
  names?: Record<string, string>;
  /** The task's issue and pull requests as GitHub last reported them (events intake). */
  github?: GitHubLinkModel[];
}

/** A task's issue or pull request and its state on GitHub. */
export interface GitHubLinkModel {
  kind: 'issue' | 'pull';
  number: number;
  /** issue: open | closed; pull: open | draft | merged | closed. */
  state: string;
  url: string | null;
}

export interface RunModel {
  id: string;
  status: RunStatus;
  startedBy: string;
  error: string | null;
  /** The actionable detail of a failure, for approvers only (App Home, ephemeral); never on the card. */
  errorDetail?: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  steps: StepModel[];
}

export interface StepModel {
  agent: AgentName;
  status: StepStatus;
  attempt: number;
  /** Set once the step ended. */
  durationMs: number | null;
  error: string | null;
  /** Ticket: { url, number, dryRun, title, body }; email: { messageId, to, delivery, path }. */
  output: Record<string, unknown> | null;
}

export interface SummaryModel {
  taskCount: number;
  /** Tasks the extractor proposed; more than `taskCount` when only the first ones were posted. */
  proposedTaskCount: number;
  messageCount: number;
  extractor: string;
  /** True when anything of the discussion was left out or shortened. */
  truncated: boolean;
  /** Messages left out (by the thread reader's bounds and the extractor's budget together). */
  omittedMessages: number;
  requestedBy: string;
  source: 'thread' | 'text';
  /** What the extractor says about how it read the thread ("reads English only …"). */
  notice?: string;
}

export interface EditModalModel {
  task: TaskCardModel;
  repos: string[];
  /** Stored in private_metadata with the version, so a stale edit can be refused. */
  channelId: string | null;
}

export interface HomeModel {
  userId: string;
  isApprover: boolean;
  approversConfigured: boolean;
  discussions: Array<{
    id: string;
    createdAt: Date;
    permalink: string | null;
    channelId: string;
    messageCount: number;
    taskCount: number;
    extractor: string;
  }>;
  /** The user's tasks (requested, assigned or approved by them) grouped by status by the builder. */
  tasks: Array<{
    id: string;
    title: string;
    status: TaskStatus;
    repo: string;
    permalink: string | null;
    github?: GitHubLinkModel[];
  }>;
  runs: Array<{ taskTitle: string; run: RunModel }>;
  pendingApprovals: Array<{ id: string; title: string; priority: Priority; permalink: string | null }>;
  /** Projects with their channels; absent → no Projects section. */
  projects?: {
    list: Array<{ id: string; name: string; channels: string[]; defaultRepo: string }>;
    /** Whether the viewer may change settings (admins, owners, SLACK_ADMINS): then Configure buttons. */
    mayConfigure: boolean;
  };
}
