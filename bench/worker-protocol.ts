import { z } from 'zod';

/** Messages between bench/run.ts and a bench/worker.ts child, over the IPC channel of fork(). */
export const ParentMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('stop') }),
]);
export type ParentMessage = z.infer<typeof ParentMessage>;

export const WorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({
    type: z.literal('stats'),
    queries: z.number(),
    kinds: z.record(z.string(), z.number()),
    claims: z.number(),
    cpuMs: z.number(),
  }),
  z.object({ type: z.literal('stopped') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;
