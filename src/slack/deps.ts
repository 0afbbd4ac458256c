import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
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
  repos: string[];
  /** Who may approve, execute, cancel (SLACK_APPROVERS, workspace admins, APPROVAL_PREVENT_SELF). */
  permissions: PermissionService;
  logger: Logger;
  /** Background work started by listeners after ack; tests and shutdown wait on it. */
  track(work: Promise<unknown>): void;
}
