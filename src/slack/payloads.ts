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

/**
 * A task button's value: `<taskId>:<version>`, the version of the task the card showed, so a
 * click acts only on what the person saw. A bare id (a card drawn before versions were carried)
 * parses without a version, and version-bound actions then refuse it as stale.
 */
export const TaskButtonValue = z
  .string()
  .max(255)
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:\d{1,9})?$/i)
  .transform((value) => {
    const [taskId, version] = value.split(':');
    return { taskId: taskId!, version: version === undefined ? undefined : Number(version) };
  });

/** The value a card's task button carries. */
export function taskButtonValue(task: { id: string; version: number }): string {
  return `${task.id}:${task.version}`;
}

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
