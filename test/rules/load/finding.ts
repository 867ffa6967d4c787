// DriftFinding subjects for the loader's tests, built straight from the real CloudTrail records in fixtures/ (the
// normalize and diff stages are not involved: the loader's behaviour must not depend on them).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DriftFinding } from '../../../src/model/finding.ts';
import { isJsonObject, type JsonObject } from '../../../src/model/json.ts';
import { KMS_EVENT_NAMES, type KmsEventName } from '../../../src/model/kms-event.ts';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const GUIDE = 'cloudtrail/aws-kms-developer-guide/';

export function record(name: string): JsonObject {
  const value: unknown = JSON.parse(readFileSync(`${FIXTURES}${GUIDE}${name}.json`, 'utf8'));
  if (!isJsonObject(value)) throw new Error(`${name} is not a JSON object`);
  return value;
}

/** Every tracked-event record of the developer guide (the ones kms-drift turns into findings). */
export function trackedRecords(): JsonObject[] {
  return [
    'ct-disablekey.1',
    'ct-enablekey.1',
    'ct-put-key-policy.1',
    'ct-schedule-key-deletion.1',
    'ct-schedule-key-deletion.2',
    'ct-cancel-key-deletion.1',
    'ct-createalias.1',
    'ct-deletealias.1',
    'ct-updatealias.1',
    'ct-createkey.1',
    'ct-enablekeyrotation.1',
    'ct-disable-key-rotation.1',
    'ct-tagresource.1',
    'ct-untagresource.1',
    'ct-update-key-description.1',
  ].map(record);
}

/** `record` with another caller (userIdentity.userName), everything else as recorded. */
export function asUser(rec: JsonObject, userName: string): JsonObject {
  const identity = isJsonObject(rec['userIdentity']) ? rec['userIdentity'] : {};
  return { ...rec, userIdentity: { ...identity, userName } };
}

export function finding(rec: JsonObject, overrides: Partial<DriftFinding> = {}): DriftFinding {
  const eventName = rec['eventName'];
  if (!(KMS_EVENT_NAMES as readonly unknown[]).includes(eventName)) throw new Error(`untracked ${String(eventName)}`);
  const text = (key: string, fallback: string): string => (typeof rec[key] === 'string' ? rec[key] : fallback);
  return {
    event: {
      name: eventName as KmsEventName,
      eventId: text('eventID', 'no-id'),
      eventTime: text('eventTime', '1970-01-01T00:00:00Z'),
      eventSource: text('eventSource', 'kms.amazonaws.com'),
      actor: {},
      resourceType: 'aws_kms_key',
      change: { kind: 'key', attributes: {} },
      record: rec,
    },
    resourceType: 'aws_kms_key',
    resource: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    driftType: 'modified',
    changes: {},
    actual: {},
    expected: {},
    byTerraform: false,
    ...overrides,
  };
}
