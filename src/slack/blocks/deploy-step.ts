/** The `deploy` step on the card: one line per environment (progress, result, rollback). */
import { z } from 'zod';
import { safeCut } from './format.js';

const DeployOutputSchema = z.object({
  environments: z.array(
    z.object({
      environment: z.string(),
      result: z.enum(['deployed', 'rolled-back', 'failed', 'superseded', 'gated', 'deploying']),
      image: z.string().nullish(),
      previousImage: z.string().nullish(),
      summary: z.string().nullish(),
    }),
  ),
});

const WORDS: Record<z.infer<typeof DeployOutputSchema>['environments'][number]['result'], string> = {
  deployed: 'deployed',
  'rolled-back': 'failed, rolled back',
  failed: 'failed',
  superseded: 'superseded',
  gated: 'not deployed: needs approval, and approval gates are not available yet',
  deploying: 'deploying',
};

/** "production: deployed `img` · staging: deploying (3 of 4 updated)", or null without output. */
export function deployStepText(output: unknown, detailMax: number): string | null {
  const parsed = DeployOutputSchema.safeParse(output ?? {});
  if (!parsed.success || parsed.data.environments.length === 0) return null;
  return parsed.data.environments
    .map((e) => {
      const image = e.image ? ` \`${safeCut(e.image, 200).replace(/`/g, "'")}\`` : '';
      const summary = e.summary && e.summary !== e.result ? ` (${safeCut(e.summary, detailMax)})` : '';
      return `${safeCut(e.environment, 64)}: ${WORDS[e.result]}${image}${summary}`;
    })
    .join(' · ');
}
