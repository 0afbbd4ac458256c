import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { count, eq, min } from 'drizzle-orm';
import { type Database, openDatabase } from '../db/index.js';
import { steps } from '../db/schema.js';
import { createBuildAgent } from './agents/build/agent.js';
import { createCodeAgent } from './agents/code/agent.js';
import { envCodeSettings } from './agents/code/settings.js';
import { createDeployAgent } from './agents/deploy/agent.js';
import { createKubernetesTarget } from './agents/deploy/kubernetes-target.js';
import type { RolloutClock } from './agents/deploy/rollout.js';
import { createExtractor } from './agents/discussion.js';
import { createEmailAgent } from './agents/email.js';
import { createTicketAgent } from './agents/ticket.js';
import type { Config } from './config.js';
import type { Extractor } from './domain/extraction.js';
import { BUILD_DEPLOY_STEPS, BUILD_STEPS, PHASE2_STEPS } from './domain/pipeline.js';
import { type GitHubEvents, startGitHubEvents } from './github-events/index.js';
import { pruneAuditEvents } from './jobs/prune-audit.js';
import { startJobs } from './jobs.js';
import type { Logger } from './logger.js';
import { Metrics, type QueueSnapshot } from './metrics/registry.js';
import { metricsRoute, startMetricsServer } from './metrics/route.js';
import { createEffectLedger } from './orchestrator/effect-ledger.js';
import { Runner } from './orchestrator/runner.js';
import { ProjectStore } from './projects/project-store.js';
import { GitHubRepoAccess } from './projects/repo-access.js';
import { ProjectResolver } from './projects/resolver.js';
import { createAnthropicClient } from './services/anthropic.js';
import { deadlineFetch } from './services/deadline.js';
import { createGitHubClient } from './services/github.js';
import { createKubernetesClient, type KubernetesAccess } from './services/kubernetes.js';
import { createMailer } from './services/mailer.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './slack/app.js';
import { remindApprovers } from './slack/approval-reminder.js';
import { CardPublisher } from './slack/card-publisher.js';
import { ChannelMembership } from './slack/channel-membership.js';
import type { SlackDeps } from './slack/deps.js';
import { ExtractionFlow } from './slack/extraction-flow.js';
import { ExtractionLimits } from './slack/extraction-limits.js';
import { FailureNotifier } from './slack/failure-notifier.js';
import { HomePublisher } from './slack/home-publisher.js';
import { PullRequestNotifier } from './slack/pull-request-notifier.js';
import { ThreadAccessGuard } from './slack/thread-access.js';
import { UserDirectory } from './slack/user-directory.js';
import { SlackUsergroups } from './slack/usergroups.js';
import { SlackWorkspaceRoles } from './slack/workspace-roles.js';
import { BuildStarter } from './tasks/build-start.js';
import { lastGoodImage } from './tasks/deploy-history.js';
import { PermissionService } from './tasks/permission-service.js';
import { writeStepProgress } from './tasks/step-progress.js';
import { TaskStore } from './tasks/task-store.js';

export class MissingSlackConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingSlackConfigError';
  }
}

export interface StartOptions {
  /** The metrics registry (tests read it); a new one otherwise. */
  metrics?: Metrics;
  /** An already opened database (tests); otherwise opened from config. */
  database?: Database;
  /** Skips auth.test per request when the bot's ids are known (tests, sandbox). */
  botId?: string;
  botUserId?: string;
  /** Overrides for tests: a scripted extractor, GitHub without throttling, fewer retries. */
  extractor?: Extractor;
  githubThrottle?: boolean;
  githubRetryBaseMs?: number;
  /** Octokit's own retries of one request (default 3). */
  githubRetries?: number;
  slackRetries?: number;
  runnerBackoffMs?: number;
  runnerPollMs?: number;
  /** More HTTP routes on the bot's port (the sandbox page and its API). */
  extraRoutes?: SlackAppOptions['extraRoutes'];
  /** The code agent's CI polling (tests shorten it). */
  codeCi?: { pollMs: number; appearMs: number };
  codeDelegatePollMs?: number;
  /** The build step's polling of its workflow run (tests shorten it). */
  buildPollMs?: number;
  /** Kubernetes access instead of KUBECONFIG (tests point it at the stand-in). */
  kubernetesAccess?: KubernetesAccess;
  /** The rollout's clock and polling (tests drive the stand-in's simulated controller). */
  deployClock?: RolloutClock;
  deployPollMs?: number;
  /** false: no scheduled jobs (tests that count calls). */
  jobs?: false;
}

