import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  armedFaultPoints,
  armFaultPoints,
  disarmFaultPoints,
  FAULT_POINTS,
  faultPoint,
  parseFaultPoints,
} from '../../src/testing/fault-points.js';

const root = join(import.meta.dirname, '..', '..');

/** The real entry point, as an operator would start it; resolves with exit code and output. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    // A bot that did start (the guard failed) is stopped so the test ends and fails on the code.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('fault points', () => {
  afterEach(() => disarmFaultPoints());

  it('a production start with a fault variable refuses to start, naming the variable', async () => {
    const { code, output } = await runMain({
      NODE_ENV: 'production',
      TEST_FAULT_POINTS: 'email:after-effect',
      PORT: '0',
      HOST: '127.0.0.1',
    });
    expect(code).toBe(1);
    expect(output).toContain('TEST_FAULT_POINTS');
    expect(output).toContain('NODE_ENV=production');
  });

  it('refuses names no code defines, so a typo cannot silently test nothing', () => {
    expect(() => parseFaultPoints('email:after-efect')).toThrow(/unknown points: email:after-efect/);
    expect([...parseFaultPoints(' ticket:after-effect , runner:after-claim ')]).toEqual([
      'ticket:after-effect',
      'runner:after-claim',
    ]);
    expect(parseFaultPoints(undefined).size).toBe(0);
  });

  it('is read once: changing the environment later arms nothing', () => {
    const env: NodeJS.ProcessEnv = { TEST_FAULT_POINTS: '' };
    armFaultPoints(env);
    env.TEST_FAULT_POINTS = FAULT_POINTS.join(',');
    expect(armedFaultPoints().size).toBe(0);
    // Not armed: passing the point does nothing (were it armed, this test process would exit).
    for (const point of FAULT_POINTS) faultPoint(point);
  });

  it('arms only outside production', () => {
    expect([...armFaultPoints({ TEST_FAULT_POINTS: 'email:after-ledger', NODE_ENV: 'test' })]).toEqual([
      'email:after-ledger',
    ]);
    expect(() => armFaultPoints({ TEST_FAULT_POINTS: 'email:after-ledger', NODE_ENV: 'production' })).toThrow(
      /refusing to start/,
    );
  });
});
