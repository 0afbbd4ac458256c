import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The Dockerfile, parsed into stages and instructions (line continuations joined, comments
 * dropped), so the checks below read what Docker would read, not what a regex happens to find.
 */
interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', rest = ''] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image = '', as, name] = rest.split(/\s+/).filter((w) => !w.startsWith('--'));
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_m, v: string) => args[v] ?? `<unset ${v}>`);
      stages.push({
        from: resolved,
        name: as?.toUpperCase() === 'AS' ? (name ?? null) : null,
        instructions: [],
      });
    } else if (upper === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      if (k) args[k] = v ?? '';
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
    }
  }
  return { args, stages };
}

const dockerfile = readFileSync('Dockerfile', 'utf8');
const { stages } = parseDockerfile(dockerfile);
const final = stages.at(-1);

/** Node's supported LTS lines (https://nodejs.org/en/about/previous-releases): 22 and 24. */
const SUPPORTED_NODE_MAJORS = [22, 24];

function nodeMajor(image: string, stageNames: string[]): number | 'stage' | null {
  if (stageNames.includes(image)) return 'stage';
  const m = image.match(
    /^(?:docker\.io\/)?(?:library\/)?node:(\d+)(?:[.-][\w.-]*)?(?:@sha256:[0-9a-f]{64})?$/,
  );
  return m ? Number(m[1]) : null;
}

describe('Dockerfile (issue 7: supply chain)', () => {
  it('parses into stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(parseDockerfile('ARG V=24\nFROM node:$V-slim AS a\nRUN x \\\n  y\nFROM a\nUSER 1000')).toEqual({
      args: { V: '24' },
      stages: [
        { from: 'node:24-slim', name: 'a', instructions: [{ keyword: 'RUN', args: 'x    y' }] },
        { from: 'a', name: null, instructions: [{ keyword: 'USER', args: '1000' }] },
      ],
    });
  });

  it('builds every stage on a supported Node LTS (22 or 24), never on Node 20 or older', () => {
    const names: string[] = [];
    for (const stage of stages) {
      const major = nodeMajor(stage.from, names);
      expect(major, `FROM ${stage.from}`).not.toBeNull();
      if (major !== 'stage') expect(SUPPORTED_NODE_MAJORS, `FROM ${stage.from}`).toContain(major);
      if (stage.name) names.push(stage.name);
    }
    expect(nodeMajor('node:20-bookworm-slim', [])).toBe(20);
  });

  it('runs as a non-root user in the final stage, set after the last RUN', () => {
    const instructions = final?.instructions ?? [];
    const users = instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.args.split(':')[0];
    expect(user).not.toMatch(/^(root|0)$/);
    const lastUser = instructions.lastIndexOf(users.at(-1)!);
    expect(instructions.slice(lastUser).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('compiles, drops dev dependencies and installs from the lock file', () => {
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it('ships db/migrations and package.json next to dist (db/index.ts finds migrations from the project root)', () => {
    expect(dockerfile).toMatch(/^COPY .*db\/migrations \.\/db\/migrations$/m);
    expect(dockerfile).toMatch(/^COPY .*package\.json \.\/package\.json$/m);
  });

  it('starts dist/src/main.js, where the build puts it', () => {
    const cmd = final?.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    expect(cmd?.args).toBe('["node", "dist/src/main.js"]');
    const tsconfig = z
      .object({ compilerOptions: z.object({ outDir: z.string(), rootDir: z.string() }) })
      .parse(JSON.parse(readFileSync('tsconfig.json', 'utf8')));
    expect([tsconfig.compilerOptions.outDir, tsconfig.compilerOptions.rootDir]).toEqual(['dist', '.']);
  });
});
