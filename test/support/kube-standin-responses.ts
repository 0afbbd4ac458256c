import type { ServerResponse } from 'node:http';
import type { JsonObject, JsonValue } from '../../src/services/kubernetes-objects.js';
import { ApiFailure, notFound } from './kube-standin-model.js';

/** The Kubernetes API stand-in's answers, shaped as the API server writes them (`Status` on errors). */

export interface Answer {
  status: number;
  body: JsonValue;
  headers?: Record<string, string>;
}

export function found(
  object: JsonObject | undefined,
  resource: 'deployments' | 'replicasets',
  name: string,
): JsonObject {
  if (!object) throw notFound(resource, name);
  return object;
}

export function list(kind: string, items: JsonObject[]): JsonObject {
  return { apiVersion: 'apps/v1', kind, metadata: { resourceVersion: '1' }, items };
}

export function ok(body: JsonObject): Answer {
  return { status: 200, body };
}

export function failure(err: ApiFailure): Answer {
  return {
    status: err.status,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: err.reason,
      ...(Object.keys(err.details).length > 0 ? { details: err.details } : {}),
      code: err.status,
    },
  };
}

export function faultAnswer(status: number, retryAfterSeconds: number | undefined): Answer {
  const reasons: Record<number, string> = {
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  const answer = failure(
    new ApiFailure(
      status,
      reasons[status] ?? 'InternalError',
      status === 429
        ? 'Too many requests, please try again later.'
        : 'an error on the server has prevented the request from succeeding',
      retryAfterSeconds ? { retryAfterSeconds } : {},
    ),
  );
  return retryAfterSeconds ? { ...answer, headers: { 'retry-after': String(retryAfterSeconds) } } : answer;
}

export async function trickle(
  res: ServerResponse,
  payload: string,
  intervalMs: number,
  chunkBytes: number,
): Promise<void> {
  for (let offset = 0; offset < payload.length && !res.destroyed; offset += chunkBytes) {
    res.write(payload.slice(offset, offset + chunkBytes));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  res.end();
}
