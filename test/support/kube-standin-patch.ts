import type { JsonObject, JsonPatchOperation, JsonValue } from '../../src/services/kubernetes-objects.js';

/**
 * The three patch formats of the Kubernetes API, applied the way the API server applies them
 * to the fields a Deployment has (pure functions; the stand-in's HTTP layer calls them):
 *
 * - JSON merge patch (RFC 7386): objects merge, `null` deletes, arrays are replaced whole.
 * - Strategic merge patch: like a merge patch, except that lists with a merge key (`containers`
 *   by `name`, `volumeMounts` by `mountPath`, …) merge item by item. An item whose key is not in
 *   the list is APPENDED: that is how a patch naming an unknown container adds a container.
 *   `$patch: delete` removes an item, `$patch: replace` replaces a map, and `$setElementOrder/…`
 *   and `$retainKeys` are accepted and ignored.
 * - JSON patch (RFC 6902): add, remove, replace, move, copy, test on JSON pointers.
 *
 * A malformed patch throws `PatchError` (the server answers 400; a failed `test` 422).
 */

export class PatchError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 422,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Merge keys of the lists a Deployment holds, by field name (the API's `patchMergeKey` tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
  conditions: 'type',
};

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return clone(patch);
  const result: JsonObject = isJsonObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export function applyStrategicMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  if (patch.$patch !== undefined && patch.$patch !== 'merge') {
    throw new PatchError(`unknown patch directive $patch: ${JSON.stringify(patch.$patch)}`, 400);
  }
  const result: JsonObject = isJsonObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey) {
      const current = result[key];
      result[key] = mergeList(Array.isArray(current) ? current : [], value, mergeKey, key);
      continue;
    }
    result[key] = isJsonObject(value) ? applyStrategicMergePatch(result[key], value) : clone(value);
  }
  return result;
}

function mergeList(current: JsonValue[], patch: JsonValue[], mergeKey: string, field: string): JsonValue[] {
  const result = current.map((item) => clone(item));
  for (const item of patch) {
    if (!isJsonObject(item) || item[mergeKey] === undefined) {
      throw new PatchError(`map in ${field} does not contain the merge key ${mergeKey}`, 400);
    }
    const index = result.findIndex(
      (existing) => isJsonObject(existing) && existing[mergeKey] === item[mergeKey],
    );
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = applyStrategicMergePatch(result[index], item);
    else result.push(withoutDirectives(item));
  }
  return result;
}

function withoutDirectives(value: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (!key.startsWith('$')) result[key] = isJsonObject(item) ? withoutDirectives(item) : clone(item);
  }
  return result;
}

export function applyJsonPatch(target: JsonValue, operations: JsonPatchOperation[]): JsonValue {
  let document = clone(target);
  for (const operation of operations) {
    const path = parsePointer(operation.path);
    switch (operation.op) {
      case 'add':
        document = add(document, path, required(operation));
        break;
      case 'remove':
        document = remove(document, path);
        break;
      case 'replace':
        get(document, path);
        document = add(remove(document, path), path, required(operation));
        break;
      case 'move': {
        const from = parsePointer(fromOf(operation));
        const value = get(document, from);
        document = add(remove(document, from), path, value);
        break;
      }
      case 'copy':
        document = add(document, path, get(document, parsePointer(fromOf(operation))));
        break;
      case 'test': {
        const actual = get(document, path);
        if (stableStringify(actual) !== stableStringify(required(operation))) {
          throw new PatchError(`testing value ${operation.path} failed`, 422);
        }
        break;
      }
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(operation.op)}`, 400);
    }
  }
  return document;
}

function required(operation: JsonPatchOperation): JsonValue {
  if (operation.value === undefined)
    throw new PatchError(`${operation.op} ${operation.path}: missing value`, 400);
  return operation.value;
}

function fromOf(operation: JsonPatchOperation): string {
  if (typeof operation.from !== 'string') throw new PatchError(`${operation.op}: missing from`, 400);
  return operation.from;
}

function parsePointer(pointer: string): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`, 400);
  }
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(document: JsonValue, path: string[]): JsonValue {
  let current: JsonValue = document;
  for (const token of path) {
    const next: JsonValue | undefined = Array.isArray(current)
      ? current[arrayIndex(token, current.length - 1)]
      : isJsonObject(current)
        ? current[token]
        : undefined;
    if (next === undefined) throw new PatchError(`path /${path.join('/')} does not exist`, 422);
    current = next;
  }
  return current;
}

function add(document: JsonValue, path: string[], value: JsonValue): JsonValue {
  if (path.length === 0) return clone(value);
  const parent = get(document, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length);
    parent.splice(index, 0, clone(value));
  } else if (isJsonObject(parent)) {
    parent[last] = clone(value);
  } else {
    throw new PatchError(`cannot add to a scalar at /${path.join('/')}`, 422);
  }
  return document;
}

function remove(document: JsonValue, path: string[]): JsonValue {
  if (path.length === 0) throw new PatchError('cannot remove the whole document', 422);
  const parent = get(document, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length - 1), 1);
  } else if (isJsonObject(parent) && last in parent) {
    delete parent[last];
  } else {
    throw new PatchError(`path /${path.join('/')} does not exist`, 422);
  }
  return document;
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) > max) {
    throw new PatchError(`array index ${token} out of range`, 422);
  }
  return Number(token);
}

/** JSON with sorted keys: equal values give equal text (used for "did the spec change" and hashes). */
export function stableStringify(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
