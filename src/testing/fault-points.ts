/**
 * Fault points: a test-only way to make the process die abruptly at a named place, so the crash
 * matrix can prove that every effect happens once whatever moment a process is lost.
 *
 * `TEST_FAULT_POINTS` (comma-separated names) is read once, when `armFaultPoints` runs at
 * start-up; nothing else reads the environment. The entry point refuses to start with it under
 * `NODE_ENV=production` (see `assertNoFaultPointsInProduction`), so a production process can
 * never have a point armed. Hitting an armed point ends the process at once with exit code 86:
 * no `finally`, no graceful shutdown, no flushed buffers, just like a kill -9 or a power cut.
 */

export const FAULT_EXIT_CODE = 86;

/** Every point the code names. A name outside this list is refused when arming. */
export const FAULT_POINTS = [
  'runner:after-claim',
  'runner:after-success',
  'ticket:before-effect',
  'ticket:after-effect',
  'ticket:after-ledger',
  'email:before-effect',
  'email:after-effect',
  'email:after-ledger',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** The three boundaries every effect-making agent names. */
export const AGENT_BOUNDARIES = ['before-effect', 'after-effect', 'after-ledger'] as const;
export type AgentBoundary = (typeof AGENT_BOUNDARIES)[number];

let armed: ReadonlySet<string> = new Set();

export class FaultPointsInProductionError extends Error {
  constructor() {
    super('TEST_FAULT_POINTS is set but NODE_ENV=production: refusing to start (remove TEST_FAULT_POINTS)');
    this.name = 'FaultPointsInProductionError';
  }
}

/** Parses the variable's value; throws on a name that no code defines (a typo would test nothing). */
export function parseFaultPoints(value: string | undefined): Set<FaultPoint> {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const known = new Set<string>(FAULT_POINTS);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`TEST_FAULT_POINTS names unknown points: ${unknown.join(', ')}`);
  }
  return new Set(names as FaultPoint[]);
}

export function assertNoFaultPointsInProduction(env: NodeJS.ProcessEnv): void {
  if ((env.TEST_FAULT_POINTS ?? '').trim() !== '' && env.NODE_ENV === 'production') {
    throw new FaultPointsInProductionError();
  }
}

/** Called once by the entry point, before anything runs. */
export function armFaultPoints(env: NodeJS.ProcessEnv): ReadonlySet<FaultPoint> {
  assertNoFaultPointsInProduction(env);
  const points = parseFaultPoints(env.TEST_FAULT_POINTS);
  armed = points;
  return points;
}

/** Ends the process right here when `point` is armed; otherwise does nothing. */
export function faultPoint(point: FaultPoint): void {
  if (armed.size === 0 || !armed.has(point)) return;
  process.stderr.write(`fault point ${point} hit: exiting\n`);
  process.exit(FAULT_EXIT_CODE);
}

/** For in-process tests: what is armed now (and a way to disarm). */
export function armedFaultPoints(): ReadonlySet<string> {
  return armed;
}
export function disarmFaultPoints(): void {
  armed = new Set();
}