export interface Orchestrator {
  /** The bound port (useful when config.port is 0). */
  port: number;
  url: string;
  slack: SlackApp;
  database: Database;
  store: TaskStore;
  runner: Runner;
  /** The GitHub events intake: subscribe features to it; `poll()` runs one poll now. */
  githubEvents: GitHubEvents;
  /** Resolves when no background work (extraction, runs, card updates) is pending. */
  idle(): Promise<void>;
  /** Prometheus metrics of this bot (GET /metrics, see config.metrics). */
  metrics: Metrics;
  /** The separate metrics listener's port, when METRICS_PORT is set. */
  metricsPort: number | undefined;
  stop(): Promise<void>;
}

/**
 * The composition root: config → database → services → agents → runner → Slack.
 * main.ts calls it for real; tests call it with config pointing at local stand-ins.
 */
export async function startOrchestrator(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<Orchestrator> {
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken || (!appToken && !signingSecret)) {
    throw new MissingSlackConfigError(
      'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode). See README.md, "Slack app setup".',
    );
  }

  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      replicas: config.replicas,
    }));
  const db = database.db;
  const metrics = options.metrics ?? new Metrics();
  metrics.readQueueFrom(() => readQueue(db));

  const anthropic = createAnthropicClient({
    apiKey: config.anthropic.apiKey,
    ...(config.anthropic.baseUrl ? { baseUrl: config.anthropic.baseUrl } : {}),
    timeoutMs: config.anthropic.timeoutMs,
    logger,
    onCall: (status) => metrics.recordCall('anthropic', status),
  });
  const extractor =
    options.extractor ??
    createExtractor({
      anthropic,
      model: config.anthropic.model,
      logger: logger.child({ agent: 'discussion' }),
    });
  const github = config.github.token
    ? createGitHubClient({
        token: config.github.token,
        ...(config.github.apiUrl ? { apiUrl: config.github.apiUrl } : {}),
        logger,
        timeoutMs: config.httpTimeoutMs,
        onCall: (status) => metrics.recordCall('github', status),
        throttle: options.githubThrottle ?? config.github.throttle,
        ...(options.githubRetryBaseMs !== undefined ? { retryAfterBaseMs: options.githubRetryBaseMs } : {}),
        ...(options.githubRetries !== undefined ? { retries: options.githubRetries } : {}),
      })
    : null;
  const mailer = createMailer({
    smtp: config.smtp,
    outboxDir: join(resolve(config.dataDir), 'outbox'),
    logger,
  });

  const kubernetesAccess = options.kubernetesAccess ?? config.deploy.kubernetes;
  const deployTarget = kubernetesAccess
    ? createKubernetesTarget(
        createKubernetesClient({
          access: kubernetesAccess,
          logger: logger.child({ component: 'kubernetes' }),
          timeoutMs: config.httpTimeoutMs,
        }),
      )
    : null;

  // Projects: a channel's settings, else the environment's (the defaults).
  const projects = new ProjectStore(db);
  const settings = new ProjectResolver(projects, {
    repos: config.github.repos,
    defaultRepo: config.github.defaultRepo,
    recipients: [config.email.to],
    approvers: config.approvers,
  });

  // Workspace roles and user groups need the Slack client, which exists only once the app is built below.
  let roles: SlackWorkspaceRoles | undefined;
  let usergroups: SlackUsergroups | undefined;
  const permissions = new PermissionService(
    { approvers: config.approvers, preventSelf: config.approval.preventSelf, admins: config.admins },
    { isAdminOrOwner: async (userId) => (roles ? roles.isAdminOrOwner(userId) : false) },
    {
      // null for a channel without a project: the environment's rule, worded as before.
      channels: {
        forChannel: async (channelId) => {
          const resolved = await settings.forChannel(channelId);
          return resolved.source === 'project' ? resolved.approvers : null;
        },
      },
      groups: { members: async (groupId) => (usergroups ? usergroups.members(groupId) : []) },
    },
  );
  // Every run has the code step: with the code agent off it records why (never skipped silently).
  const store = new TaskStore(db, permissions, PHASE2_STEPS, settings);
  const background = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch((err: unknown) => logger.error({ err }, 'background work failed'));
    background.add(p);
    void p.finally(() => background.delete(p));
  };

  let ready = false;
  let cards: CardPublisher | undefined;
  let users: UserDirectory | undefined;
  let failures: FailureNotifier | undefined;
  let home: HomePublisher | undefined;

  const githubEvents = startGitHubEvents({
    db,
    github,
    webhookSecret: config.github.webhookSecret,
    logger: logger.child({ component: 'github-events' }),
    track,
    onTaskChange: (taskId) => {
      if (cards) track(cards.refresh(taskId));
      if (home) track(refreshHomesOf(store, home, taskId));
    },
  });
  let pullNotes: PullRequestNotifier | undefined;
  const onChange = (taskId: string) => {
    if (cards) track(cards.refresh(taskId));
    if (failures) track(failures.onChange(taskId));
    if (pullNotes) track(pullNotes.onChange(taskId));
  };

  const runner = new Runner({
    database,
    agents: {
      ticket: createTicketAgent({ github, logger: logger.child({ agent: 'ticket' }) }),
      email: createEmailAgent({
        mailer,
        from: config.email.from,
        to: config.email.to,
        // The recipients frozen on the task when it was approved (its project's, else TARGET_EMAIL).
        recipientsFor: async (taskId) => {
          const task = await store.getTask(taskId);
          return task ? (await settings.forTask(task)).recipients : [];
        },
        logger: logger.child({ agent: 'email' }),
      }),
      code: createCodeAgent({
        settings: envCodeSettings(config.code),
        anthropic,
        github,
        logger: logger.child({ agent: 'code' }),
        ...(options.codeCi ? { ci: options.codeCi } : {}),
        ...(options.codeDelegatePollMs !== undefined ? { delegatePollMs: options.codeDelegatePollMs } : {}),
        onProgress: async (ctx, progress) => {
          await writeStepProgress(db, ctx.runId, 'code', progress);
          onChange(ctx.task.id);
        },
      }),
      build: createBuildAgent({
        github,
        settings: {
          ...config.build,
          ...(options.buildPollMs !== undefined ? { pollMs: options.buildPollMs } : {}),
        },
        onProgress: async (ctx, progress) => {
          await writeStepProgress(db, ctx.runId, 'build', progress);
          onChange(ctx.task.id);
        },
      }),
      deploy: createDeployAgent({
        github,
        target: deployTarget,
        environments: config.deploy.environments,
        lastGoodImage: (environment) => lastGoodImage(db, environment),
        rolloutTimeoutMs: config.deploy.rolloutTimeoutMs,
        ...(options.deployClock ? { clock: options.deployClock } : {}),
        ...(options.deployPollMs !== undefined ? { pollIntervalMs: options.deployPollMs } : {}),
        onProgress: async (ctx, progress) => {
          await writeStepProgress(db, ctx.runId, 'deploy', progress);
          onChange(ctx.task.id);
        },
      }),
    },
    logger: logger.child({ component: 'runner' }),
    onChange,
    resolveUserName: async (userId) => (users ? users.name(userId) : null),
    concurrency: config.runner.concurrency,
    maxAttempts: config.runner.maxAttempts,
    leaseMs: config.runner.leaseMs,
    stepTimeoutMs: config.runner.stepTimeoutMs,
    // Code, build and deploy keep budgets of their own (CODE_*, BUILD_TIMEOUT_SECONDS,
    // DEPLOY_ROLLOUT_TIMEOUT_SECONDS); the step deadline only stops them when those failed to, so
    // each gets a minute more than its longest budget.
    stepTimeoutsMs: {
      code:
        Math.max(config.code.timeoutMs + config.code.ciTimeoutMs, config.code.delegate.timeoutMs) + 60_000,
      build: config.build.timeoutMs + 60_000,
      deploy: config.deploy.rolloutTimeoutMs + 60_000,
    },
    ...(options.runnerBackoffMs !== undefined ? { backoffBaseMs: options.runnerBackoffMs } : {}),
    ...(options.runnerPollMs !== undefined ? { pollMs: options.runnerPollMs } : {}),
  });

  // Phase 3: a merged PR of a task starts its build (once per merge commit).
  githubEvents.intake.subscribe(
    new BuildStarter({
      db,
      links: githubEvents.links,
      logger: logger.child({ component: 'build-start' }),
      workflow: config.build.workflow,
      steps: config.deploy.environments.length > 0 ? BUILD_DEPLOY_STEPS : BUILD_STEPS,
      onStarted: (taskId) => {
        runner.enqueue();
        onChange(taskId);
      },
    }).subscription(),
  );

  const slack = createSlackApp(
    {
      botToken,
      signingSecret: signingSecret ?? '',
      appToken,
      apiUrl: config.slack.apiUrl,
      fetch: deadlineFetch('Slack', config.httpTimeoutMs, globalThis.fetch, (status) =>
        metrics.recordCall('slack', status),
      ),
      onAck: (surface, seconds) => metrics.observeAck(surface, seconds),
      ...(options.botId ? { botId: options.botId } : {}),
      ...(options.botUserId ? { botUserId: options.botUserId } : {}),
      logger,
      isReady: () => ready,
      ...(options.slackRetries !== undefined ? { retries: options.slackRetries } : {}),
      extraRoutes: [
        ...(options.extraRoutes ?? []),
        githubEvents.route,
        // Never unauthenticated on the public port: without a token, /metrics is only on METRICS_PORT.
        ...(config.metrics.token ? [metricsRoute(metrics, config.metrics.token)] : []),
      ],
    },
    (app): SlackDeps => {
      users = new UserDirectory(app.client);
      roles = new SlackWorkspaceRoles(app.client, logger.child({ component: 'roles' }));
      usergroups = new SlackUsergroups(app.client, logger.child({ component: 'usergroups' }));
      failures = new FailureNotifier(app.client, store, permissions, logger.child({ component: 'failures' }));
      cards = new CardPublisher(app.client, store, users, logger.child({ component: 'cards' }), {
        githubLinks: (taskId) => githubEvents.links.forTask(taskId),
      });
      pullNotes = new PullRequestNotifier(
        app.client,
        store,
        createEffectLedger(db),
        logger.child({ component: 'pull-requests' }),
      );
      const membership = new ChannelMembership(app.client);
      home = new HomePublisher(
        db,
        app.client,
        permissions,
        logger.child({ component: 'home' }),
        membership,
        projects,
      );
      return {
        client: app.client,
        store,
        runs: runner,
        cards,
        extraction: new ExtractionFlow({
          client: app.client,
          extractor,
          store,
          users,
          access: new ThreadAccessGuard(app.client, membership, logger.child({ component: 'access' })),
          limits: new ExtractionLimits(db, config.extraction),
          defaultRepoFor: async (channelId) => (await settings.forChannel(channelId)).defaultRepo,
          logger: logger.child({ component: 'extraction' }),
        }),
        users,
        home,
        projects,
        settings,
        repoAccess: new GitHubRepoAccess(github, logger.child({ component: 'repo-access' })),
        permissions,
        logger,
        track,
      };
    },
  );

  await slack.start(config.port, config.host);
  const port = boundPort(slack) ?? config.port;
  await runner.start();
  const jobs =
    options.jobs === false
      ? undefined
      : startJobs(
          {
            database,
            logger, // startJobs adds component: 'jobs' itself
            recoverExpiredLeases: () => runner.recoverExpiredLeases(),
            remindApprovers: () =>
              remindApprovers({
                db,
                client: slack.app.client,
                approvers: config.approvers,
                logger: logger.child({ component: 'approval-reminder' }),
              }),
            pruneAuditEvents: () => pruneAuditEvents(db, config.jobs.auditRetentionDays),
            ...(githubEvents.poller && config.github.pollCron
              ? { pollGitHub: () => githubEvents.poll() }
              : {}),
          },
          {
            'approval-reminder': config.jobs.approvalReminderCron,
            ...(config.github.pollCron ? { 'github-poll': config.github.pollCron } : {}),
          },
        );

  const metricsServer =
    config.metrics.port !== undefined
      ? await startMetricsServer({
          metrics,
          host: config.host,
          port: config.metrics.port,
          token: config.metrics.token,
        })
      : undefined;
  // /healthz turns 200 only once the runner and the jobs are up too.
  ready = true;

  const idle = async () => {
    for (let i = 0; i < 50; i++) {
      await Promise.allSettled([...background]);
      await runner.idle();
      await cards?.idle();
      if (background.size === 0) {
        await new Promise((r) => setImmediate(r));
        if (background.size === 0) return;
      }
    }
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    slack,
    database,
    store,
    runner,
    githubEvents,
    idle,
    metrics,
    metricsPort: metricsServer?.port,
    async stop() {
      ready = false;
      await metricsServer?.close();
      await jobs?.stop();
      await slack.stop().catch(() => {});
      await runner.stop();
      await idle();
      mailer.close();
      if (!options.database) await database.close();
    },
  };
}

/** The queue gauges: steps waiting to be claimed, and how long the oldest has waited. */
async function readQueue(db: Database['db']): Promise<QueueSnapshot> {
  const [row] = await db
    .select({ pending: count(), oldest: min(steps.createdAt) })
    .from(steps)
    .where(eq(steps.status, 'pending'));
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
  return {
    pendingSteps: Number(row?.pending ?? 0),
    oldestPendingSeconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000),
  };
}

/** App Home follows a task's GitHub state: republished for the people it shows the task to. */
async function refreshHomesOf(store: TaskStore, home: HomePublisher, taskId: string): Promise<void> {
  const found = await store.taskWithDiscussion(taskId);
  if (!found) return;
  const people = new Set(
    [found.discussion.requestedBy, found.task.assignee, found.task.approvedBy].filter(
      (u): u is string => typeof u === 'string' && /^[UW][A-Z0-9]+$/.test(u),
    ),
  );
  await Promise.all([...people].map((u) => home.publish(u)));
}

/** The port the HTTP receiver actually bound (config.port may be 0 in tests). */
function boundPort(slack: SlackApp): number | undefined {
  const server = slack.server();
  const address = server?.address();
  return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
}
