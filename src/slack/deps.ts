import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { ProjectStore } from '../projects/project-store.js';
import type { RepoAccess } from '../projects/repo-access.js';
import type { ProjectSettingsResolver } from '../projects/resolver.js';
import type { PermissionService } from '../tasks/permission-service.js';
import type { TaskStore } from '../tasks/task-store.js';
import type { CardPublisher } from './card-publisher.js';
import type { ExtractionFlow } from './extraction-flow.js';
import type { HomePublisher } from './home-publisher.js';
import type { UserDirectory } from './user-directory.js';

/** What the orchestrator offers the Slack layer: start work and stop it, nothing more. */
export interface RunControl {
  enqueue(runId: string): void;
  cancel(taskId: string, actor: string): Promise<boolean>;
}

/** Everything a listener may use; built once in main.ts. */
export interface SlackDeps {
  client: WebClient;
  store: TaskStore;
  runs: RunControl;
  cards: CardPublisher;
  extraction: ExtractionFlow;
  users: UserDirectory;
  home: HomePublisher;
  /** Projects and their channels (the settings modal, App Home). */
  projects: ProjectStore;
  /** A channel's settings (its project's, else the environment's), and a task's frozen ones. */
  settings: ProjectSettingsResolver;
  /** Whether the bot's GitHub token reaches a repository (settings are refused otherwise). */
  repoAccess: RepoAccess;
  /** Who may approve, execute, cancel (SLACK_APPROVERS, workspace admins, APPROVAL_PREVENT_SELF). */
  permissions: PermissionService;
  logger: Logger;
  /** Background work started by listeners after ack; tests and shutdown wait on it. */
  track(work: Promise<unknown>): void;
}
