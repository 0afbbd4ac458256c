/**
 * The `kubernetes.io/change-cause` text of a deploy: which task, which pull request, who
 * approved. It is what `kubectl rollout history` shows, and, with the image, what tells a
 * resumed deploy that its change is already in place: the same deploy gives the same text,
 * another deploy of the same image a different one.
 */

export interface ChangeCauseInput {
  action: 'deploy' | 'rollback';
  taskId: string;
  runId?: string | null;
  pullRequest?: number | null;
  approvedBy?: string | null;
}

const MAX_LENGTH = 300;

export function formatChangeCause(input: ChangeCauseInput): string {
  const parts = [
    `ai-orchestrator ${input.action}`,
    `task ${input.taskId}`,
    input.runId ? `run ${input.runId}` : null,
    input.pullRequest ? `PR #${input.pullRequest}` : null,
    input.approvedBy ? `approved by ${input.approvedBy}` : null,
  ].filter((part): part is string => part !== null);
  // Annotation values are free text, but kubectl prints them on one line: no control characters.
  const text = parts
    .join(', ')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
