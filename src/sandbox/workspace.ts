/**
 * The sandbox's made-up workspace: a few people (one of them the approver), two channels and a sample
 * discussion to extract tasks from. Plain data plus the function that puts it into the Slack stand-in.
 */
import type { SlackWebApiStandIn, StandInMessage } from './slack-web-api.js';

export interface SandboxPerson {
  id: string;
  name: string;
  realName: string;
  title: string;
}

export const SANDBOX_PEOPLE = {
  lena: { id: 'U0LENA', name: 'lena', realName: 'Lena Lead', title: 'Engineering lead (approver)' },
  alice: { id: 'U0ALICE', name: 'alice', realName: 'Alice Dev', title: 'Backend developer' },
  bob: { id: 'U0BOB', name: 'bob', realName: 'Bob Ops', title: 'Site reliability' },
  carol: { id: 'U0CAROL', name: 'carol', realName: 'Carol PM', title: 'Product manager' },
} as const satisfies Record<string, SandboxPerson>;

/** The person who may approve when SLACK_APPROVERS is not set. */
export const SANDBOX_APPROVER: SandboxPerson = SANDBOX_PEOPLE.lena;

export const SANDBOX_CHANNELS = [
  { id: 'C0ENG', name: 'eng' },
  { id: 'C0GENERAL', name: 'general' },
] as const;

export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'sandbox', name: 'Sandbox' } as const;

/** Message shortcuts the sandbox offers on every message (callback id → label in the ⋮ menu). */
export const SANDBOX_SHORTCUTS: Record<string, string> = { extract_tasks: 'Extract tasks' };

const { lena, alice, bob, carol } = SANDBOX_PEOPLE;

/** A realistic thread: a few action items among chatter, so the extractor has something to find. */
export const SAMPLE_DISCUSSION: ReadonlyArray<readonly [userId: string, text: string]> = [
  [lena.id, 'Follow-ups from yesterday’s login outage post-mortem, one per reply please.'],
  [
    alice.id,
    'We need to add rate limiting to the login endpoint, 5 attempts per minute per IP. This is urgent.',
  ],
  [bob.id, 'Agreed. Also the auth alert fired 20 minutes late.'],
  [lena.id, `<@${bob.id}> will fix the alert threshold for the auth error rate by Friday.`],
  [carol.id, 'Customers asked what happened, so someone should write a short status page update.'],
  [alice.id, 'lol yes, coffee first :coffee:'],
  [lena.id, 'TODO: write a runbook for the auth service outage'],
  [bob.id, 'Thanks all!'],
];

/** Adds the people and channels to a fresh stand-in. */
export function seedWorkspace(standIn: SlackWebApiStandIn): void {
  for (const p of Object.values(SANDBOX_PEOPLE)) {
    standIn.addUser({ id: p.id, name: p.name, realName: p.realName, displayName: p.realName });
  }
  for (const c of SANDBOX_CHANNELS) standIn.addChannel({ id: c.id, name: c.name });
}

/** Posts the sample discussion as a thread in `channel`; returns its first message. */
export function postSampleDiscussion(standIn: SlackWebApiStandIn, channel: string): StandInMessage {
  const [first, ...rest] = SAMPLE_DISCUSSION;
  if (!first) throw new Error('the sample discussion is empty');
  const parent = standIn.postMessage({ channel, user: first[0], text: first[1] });
  for (const [user, text] of rest) standIn.postMessage({ channel, user, text, threadTs: parent.ts });
  return parent;
}
