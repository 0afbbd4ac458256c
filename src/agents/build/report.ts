/**
 * What a finished run tells us: on failure, the failing job and step and the tail of that job's
 * log; on success, the image reference (the `image-ref` artifact, else IMAGE_REPOSITORY:<sha>).
 */
import type { Octokit } from '@octokit/rest';
import { z } from 'zod';
import { logTail } from '../code/ci.js';
import type { RepoRef } from './dispatch.js';
import { firstFileText } from './zip-text.js';

const JobsSchema = z.object({
  jobs: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      conclusion: z.string().nullish(),
      html_url: z.string().nullish(),
      steps: z.array(z.object({ name: z.string(), conclusion: z.string().nullish() })).optional(),
    }),
  ),
});
const ArtifactsSchema = z.object({
  artifacts: z.array(z.object({ id: z.number(), name: z.string(), expired: z.boolean().nullish() })),
});

/** Lines of the failing log shown on the card and in the thread. */
const CARD_TAIL_LINES = 20;
const CARD_TAIL_CHARS = 2_000;

export interface FailureReport {
  job: string | null;
  step: string | null;
  logTail: string | null;
}

const PASSING = new Set(['success', 'skipped', 'neutral']);

export async function failureReport(
  github: Octokit,
  ref: RepoRef,
  runId: number,
  signal: AbortSignal,
): Promise<FailureReport> {
  const jobs = JobsSchema.parse(
    (
      await github.rest.actions.listJobsForWorkflowRun({
        ...ref,
        run_id: runId,
        filter: 'latest',
        request: { signal },
      })
    ).data,
  ).jobs;
  const job = jobs.find((j) => j.conclusion && !PASSING.has(j.conclusion));
  if (!job) return { job: null, step: null, logTail: null };
  const step =
    job.steps?.find((s) => s.conclusion === 'failure' || s.conclusion === 'cancelled')?.name ?? null;
  let tail: string | null = null;
  try {
    const res = await github.rest.actions.downloadJobLogsForWorkflowRun({
      ...ref,
      job_id: job.id,
      request: { signal },
    });
    const log = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    tail = logTail(log).split('\n').slice(-CARD_TAIL_LINES).join('\n').slice(-CARD_TAIL_CHARS);
  } catch {
    // Logs expire or may be withheld; the job and step still say where it broke.
    tail = null;
  }
  return { job: job.name, step, logTail: tail };
}

/** The image the run built: its `image-ref` artifact's text, or null when it uploaded none. */
export async function imageRefArtifact(
  github: Octokit,
  ref: RepoRef,
  runId: number,
  signal: AbortSignal,
): Promise<string | null> {
  const list = ArtifactsSchema.parse(
    (await github.rest.actions.listWorkflowRunArtifacts({ ...ref, run_id: runId, request: { signal } })).data,
  ).artifacts;
  const artifact = list.find((a) => a.name === 'image-ref' && !a.expired);
  if (!artifact) return null;
  const res = await github.rest.actions.downloadArtifact({
    ...ref,
    artifact_id: artifact.id,
    archive_format: 'zip',
    request: { signal },
  });
  const bytes = Buffer.from(res.data as ArrayBuffer);
  const text = firstFileText(bytes)?.trim();
  return text && /^[\w.\-/:@]+$/.test(text) && text.length <= 512 ? text : null;
}
