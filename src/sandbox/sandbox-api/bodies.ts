/** What the sandbox page may POST, checked before anything reaches the bot. */

import { z } from 'zod';

export const userId = z.string().regex(/^[UW][A-Z0-9]+$/);
export const channelId = z.string().regex(/^[CGD][A-Z0-9]+$/);
export const ts = z.string().regex(/^\d+\.\d+$/);
export const Bodies = {
  message: z.object({
    user: userId,
    channel: channelId,
    text: z.string().min(1).max(40_000),
    threadTs: ts.optional(),
  }),
  command: z.object({
    user: userId,
    channel: channelId,
    command: z.string().regex(/^\/[\w-]+$/),
    text: z.string().max(4000).default(''),
  }),
  shortcut: z.object({ user: userId, channel: channelId, messageTs: ts, callbackId: z.string().min(1) }),
  action: z.discriminatedUnion('surface', [
    z.object({
      surface: z.literal('message'),
      user: userId,
      channel: channelId,
      messageTs: ts,
      actionId: z.string().min(1),
      blockId: z.string().optional(),
      value: z.string().optional(),
      values: z.array(z.string()).max(100).optional(),
    }),
    z.object({
      surface: z.literal('home'),
      user: userId,
      actionId: z.string().min(1),
      value: z.string().optional(),
      values: z.array(z.string()).max(100).optional(),
    }),
  ]),
  submit: z.object({
    user: userId,
    viewId: z.string().min(1),
    values: z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string() }))),
  }),
  close: z.object({ user: userId, viewId: z.string().min(1) }),
  home: z.object({ user: userId }),
  sample: z.object({ user: userId.optional(), channel: channelId }),
};
