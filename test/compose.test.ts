import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

/** The parts of the compose file the app's wiring depends on. */
const Healthcheck = z.object({ test: z.union([z.string(), z.array(z.string())]) });
const Environment = z.union([
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  z.array(z.string()),
]);
const ComposeSchema = z.object({
  services: z.object({
    postgres: z.object({
      image: z.string(),
      environment: Environment,
      volumes: z.array(z.string()).min(1),
      healthcheck: Healthcheck,
    }),
    app: z.object({
      build: z.union([z.string(), z.object({ context: z.string() })]),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })),
      environment: Environment,
      ports: z.array(z.union([z.string(), z.number()])),
      healthcheck: Healthcheck,
    }),
  }),
});

const compose = ComposeSchema.parse(parse(readFileSync('docker-compose.yml', 'utf8')));
const dockerfile = readFileSync('Dockerfile', 'utf8');

/** Compose accepts `KEY: value` maps and `KEY=value` lists; normalise to a map of strings. */
function envMap(environment: z.infer<typeof Environment>): Record<string, string> {
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

const healthcheckCommand = (test: string | string[]): string => (Array.isArray(test) ? test.join(' ') : test);

const app = compose.services.app;
const postgres = compose.services.postgres;
const appEnv = envMap(app.environment);
const pgEnv = envMap(postgres.environment);

describe('docker-compose.yml', () => {
  it('starts the app only once PostgreSQL is healthy', () => {
    expect(app.depends_on.postgres?.condition).toBe('service_healthy');
    expect(healthcheckCommand(postgres.healthcheck.test)).toContain('pg_isready');
    expect(postgres.image).toMatch(/^postgres:16/);
  });

  it('points DATABASE_URL at the postgres service with its user, password and database', () => {
    const url = new URL(appEnv.DATABASE_URL ?? '');
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER ?? 'postgres');
    expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
    expect(url.pathname.slice(1)).toBe(pgEnv.POSTGRES_DB ?? pgEnv.POSTGRES_USER ?? 'postgres');
    expect(url.port === '' || url.port === '5432').toBe(true);
  });

  it('sets only variables the app reads, including the required Slack ones, and no app token', () => {
    const known = new Set([...CONFIG_VARIABLES, 'NODE_ENV']);
    const unknown = Object.keys(appEnv).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // Required: `${NAME:?message}`, so compose refuses to start (not just warns) when the host lacks them.
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']) {
      expect(appEnv[name], name).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]*${name}[^}]*\\}$`));
    }
    // Without SLACK_APP_TOKEN the app runs its HTTP receiver, which is what the ports publish.
    expect(appEnv).not.toHaveProperty('SLACK_APP_TOKEN');
  });

  it('passes the optional variables through from the host, empty when unset', () => {
    for (const [name, value] of Object.entries(appEnv)) {
      if (!value.includes('${') || value.includes(':?')) continue;
      expect(value, name).toMatch(new RegExp(`^\\$\\{${name}(:-)?\\}$`));
    }
  });

  it('publishes the port the app listens on', () => {
    const listening = loadConfig({ PORT: appEnv.PORT }).port;
    const containerPorts = app.ports.map((mapping) => Number(String(mapping).split(':').pop()));
    expect(containerPorts).toContain(listening);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${listening}$`, 'm'));
  });

  it('health-checks the app on /healthz at that port', () => {
    const command = healthcheckCommand(app.healthcheck.test);
    const port = loadConfig({ PORT: appEnv.PORT }).port;
    expect(command).toContain(`:${port}/healthz`);
  });
});
