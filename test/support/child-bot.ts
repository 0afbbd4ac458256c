import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildBot {
  process: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * The real entry point (src/main.ts) in its own process, configured only through its
 * environment, as an operator would run it. Resolves once GET /healthz answers 200.
 */
export async function startChildBot(
  env: Record<string, string>,
  port: number,
  timeoutMs = 60_000,
  /** A prebuilt bundle of src/main.ts (see bot-bundle.ts); default: the sources through tsx. */
  script?: string,
): Promise<ChildBot> {
  const root = join(import.meta.dirname, '..', '..');
  const args = script ? [script] : ['--import', 'tsx', join(root, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let finished = false;
  void exited.then(() => {
    finished = true;
  });
  for (;;) {
    if (finished) throw new Error(`bot exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bot not ready within ${timeoutMs} ms:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    process: child,
    port,
    url,
    output: () => out,
    exited,
    async kill(signal = 'SIGTERM') {
      if (!finished) child.kill(signal);
      return exited;
    },
  };
}

/** The environment an operator would set to run the bot against the local stand-ins. */
export function standInEnv(parts: {
  slack: { token: string; url: string };
  github: { token: string; url: string };
  smtpPort: number;
  signingSecret: string;
  repo: string;
  dataDir: string;
  databaseUrl?: string | undefined;
}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: parts.slack.token,
    SLACK_SIGNING_SECRET: parts.signingSecret,
    SLACK_API_URL: parts.slack.url,
    DATA_DIR: parts.dataDir,
    ...(parts.databaseUrl ? { DATABASE_URL: parts.databaseUrl } : {}),
    GITHUB_TOKEN: parts.github.token,
    GITHUB_API_URL: parts.github.url,
    GITHUB_REPO: parts.repo,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(parts.smtpPort),
    SMTP_SECURE: 'false',
    TARGET_EMAIL: 'team@acme.test',
    LOG_LEVEL: 'info',
  };
}
