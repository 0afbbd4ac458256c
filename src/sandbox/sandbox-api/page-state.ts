/** What one person sees on the sandbox page: every message, their own ephemerals, their open modal and Home. */

import { SLASH_COMMANDS } from '../../slack/ids.js';
import type { SlackWebApiStandIn } from '../slack-web-api.js';
import { SANDBOX_CHANNELS, SANDBOX_PEOPLE, SANDBOX_SHORTCUTS, SANDBOX_TEAM } from '../workspace.js';

type Json = Record<string, unknown>;

/** Something Slack would have shown or refused: a Web API error, a failed request to the app, … */
export interface Problem {
  at: string;
  source: 'web_api' | 'app' | 'view';
  summary: string;
  details: string[];
}

/** What `user` sees: every message, their own ephemerals, their open modal and Home tab. */
export function pageState(input: {
  standIn: SlackWebApiStandIn;
  user: string;
  version: number;
  approvers: readonly string[];
  ephemeralTimes: readonly string[];
  problems: Problem[];
}): Json {
  const user = input.user;
  const s = input.standIn;
  const messages: Record<string, Json[]> = {};
  for (const c of SANDBOX_CHANNELS) {
    messages[c.id] = s.messages(c.id).map((m) => ({
      ts: m.ts,
      ...(m.threadTs !== undefined ? { threadTs: m.threadTs } : {}),
      ...(m.user !== undefined ? { user: m.user } : {}),
      ...(m.botId !== undefined ? { botId: m.botId } : {}),
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      edited: m.edited !== undefined,
      permalink: s.permalink(m.channel, m.ts, m.threadTs),
    }));
  }
  const ephemerals = s
    .ephemerals()
    .map((e, i) => ({ id: i, ts: input.ephemeralTimes[i] ?? '0.000000', ...e }))
    .filter((e) => e.user === user);
  const stack = s.openedViews().filter((v) => v.userId === user);
  const top = stack.at(-1);
  let modal: Json | null = null;
  // `response_action: errors` are not part of it: the page that submitted shows them, a reload does not.
  if (top) modal = { id: top.id, view: top.view, depth: stack.length };
  return {
    version: input.version,
    team: SANDBOX_TEAM,
    bot: { id: s.botUserId, botId: s.botId, name: 'Orchestrator' },
    me: user,
    people: Object.values(SANDBOX_PEOPLE).map((p) => ({
      ...p,
      approver: input.approvers.length === 0 || input.approvers.includes(p.id),
    })),
    everyoneApproves: input.approvers.length === 0,
    channels: SANDBOX_CHANNELS,
    commands: SLASH_COMMANDS,
    shortcuts: Object.entries(SANDBOX_SHORTCUTS).map(([callbackId, name]) => ({ callbackId, name })),
    messages,
    ephemerals,
    modal,
    home: s.homeView(user) ?? null,
    problems: input.problems,
  };
}
