/**
 * The GitHub events intake, assembled: the signed webhook route, the poll, the durable claim of
 * each event, and the subscribers. Features subscribe with `intake.subscribe`; the first one
 * (task links → the card and App Home) is registered here.
 */
import type { Octokit } from '@octokit/rest';
import type { Db } from '../../db/index.js';
import type { Logger } from '../logger.js';
import { GitHubEventIntake } from './intake.js';
import { GitHubPoller } from './poller.js';
import { TaskLinkStore, taskLinkSubscriber } from './task-links.js';
import { webhookRoute } from './webhook-route.js';

export type { GitHubEvent, GitHubEventKind } from './events.js';
export type { GitHubEventHandler, Subscription } from './intake.js';

export interface GitHubEventsOptions {
  db: Db;
  /** null: no token, so no poll (webhooks still work). */
  github: Octokit | null;
  webhookSecret: string | undefined;
  logger: Logger;
  track: (work: Promise<unknown>) => void;
  /** A task's issue or PR changed state. */
  onTaskChange: (taskId: string) => void;
}

export interface GitHubEvents {
  intake: GitHubEventIntake;
  links: TaskLinkStore;
  poller: GitHubPoller | null;
  route: ReturnType<typeof webhookRoute>;
  /** One poll now, after dispatching events a crash left unfinished; 0 without a token. */
  poll(): Promise<number>;
}

export function startGitHubEvents(options: GitHubEventsOptions): GitHubEvents {
  const { db, logger } = options;
  const intake = new GitHubEventIntake(db, logger);
  const links = new TaskLinkStore(db);
  intake.subscribe(taskLinkSubscriber({ links, logger, onChange: options.onTaskChange }));
  const poller = options.github ? new GitHubPoller({ db, github: options.github, intake, logger }) : null;
  if (!options.webhookSecret) {
    logger.info('GitHub webhooks are off: set GITHUB_WEBHOOK_SECRET to accept POST /github/webhooks');
  }
  return {
    intake,
    links,
    poller,
    route: webhookRoute({ secret: options.webhookSecret, intake, logger, track: options.track }),
    async poll() {
      const redone = await intake.redispatchStale();
      return redone + (poller ? await poller.poll() : 0);
    },
  };
}
