import type { Octokit } from '@octokit/rest';
import type { Logger } from '../logger.js';

/** Which repositories the bot's GitHub token can reach; checked before settings are saved. */
export interface RepoAccess {
  /** The repositories it cannot reach, each with a reason for the person saving. */
  unreachable(repos: readonly string[]): Promise<Array<{ repo: string; reason: string }>>;
}

/**
 * `repos.get` for each repository (in parallel, under a deadline: a modal submission must be
 * answered within 3 seconds). Without a token the bot makes dry runs, so nothing is refused.
 */
export class GitHubRepoAccess implements RepoAccess {
  constructor(
    private readonly github: Octokit | null,
    private readonly logger: Logger,
    private readonly deadlineMs = 2000,
  ) {}

  async unreachable(repos: readonly string[]): Promise<Array<{ repo: string; reason: string }>> {
    const github = this.github;
    if (!github) return [];
    const signal = AbortSignal.timeout(this.deadlineMs);
    const results = await Promise.all(
      repos.map(async (full) => {
        const [owner = '', repo = ''] = full.split('/');
        try {
          await github.rest.repos.get({ owner, repo, request: { signal, retries: 0 } });
          return null;
        } catch (err) {
          const status = typeof err === 'object' && err !== null && 'status' in err ? err.status : undefined;
          if (status === 404 || status === 403 || status === 401) {
            return {
              repo: full,
              reason: `${full} does not exist or the bot's GitHub token cannot reach it.`,
            };
          }
          this.logger.warn({ err, repo: full }, 'could not check a repository');
          return { repo: full, reason: `GitHub did not answer about ${full} in time; try again.` };
        }
      }),
    );
    return results.filter((r) => r !== null);
  }
}
