import { field, isJsonObject, stringField, type JsonObject, type JsonValue } from '../model/json.ts';
import type { Problem } from '../model/problem.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../model/json-depth.ts';
import type { AliasChange, KeyChange, KmsEventName } from '../model/kms-event.ts';
import {
  DEFAULT_DELETION_WINDOW_DAYS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  type KeyAttributes,
  type KeyState,
} from '../model/snapshot.ts';
import { parseAwsDate } from './dates.ts';
import { bareKeyId } from '../model/arn.ts';
import { textShape, type RecordReader } from './reader.ts';

const RP = '.requestParameters';
const RE = '.responseElements';

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

// Every KeyState of the KMS API reference; an unknown word in keyState falls back to `enabled`.
const KEY_STATES: ReadonlySet<string> = new Set<KeyState>([
  'Enabled',
  'Disabled',
  'PendingDeletion',
  'PendingReplicaDeletion',
  'PendingImport',
  'Unavailable',
  'Creating',
  'Updating',
]);

/** What a successful call of each event says about the key or alias afterwards. */
export function changeOf(
  name: KmsEventName,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  r: RecordReader,
): KeyChange | AliasChange {
  const attributes: Mutable<KeyAttributes> = {};
  switch (name) {
    case 'CreateKey': {
      const metadata = r.object(response, 'keyMetadata', RE);
      const state = r.string(metadata, 'keyState', `${RE}.keyMetadata`);
      const enabled = r.boolean(metadata, 'enabled', `${RE}.keyMetadata`);
      if (state !== undefined && KEY_STATES.has(state)) attributes.key_state = state as KeyState;
      else if (enabled !== undefined) attributes.key_state = enabled ? 'Enabled' : 'Disabled';
      const description =
        r.string(metadata, 'description', `${RE}.keyMetadata`) ?? r.string(request, 'description', RP);
      if (description !== undefined) attributes.description = description;
      const usage = r.string(metadata, 'keyUsage', `${RE}.keyMetadata`) ?? r.string(request, 'keyUsage', RP);
      if (usage !== undefined) attributes.key_usage = usage;
      const spec =
        r.string(metadata, 'keySpec', `${RE}.keyMetadata`) ??
        r.string(metadata, 'customerMasterKeySpec', `${RE}.keyMetadata`) ??
        r.string(request, 'keySpec', RP) ??
        r.string(request, 'customerMasterKeySpec', RP);
      if (spec !== undefined) attributes.customer_master_key_spec = spec;
      const multi = r.boolean(metadata, 'multiRegion', `${RE}.keyMetadata`) ?? r.boolean(request, 'multiRegion', RP);
      if (multi !== undefined) attributes.multi_region = multi;
      const policy = policyOf(request, r);
      if (policy !== undefined) attributes.policy = policy;
      // Tags and rotation are often set by separate calls right after CreateKey (Terraform does so), so CreateKey
      // only determines the tags it names, and never the rotation.
      const tags = tagsOf(request, r);
      if (tags !== undefined) attributes.tags = tags;
      return { kind: 'key', attributes };
    }
    case 'ScheduleKeyDeletion': {
      const state = r.string(response, 'keyState', RE);
      attributes.key_state = state === 'PendingReplicaDeletion' ? 'PendingReplicaDeletion' : 'PendingDeletion';
      const raw = response === undefined ? undefined : dateText(response, 'deletionDate', r);
      if (raw !== undefined) {
        const iso = parseAwsDate(raw);
        if (iso === undefined) {
          r.fail({
            code: 'RECORD_SHAPE',
            severity: 'warning',
            path: r.join(`${RE}.deletionDate`),
            message: `not a date: ${textShape(String(raw))} in no format AWS uses`,
          });
        } else {
          attributes.deletion_date = iso;
        }
      }
      // Newer records echo the window in the response, which is the only place it appears when KMS used its default.
      const window = r.number(request, 'pendingWindowInDays', RP) ?? r.number(response, 'pendingWindowInDays', RE);
      // Without a window in the request or the response, KMS used its default (KMS API reference).
      attributes.deletion_window_in_days = window ?? DEFAULT_DELETION_WINDOW_DAYS;
      return window === undefined
        ? { kind: 'key', attributes }
        : { kind: 'key', attributes, pendingWindowInDays: window };
    }
    case 'CancelKeyDeletion':
      // KMS API reference: after CancelKeyDeletion the key is Disabled, not Enabled.
      return { kind: 'key', attributes: { key_state: 'Disabled' } };
    case 'DisableKey':
      return { kind: 'key', attributes: { key_state: 'Disabled' } };
    case 'EnableKey':
      return { kind: 'key', attributes: { key_state: 'Enabled' } };
    case 'PutKeyPolicy': {
      const policy = policyOf(request, r);
      return { kind: 'key', attributes: policy === undefined ? {} : { policy } };
    }
    case 'EnableKeyRotation': {
      attributes.enable_key_rotation = true;
      // KMS API reference, EnableKeyRotation: without RotationPeriodInDays the period is 365 days (and before custom
      // periods existed, in 2024, rotation was always yearly).
      attributes.rotation_period_in_days =
        r.number(request, 'rotationPeriodInDays', RP) ?? DEFAULT_ROTATION_PERIOD_DAYS;
      return { kind: 'key', attributes };
    }
    case 'DisableKeyRotation':
      return { kind: 'key', attributes: { enable_key_rotation: false } };
    case 'TagResource': {
      const tags = tagsOf(request, r);
      return tags === undefined ? { kind: 'key', attributes: {} } : { kind: 'key', attributes: {}, tagsSet: tags };
    }
    case 'UntagResource': {
      const keys = r.array(request, 'tagKeys', RP) ?? [];
      const removed: string[] = [];
      keys.forEach((k, i) => {
        if (typeof k === 'string') removed.push(k);
        else r.fail(shape(r.join(`${RP}.tagKeys[${i}]`), 'expected a string'));
      });
      return { kind: 'key', attributes: {}, tagsRemoved: removed };
    }
    case 'RevokeGrant':
      return { kind: 'key', attributes: {} };
    case 'UpdateKeyDescription': {
      const description = r.string(request, 'description', RP);
      return { kind: 'key', attributes: description === undefined ? {} : { description } };
    }
    case 'CreateAlias':
    case 'UpdateAlias': {
      const aliasName = r.string(request, 'aliasName', RP);
      const target = r.string(request, 'targetKeyId', RP);
      return {
        kind: 'alias',
        attributes: {
          ...(aliasName === undefined ? {} : { alias_name: aliasName }),
          ...(target === undefined ? {} : { target_key_id: bareKeyId(target) }),
        },
      };
    }
    case 'DeleteAlias': {
      const aliasName = r.string(request, 'aliasName', RP);
      return { kind: 'alias', attributes: aliasName === undefined ? {} : { alias_name: aliasName }, deleted: true };
    }
  }
}

