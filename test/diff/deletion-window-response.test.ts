import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { diffEvent } from '../../src/diff/diff.ts';
import { normalizeRecord } from '../../src/normalize/normalize.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { DriftFinding } from '../../src/model/finding.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';
import { DC, DRIFTCTL, OWN, fixture } from './builder.ts';

// KMS API reference, ScheduleKeyDeletion: the response's PendingWindowInDays is "the waiting period before the KMS key
// is deleted" — the window KMS applied, whatever the request said. AWS's newer sample records carry it in both places
// (ct-schedule-key-deletion.2/.3). A record whose request does not carry the window still says, in its response, which
// window the key waits: that is the window compared with deletion_window_in_days. The records below are copies of
// AWS's sample ct-schedule-key-deletion.3 (key 0987dcba… in 111122223333/us-west-2) edited in memory; the fixture
// file is never changed.

const SAMPLE = 'cloudtrail/aws-kms-developer-guide/ct-schedule-key-deletion.3.json';

/** The sample with the window only in the response (none in the request), as `window` days. */
function windowOnlyInResponse(window: number, move: (text: string) => string = (t) => t): JsonObject {
  const record = JSON.parse(move(readFileSync(fixture(SAMPLE), 'utf8'))) as JsonObject;
  const request = { ...(record['requestParameters'] as JsonObject) };
  delete request['pendingWindowInDays'];
  return {
    ...record,
    requestParameters: request,
    responseElements: { ...(record['responseElements'] as JsonObject), pendingWindowInDays: window },
  };
}

function eventOf(record: JsonObject): KmsEvent {
  const result = normalizeRecord(record, '');
  if (result.kind !== 'event') throw new Error(JSON.stringify(result));
  return result.event;
}

const diff = (record: JsonObject, index: DeclaredIndex): DriftFinding =>
  diffEvent(eventOf(record), index, { terraformPrincipals: [] });

const SCHEDULED = (declared: 'Enabled' | 'Disabled') => ({
  key_state: { expected: declared, actual: 'PendingDeletion' },
  deletion_date: { actual: '2021-11-02T23:25:25.000Z' },
});

describe('ScheduleKeyDeletion whose window is only in responseElements.pendingWindowInDays', () => {
  let own: DeclaredIndex;
  let driftctl: DeclaredIndex;
  beforeAll(async () => {
    own = (await loadStates([OWN])).index;
    driftctl = (await loadStates([DRIFTCTL])).index;
  });

  it('the event carries the window the response reports', () => {
    for (const window of [7, 30]) {
      const event = eventOf(windowOnlyInResponse(window));
      expect(event.change).toMatchObject({ kind: 'key', attributes: { deletion_window_in_days: window } });
    }
  });

  it('7 days on aws_kms_key.legacy[0], which declares deletion_window_in_days = 7: the window is as declared', () => {
    const finding = diff(windowOnlyInResponse(7), own);
    expect(finding.terraform?.address).toBe('aws_kms_key.legacy[0]');
    expect(finding.driftType).toBe('deleted');
    expect(finding.changes).toEqual(SCHEDULED('Disabled'));
  });

  it('30 days (what KMS applies when the request names none) on the same key: the window drifted from 7', () => {
    expect(diff(windowOnlyInResponse(30), own).changes).toEqual({
      ...SCHEDULED('Disabled'),
      deletion_window_in_days: { expected: 7, actual: 30 },
    });
  });

  it("7 days on driftctl's `bar`, which leaves the window unset (30): the window drifted to 7", () => {
    // The sample moved onto `bar` (047081014315, eu-west-3), as records.test.ts moves it.
    const ontoBar = (text: string): string =>
      text
        .replaceAll('0987dcba-09fe-87dc-65ba-ab0987654321', DC.bar)
        .replaceAll('111122223333', '047081014315')
        .replaceAll('us-west-2', 'eu-west-3');
    const finding = diff(windowOnlyInResponse(7, ontoBar), driftctl);
    expect(finding.terraform?.address).toBe('aws_kms_key.bar');
    expect(finding.changes).toEqual({
      ...SCHEDULED('Enabled'),
      deletion_window_in_days: { expected: 30, actual: 7 },
    });
  });
});
