import { Octokit } from '@octokit/rest';
import type { GitHubStandIn } from '../support/github-standin.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The real Octokit pointed at the stand-in, without retries or request logging. */
export function octokitFor(gh: GitHubStandIn, token = gh.token): Octokit {
  return new Octokit({ baseUrl: gh.url, auth: token, request: { retries: 0 }, log: quiet });
}
