import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/services/kubernetes-objects.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  PatchError,
} from '../support/kube-standin-patch.js';

const deployment = (): JsonObject => ({
  metadata: { name: 'web', annotations: { team: 'a', old: 'x' } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          { name: 'web', image: 'acme/web:1', env: [{ name: 'A', value: '1' }], args: ['--a'] },
          { name: 'proxy', image: 'envoy:1' },
        ],
      },
    },
  },
});

const containers = (doc: unknown) =>
  ((((doc as JsonObject).spec as JsonObject).template as JsonObject).spec as JsonObject).containers;

describe('strategic merge patch', () => {
  it('merges a container by name and leaves the others alone', () => {
    const result = applyStrategicMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'acme/web:2' }] } } },
    });
    expect(containers(result)).toEqual([
      { name: 'web', image: 'acme/web:2', env: [{ name: 'A', value: '1' }], args: ['--a'] },
      { name: 'proxy', image: 'envoy:1' },
    ]);
  });

  it('ADDS a container when the name is unknown (why the target checks the name first)', () => {
    const result = applyStrategicMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'wbe', image: 'acme/web:2' }] } } },
    });
    expect(containers(result)).toHaveLength(3);
    expect(containers(result)).toContainEqual({ name: 'wbe', image: 'acme/web:2' });
  });

  it('merges env by name, replaces lists without a merge key, deletes on null and $patch: delete', () => {
    const result = applyStrategicMergePatch(deployment(), {
      metadata: { annotations: { old: null, added: 'y' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', env: [{ name: 'B', value: '2' }], args: ['--b'] },
              { name: 'proxy', $patch: 'delete' },
            ],
          },
        },
      },
    });
    expect((result as JsonObject).metadata).toEqual({ name: 'web', annotations: { team: 'a', added: 'y' } });
    expect(containers(result)).toEqual([
      {
        name: 'web',
        image: 'acme/web:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        args: ['--b'],
      },
    ]);
  });

  it('refuses a list item without its merge key', () => {
    expect(() =>
      applyStrategicMergePatch(deployment(), {
        spec: { template: { spec: { containers: [{ image: 'x' }] } } },
      }),
    ).toThrow(PatchError);
  });
});

describe('merge patch (RFC 7386)', () => {
  it('replaces arrays whole: the other containers are gone', () => {
    const result = applyMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'acme/web:2' }] } } },
    });
    expect(containers(result)).toEqual([{ name: 'web', image: 'acme/web:2' }]);
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies replace, add with an escaped key, remove, copy and move in order', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'web' },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'acme/web:3' },
      { op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'why' },
      { op: 'remove', path: '/metadata/annotations/old' },
      { op: 'copy', from: '/spec/replicas', path: '/metadata/annotations/replicas' },
      { op: 'move', from: '/metadata/annotations/team', path: '/metadata/annotations/owner' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'log', image: 'fluent:1' } },
    ]);
    expect((result as JsonObject).metadata).toEqual({
      name: 'web',
      annotations: { 'kubernetes.io/change-cause': 'why', replicas: 3, owner: 'a' },
    });
    expect(containers(result)).toHaveLength(3);
    expect((containers(result) as JsonObject[])[0]?.image).toBe('acme/web:3');
  });

  it('fails a test operation with 422 and leaves the input untouched', () => {
    const input = deployment();
    let error: unknown;
    try {
      applyJsonPatch(input, [
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'api' },
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PatchError);
    expect((error as PatchError).status).toBe(422);
    expect((input.spec as JsonObject).replicas).toBe(3);
  });

  it('refuses paths that do not exist and out-of-range indexes', () => {
    expect(() => applyJsonPatch(deployment(), [{ op: 'remove', path: '/spec/nothing' }])).toThrow(
      /does not exist/,
    );
    expect(() =>
      applyJsonPatch(deployment(), [
        { op: 'replace', path: '/spec/template/spec/containers/5/image', value: 'x' },
      ]),
    ).toThrow(/out of range/);
  });
});
