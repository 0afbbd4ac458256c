import { describe, expect, it } from 'vitest';
import {
  observationOf,
  type RolloutObservation,
  type RolloutStatus,
  rolloutStatus,
} from '../../src/agents/deploy/rollout-status.js';
import { DeploymentSchema } from '../../src/services/kubernetes-objects.js';

/** A Deployment of 4 replicas, fully rolled out at generation 3; each case changes what it needs. */
const base: RolloutObservation = {
  name: 'web',
  generation: 3,
  observedGeneration: 3,
  desiredReplicas: 4,
  paused: false,
  replicas: 4,
  updatedReplicas: 4,
  availableReplicas: 4,
  progressingReason: 'NewReplicaSetAvailable',
};

const cases: Array<[string, Partial<RolloutObservation>, RolloutStatus]> = [
  ['rolled out', {}, { state: 'complete', summary: 'rolled out' }],
  [
    'the controller has not seen the new spec',
    { generation: 4 },
    { state: 'waiting-for-controller', summary: 'waiting for the controller to pick up the change' },
  ],
  [
    'an unseen spec wins over a stale ProgressDeadlineExceeded from the last rollout',
    { generation: 4, progressingReason: 'ProgressDeadlineExceeded', updatedReplicas: 1 },
    { state: 'waiting-for-controller', summary: 'waiting for the controller to pick up the change' },
  ],
  [
    'observedGeneration ahead of generation counts as seen',
    { observedGeneration: 4 },
    { state: 'complete', summary: 'rolled out' },
  ],
  [
    'progress deadline exceeded wins over the replica counts',
    { progressingReason: 'ProgressDeadlineExceeded', updatedReplicas: 2, availableReplicas: 3, replicas: 5 },
    { state: 'progress-deadline-exceeded', summary: 'progress deadline exceeded' },
  ],
  [
    'fewer updated replicas than desired',
    { updatedReplicas: 3, replicas: 5, availableReplicas: 3, progressingReason: 'ReplicaSetUpdated' },
    { state: 'updating', updated: 3, desired: 4, summary: '3 of 4 updated' },
  ],
  [
    'none updated yet',
    { updatedReplicas: 0, progressingReason: 'NewReplicaSetCreated' },
    { state: 'updating', updated: 0, desired: 4, summary: '0 of 4 updated' },
  ],
  [
    'all updated, one old replica still terminating',
    { replicas: 5, availableReplicas: 4 },
    { state: 'terminating-old', pending: 1, summary: '1 old replica terminating' },
  ],
  [
    'all updated, two old replicas still terminating',
    { replicas: 6 },
    { state: 'terminating-old', pending: 2, summary: '2 old replicas terminating' },
  ],
  [
    'all updated and alone, not all available',
    { availableReplicas: 2 },
    { state: 'becoming-available', available: 2, updated: 4, summary: '2 of 4 available' },
  ],
  [
    'spec.replicas unset: kubectl skips the updated rule and goes on',
    { desiredReplicas: null, updatedReplicas: 2, replicas: 2, availableReplicas: 2 },
    { state: 'complete', summary: 'rolled out' },
  ],
  [
    'scaled to zero',
    { desiredReplicas: 0, replicas: 0, updatedReplicas: 0, availableReplicas: 0 },
    { state: 'complete', summary: 'rolled out' },
  ],
  [
    'paused in the middle of a rollout',
    {
      paused: true,
      updatedReplicas: 2,
      replicas: 5,
      availableReplicas: 3,
      progressingReason: 'DeploymentPaused',
    },
    { state: 'paused', summary: 'paused at 2 of 4 updated' },
  ],
  [
    'paused while old replicas terminate',
    { paused: true, replicas: 5, progressingReason: 'DeploymentPaused' },
    { state: 'paused', summary: 'paused at 1 old replica terminating' },
  ],
  [
    'paused with everything rolled out is simply complete',
    { paused: true, progressingReason: 'DeploymentPaused' },
    { state: 'complete', summary: 'rolled out' },
  ],
  [
    'paused but the spec not yet seen: still waiting',
    { paused: true, generation: 4 },
    { state: 'waiting-for-controller', summary: 'waiting for the controller to pick up the change' },
  ],
];

describe('rolloutStatus (kubectl rollout status rules)', () => {
  it.each(cases)('%s', (_name, change, expected) => {
    expect(rolloutStatus({ ...base, ...change })).toEqual(expected);
  });
});

describe('observationOf', () => {
  it('fills in the counts the API server omits when they are zero', () => {
    const deployment = DeploymentSchema.parse({
      metadata: { name: 'web', generation: 2 },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'acme/web:2' }] } } },
      status: {
        observedGeneration: 2,
        conditions: [
          { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated' },
        ],
      },
    });
    expect(observationOf(deployment)).toEqual({
      name: 'web',
      generation: 2,
      observedGeneration: 2,
      desiredReplicas: 3,
      paused: false,
      replicas: 0,
      updatedReplicas: 0,
      availableReplicas: 0,
      progressingReason: 'NewReplicaSetCreated',
    });
    expect(rolloutStatus(observationOf(deployment)).summary).toBe('0 of 3 updated');
  });

  it('treats a Deployment with no status yet as not observed', () => {
    const deployment = DeploymentSchema.parse({
      metadata: { name: 'web', generation: 1 },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'acme/web:1' }] } } },
    });
    expect(rolloutStatus(observationOf(deployment)).state).toBe('waiting-for-controller');
  });
});