/**
 * PutKeyPolicy and CreateKey carry the policy as the exact JSON text submitted (pretty-printed); some tools log it as
 * an object. Text that is not JSON is kept as text: the policy still changed, we just cannot diff it semantically.
 */
function policyOf(request: JsonObject | undefined, r: RecordReader): JsonValue | undefined {
  if (request === undefined) return undefined;
  const raw = Object.hasOwn(request, 'policy') ? request['policy'] : undefined;
  if (raw === undefined || raw === null) return undefined;
  if (isJsonObject(raw)) return raw;
  if (typeof raw !== 'string') return r.string(request, 'policy', RP);
  let policy: JsonValue;
  try {
    policy = JSON.parse(raw) as JsonValue;
  } catch {
    return raw;
  }
  const deep = tooDeepAt(policy);
  if (deep === undefined) return policy;
  const message = `the policy text nests deeper than ${MAX_JSON_DEPTH} levels`;
  return r.fail({ code: 'RECORD_DEPTH', severity: 'error', path: r.join(`${RP}.policy${deep}`), message });
}

/** KMS tags are `[{tagKey, tagValue}]` (other services use key/value; those records never reach here). */
function tagsOf(request: JsonObject | undefined, r: RecordReader): Record<string, string> | undefined {
  const list = r.array(request, 'tags', RP);
  if (list === undefined) return undefined;
  const tags: Record<string, string> = {};
  list.forEach((entry, i) => {
    if (!isJsonObject(entry)) return r.fail(shape(r.join(`${RP}.tags[${i}]`), 'expected an object {tagKey, tagValue}'));
    const key = stringField(entry, 'tagKey');
    if (key === undefined) return r.fail(shape(r.join(`${RP}.tags[${i}].tagKey`), 'expected a string'));
    const value = field(entry, 'tagValue');
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return r.fail(shape(r.join(`${RP}.tags[${i}].tagValue`), 'expected a string'));
    }
    // Object.defineProperty keeps a tag named "__proto__" an ordinary key.
    Object.defineProperty(tags, key, {
      value: value ?? '',
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return tags;
}

function shape(path: string, message: string): Problem {
  return { code: 'RECORD_SHAPE', severity: 'error', path, message };
}

function dateText(obj: JsonObject, key: string, r: RecordReader): string | number | undefined {
  const v = Object.hasOwn(obj, key) ? obj[key] : undefined;
  return typeof v === 'number' ? v : r.string(obj, key, RE);
}
