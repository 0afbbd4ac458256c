import {
  KubernetesApiError,
  type KubernetesCall,
  KubernetesConnectionError,
  KubernetesResponseError,
} from '../../services/kubernetes.js';
import { AgentError } from '../types.js';

/**
 * Why a deploy could not go on, as a person can act on it. `kind` follows the runner's rule:
 * transient may succeed on a later attempt (network, deadline, 5xx, 429, a 409 race), permanent
 * needs someone to change something first (RBAC, a missing Deployment or container, a paused
 * rollout, an invalid image). `message` is one line for the card; `hint` says what to change
 * and may name namespaces and identities, so it is for approvers and logs.
 */

export type DeployErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'paused'
  | 'container-missing'
  | 'invalid-image'
  | 'rejected'
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'unreachable'
  | 'cancelled'
  | 'unexpected-response';

export class DeployError extends AgentError {
  readonly hint: string | null;

  constructor(
    readonly code: DeployErrorCode,
    message: string,
    kind: 'transient' | 'permanent',
    options: { cause?: unknown; retryAfterMs?: number; hint?: string } = {},
  ) {
    super(message, kind, { cause: options.cause, retryAfterMs: options.retryAfterMs });
    this.name = 'DeployError';
    this.hint = options.hint ?? null;
  }
}

const RBAC_HINT = 'See "Deploying to Kubernetes" in the README for the Role the bot needs.';

/** Turns a Kubernetes client failure into a DeployError; DeployErrors pass through unchanged. */
export function deployErrorFrom(err: unknown): DeployError {
  if (err instanceof DeployError) return err;
  if (err instanceof KubernetesApiError) return fromApiError(err);
  if (err instanceof KubernetesConnectionError) {
    const cause = { cause: err, hint: `API server: ${err.call.server}` };
    if (err.kind === 'timeout') {
      return new DeployError(
        'timeout',
        `The Kubernetes API did not answer in time (${err.detail})`,
        'transient',
        cause,
      );
    }
    if (err.kind === 'cancelled')
      return new DeployError('cancelled', 'The deploy was cancelled', 'transient', cause);
    return new DeployError(
      'unreachable',
      `Could not reach the Kubernetes API (${err.detail})`,
      'transient',
      cause,
    );
  }
  if (err instanceof KubernetesResponseError) {
    return new DeployError(
      'unexpected-response',
      `The Kubernetes API gave an unexpected answer ${describeCall(err.call)}`,
      'permanent',
      { cause: err, hint: err.issues },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DeployError('unexpected-response', `Deploy failed: ${message.split('\n')[0]}`, 'transient', {
    cause: err,
  });
}

function fromApiError(err: KubernetesApiError): DeployError {
  const { call } = err;
  const cause = { cause: err };
  switch (err.status) {
    case 401:
      return new DeployError(
        'unauthorized',
        'Kubernetes rejected the bot’s credentials (401 Unauthorized): the token is missing, expired or revoked',
        'permanent',
        { ...cause, hint: `Check the kubeconfig or the service account token used for ${call.server}.` },
      );
    case 403: {
      const user = /User "([^"]+)"/.exec(err.serverMessage ?? '')?.[1];
      return new DeployError(
        'forbidden',
        `The service account may not ${call.verb} ${call.resource} in namespace "${call.namespace}" (403 Forbidden)`,
        'permanent',
        {
          ...cause,
          hint: `Grant ${user ? `"${user}"` : 'the bot’s identity'} the verb "${call.verb}" on "${call.resource}" (API group "${call.group}") in namespace "${call.namespace}". ${RBAC_HINT}`,
        },
      );
    }
    case 404:
      return new DeployError(
        'not-found',
        call.resource === 'deployments' && call.name
          ? `Deployment "${call.name}" not found in namespace "${call.namespace}" (or the namespace does not exist)`
          : `Kubernetes answered 404 Not Found ${describeCall(call)}`,
        'permanent',
        { ...cause, hint: 'Check the environment’s namespace and deployment name.' },
      );
    case 409:
      return new DeployError(
        'conflict',
        `${call.name ? `Deployment "${call.name}"` : 'The object'} in namespace "${call.namespace}" was changed by someone else while the bot wrote to it (409 Conflict)`,
        'transient',
        cause,
      );
    case 429:
      return new DeployError(
        'rate-limited',
        `The Kubernetes API is throttling requests (429) ${describeCall(call)}; will retry`,
        'transient',
        err.retryAfterMs === null ? cause : { ...cause, retryAfterMs: err.retryAfterMs },
      );
    case 400:
    case 415:
    case 422:
      return new DeployError(
        'rejected',
        `Kubernetes rejected the change (${err.status}${err.reason ? ` ${err.reason}` : ''})${err.serverMessage ? `: ${oneLine(err.serverMessage)}` : ''}`,
        'permanent',
        cause,
      );
    default:
      return new DeployError(
        'server-error',
        `The Kubernetes API failed ${describeCall(call)} (${err.status}${err.reason ? ` ${err.reason}` : ''}); will retry`,
        err.status >= 500 ? 'transient' : 'permanent',
        err.retryAfterMs === null ? cause : { ...cause, retryAfterMs: err.retryAfterMs },
      );
  }
}

function describeCall(call: KubernetesCall): string {
  const what = call.name ? `${singular(call.resource)} "${call.name}"` : call.resource;
  const verb = call.verb === 'get' ? 'reading' : call.verb === 'list' ? 'listing' : 'patching';
  return `while ${verb} ${what} in namespace "${call.namespace}"`;
}

function singular(resource: KubernetesCall['resource']): string {
  return resource === 'deployments' ? 'Deployment' : 'ReplicaSet';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 240 ? `${line.slice(0, 239)}…` : line;
}
