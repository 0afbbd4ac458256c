import { z } from 'zod';

/** The parts of Slack's payloads the listeners rely on, validated rather than trusted. */

export const TaskButtonAction = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().max(255).optional() })).min(1),
});
export type TaskButtonAction = z.infer<typeof TaskButtonAction>;

export const MessageShortcut = z.object({
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullable().optional(),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }),
});

export const AppMention = z.object({
  user: z.string().optional(),
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  text: z.string().default(''),
  team: z.string().optional(),
  bot_id: z.string().optional(),
});

export const SlashCommand = z.object({
  user_id: z.string(),
  channel_id: z.string(),
  team_id: z.string().optional(),
  text: z.string().default(''),
});
