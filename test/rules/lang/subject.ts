// Builds DriftFinding test subjects straight from CloudTrail records, without the normalize/diff stages, so the
// language tests depend only on the model types.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { DriftFinding } from '../../../src/model/finding.ts';
import type { JsonObject, JsonValue } from '../../../src/model/json.ts';
import { isJsonObject } from '../../../src/model/json.ts';
import { KMS_EVENT_NAMES, type KmsEvent, type KmsEventName } from '../../../src/model/kms-event.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export function readRecord(path: string): JsonObject {
  const v: unknown = JSON.parse(readFileSync(FIXTURES + path, 'utf8'));
  if (!isJsonObject(v)) throw new Error(`${path} is not a JSON object`);
  return v as JsonObject;
}

/** The `Log` of a named test case in a Panther rule file (YAML). */
export function pantherLog(path: string, testName: string): JsonObject {
  const doc = parse(readFileSync(FIXTURES + path, 'utf8')) as { Tests: { Name: string; Log: JsonValue }[] };
  const log = doc.Tests.find((t) => t.Name === testName)?.Log;
  if (!isJsonObject(log)) throw new Error(`no test ${testName} in ${path}`);
  return log;
}

function isKmsEventName(s: unknown): s is KmsEventName {
  return typeof s === 'string' && (KMS_EVENT_NAMES as readonly string[]).includes(s);
}

/**
 * A finding for `record`. The event name comes from the record when it is one kms-drift tracks; other records
 * (RotateKey service events) get `DisableKey` as a placeholder: the tests on them read only `ct.*` fields.
 */
export function subject(record: JsonObject, overrides: Partial<DriftFinding> = {}): DriftFinding {
  const name = isKmsEventName(record['eventName']) ? record['eventName'] : 'DisableKey';
  const event: KmsEvent = {
    name,
    eventId: typeof record['eventID'] === 'string' ? record['eventID'] : 'no-id',
    eventTime: typeof record['eventTime'] === 'string' ? record['eventTime'] : '1970-01-01T00:00:00Z',
    eventSource: typeof record['eventSource'] === 'string' ? record['eventSource'] : 'kms.amazonaws.com',
    actor: {},
    resourceType: 'aws_kms_key',
    change: { kind: 'key', attributes: {} },
    record,
  };
  return {
    event,
    resourceType: 'aws_kms_key',
    driftType: 'none',
    changes: {},
    actual: {},
    expected: {},
    byTerraform: false,
    ...overrides,
  };
}

export function kmsRecord(name: string): JsonObject {
  return readRecord(`cloudtrail/aws-kms-developer-guide/${name}.json`);
}
