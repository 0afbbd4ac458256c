import type { DiscussionRow, TaskGithubLinkRow, TaskRow } from '../../db/schema.js';
import type { AgentName, RunStatus, StepStatus } from '../domain/pipeline.js';
import type { TaskStatus } from '../domain/task.js';
import { taskFieldsOf } from '../tasks/task-fields.js';
import type { RunWithSteps } from '../tasks/task-store.js';
import type { GitHubLinkModel, RunModel, TaskCardModel } from './blocks/models.js';

/** Database rows → the view model the pure card builder takes. */
export function toTaskCardModel(
  task: TaskRow,
  discussion: Pick<DiscussionRow, 'extractor' | 'truncated' | 'permalink'> | undefined,
  latest: RunWithSteps | undefined,
  names: Record<string, string> = {},
  links: readonly TaskGithubLinkRow[] = [],
): TaskCardModel {
  return {
    ...taskFieldsOf(task),
    id: task.id,
    status: task.status as TaskStatus,
    version: task.version,
    evidence: task.evidence,
    threadLink: discussion?.permalink ?? null,
    extractor: discussion?.extractor ?? 'rules',
    truncated: discussion?.truncated ?? false,
    approvedBy: task.approvedBy,
    approvedAt: task.approvedAt,
    rejectedBy: task.rejectedBy,
    rejectedAt: task.rejectedAt,
    run: latest ? toRunModel(latest) : null,
    names,
    github: links.map(toGitHubLinkModel),
  };
}

export function toGitHubLinkModel(l: TaskGithubLinkRow): GitHubLinkModel {
  return { kind: l.kind === 'pull' ? 'pull' : 'issue', number: l.number, state: l.state, url: l.url };
}

export function toRunModel({ run, steps }: RunWithSteps): RunModel {
  return {
    id: run.id,
    status: run.status as RunStatus,
    startedBy: run.startedBy,
    error: run.error,
    errorDetail: run.errorDetail,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    steps: steps.map((s) => ({
      agent: s.agent as AgentName,
      status: s.status as StepStatus,
      attempt: s.attempt,
      durationMs:
        s.startedAt && s.finishedAt && (s.status === 'succeeded' || s.status === 'failed')
          ? s.finishedAt.getTime() - s.startedAt.getTime()
          : null,
      error: s.error,
      output: s.output ?? null,
    })),
  };
}
