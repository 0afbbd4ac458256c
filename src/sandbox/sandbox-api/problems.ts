/** The page's Problems panel: what Slack would have shown or refused (Web API errors, failed requests to the app). */

import type { Logger } from '../../logger.js';
import type { LiveUpdates } from '../live-updates.js';
import type { SentResponse } from '../slack-requests.js';
import type { SlackWebApiStandIn } from '../slack-web-api.js';
import type { Problem } from './page-state.js';

type Json = Record<string, unknown>;

const MAX_PROBLEMS = 50;

export class ProblemLog {
  readonly list: Problem[] = [];

  constructor(
    private readonly standIn: SlackWebApiStandIn,
    private readonly live: LiveUpdates,
    private readonly logger: Logger,
  ) {}

  /** Slack reports an app that answers with an error or not at all; so does the page. */
  outcome(sent: SentResponse, what: string): Json {
    if (sent.status === 200) return { ok: true };
    const summary = `The app answered ${what} with HTTP ${sent.status}`;
    this.add('app', summary, sent.body ? [sent.body.slice(0, 2000)] : []);
    return { ok: false, error: `${summary} (Slack would show “dispatch_failed”).` };
  }

  /** The Web API call the stand-in just refused. */
  recordApiError(): void {
    const call = this.standIn.calls().at(-1);
    if (!call?.error) return;
    this.add('web_api', `${call.method} → ${call.error}`, call.errorMessages ?? []);
  }

  add(source: Problem['source'], summary: string, details: string[]): void {
    this.list.unshift({ at: new Date().toISOString(), source, summary, details });
    if (this.list.length > MAX_PROBLEMS) this.list.length = MAX_PROBLEMS;
    this.logger.warn({ source, details }, `sandbox: ${summary}`);
    this.live.changed();
  }
}
