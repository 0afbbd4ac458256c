import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { createGitHubClient } from '../src/services/github.js';
import { createMailer } from '../src/services/mailer.js';
import { median } from './stats.js';

/**
 * What one outside call costs through the same clients and stand-ins the bot uses, with nothing
 * else going on, measured in the same run as the batch:
 *   GitHub: one REST call (creating an issue, the call every ticket step makes);
 *   SMTP:   one message over a fresh connection (the mailer does not pool connections).
 * The ideal's critical path is then (GitHub calls per run, as observed) × githubCallMs +
 * smtpMs. Slack's chat.update calls are not on it: the runner never waits for them.
 */
export interface CallCosts {
  githubCallMs: number;
  smtpMs: number;
  samples: { githubCallMs: number[]; smtpMs: number[] };
}

export async function measureCallCosts(args: {
  github: { url: string; token: string; repo: string };
  smtp: Config['smtp'];
  outboxDir: string;
  logger: Logger;
  repetitions: number;
}): Promise<CallCosts> {
  const github = createGitHubClient({
    token: args.github.token,
    apiUrl: args.github.url,
    logger: args.logger,
    throttle: false,
  });
  const mailer = createMailer({ smtp: args.smtp, outboxDir: args.outboxDir, logger: args.logger });
  const [owner, repo] = args.github.repo.split('/') as [string, string];
  const githubCallMs: number[] = [];
  const smtpMs: number[] = [];
  try {
    // One of each first, unmeasured: connection set-up and JIT are not what a call costs.
    for (let i = -1; i < args.repetitions; i++) {
      let t = performance.now();
      await github.rest.issues.create({
        owner,
        repo,
        title: `Baseline ${i}`,
        body: 'baseline',
        labels: ['bench'],
      });
      if (i >= 0) githubCallMs.push(performance.now() - t);

      t = performance.now();
      await mailer.send({
        from: 'bench@acme.test',
        to: 'team@acme.test',
        subject: `Baseline ${i}`,
        text: 'baseline',
        html: '<p>baseline</p>',
        messageId: `<baseline-${i}-${Date.now()}@bench>`,
      });
      if (i >= 0) smtpMs.push(performance.now() - t);
    }
  } finally {
    mailer.close();
  }
  return { githubCallMs: median(githubCallMs), smtpMs: median(smtpMs), samples: { githubCallMs, smtpMs } };
}
