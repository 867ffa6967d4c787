import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { diffEvent } from '../../src/diff/diff.ts';
import { normalizeRecord } from '../../src/normalize/normalize.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { DriftFinding } from '../../src/model/finding.ts';
import { isJsonObject } from '../../src/model/json.ts';
import { DATA, DATA_ARN, DC, DRIFTCTL, LOGS, OWN, fixture } from './builder.ts';

// AWS's own sample records (KMS developer guide), normalized by the real normalizer, against our state: the key ids
// of the samples are the ones the state declares, so every stage between a record and a finding is exercised.

let index: DeclaredIndex;
beforeAll(async () => {
  index = (await loadStates([OWN])).index;
});

function findingOf(name: string, edit: (text: string) => string = (t) => t, on: DeclaredIndex = index): DriftFinding {
  const text = edit(readFileSync(fixture(`cloudtrail/aws-kms-developer-guide/${name}.json`), 'utf8'));
  const record: unknown = JSON.parse(text);
  if (!isJsonObject(record)) throw new Error(`${name}: not an object`);
  const result = normalizeRecord(record, '');
  if (result.kind !== 'event') throw new Error(`${name}: ${JSON.stringify(result)}`);
  return diffEvent(result.event, on, { terraformPrincipals: [] });
}

const DATA_KEY = 'module.kms.aws_kms_key.this["data"]';

describe('real CloudTrail records against modules-for-each.tfstate', () => {
  it.each<[string, DriftFinding['driftType'], string | undefined, DriftFinding['changes'] | undefined]>([
    ['ct-disablekey.1', 'modified', DATA_KEY, { key_state: { expected: 'Enabled', actual: 'Disabled' } }],
    ['ct-enablekey.1', 'in_sync', DATA_KEY, {}],
    ['ct-cancel-key-deletion.1', 'modified', DATA_KEY, { key_state: { expected: 'Enabled', actual: 'Disabled' } }],
    ['ct-disable-key-rotation.1', 'modified', DATA_KEY, { enable_key_rotation: { expected: true, actual: false } }],
    ['ct-enablekeyrotation.1', 'in_sync', DATA_KEY, {}],
    [
      'ct-schedule-key-deletion.1',
      'deleted',
      DATA_KEY,
      {
        key_state: { expected: 'Enabled', actual: 'PendingDeletion' },
        deletion_date: { actual: '2021-04-12T18:58:30.000Z' },
        // The state configures deletion_window_in_days = 7; the record asked for 20.
        deletion_window_in_days: { expected: 7, actual: 20 },
      },
    ],
    ['ct-schedule-key-deletion.2', 'deleted', 'aws_kms_key.global', undefined],
    [
      'ct-schedule-key-deletion.3',
      'deleted',
      'aws_kms_key.legacy[0]',
      {
        key_state: { expected: 'Disabled', actual: 'PendingDeletion' },
        deletion_date: { actual: '2021-11-02T23:25:25.000Z' },
        deletion_window_in_days: { expected: 7, actual: 30 },
      },
    ],
    ['ct-tagresource.1', 'in_sync', DATA_KEY, {}],
    // "Dept" is not a declared tag: removing it leaves the key as declared.
    ['ct-untagresource.1', 'in_sync', DATA_KEY, {}],
    [
      'ct-update-key-description.1',
      'modified',
      DATA_KEY,
      { description: { expected: 'Application data', actual: 'New key description' } },
    ],
    ['ct-put-key-policy.1', 'modified', 'aws_kms_key_policy.data', undefined],
    ['ct-createalias.1', 'in_sync', 'module.kms.aws_kms_alias.this["data"]', {}],
    [
      'ct-updatealias.1',
      'modified',
      'module.kms.aws_kms_alias.this["logs"]',
      { target_key_id: { expected: LOGS, actual: DATA } },
    ],
    // The sample's alias lives in us-east-1 (resources[]); the state declares alias/my_alias in us-west-2.
    ['ct-deletealias.1', 'unmanaged', undefined, { alias_name: { actual: 'alias/my_alias' } }],
  ])('%s → %s', (name, driftType, address, changes) => {
    const finding = findingOf(name);
    expect(finding.driftType).toBe(driftType);
    expect(finding.terraform?.address).toBe(address);
    if (changes !== undefined) expect(finding.changes).toEqual(changes);
    expect(finding.byTerraform).toBe(false);
  });

  it('PutKeyPolicy: the sample drops the statement aws_kms_key_policy adds', () => {
    const finding = findingOf('ct-put-key-policy.1');
    expect(finding).toMatchObject({ resource: DATA_ARN, account: '111122223333', region: 'us-west-2' });
    expect(finding.changes.policy).toMatchObject({
      added_principals: [],
      removed_principals: ['arn:aws:iam::111122223333:role/app'],
    });
    expect(finding.policy).toMatchObject({ external_accounts: [], wildcard_principal: false });
  });
});

describe('the deletion window Terraform defaults: 30 days when deletion_window_in_days is unset', () => {
  // driftctl's real state declares `bar` without deletion_window_in_days (null): Terraform then schedules deletion with
  // KMS's default, which the KMS API reference gives as 30 days. AWS's sample ScheduleKeyDeletion (30 days, on key
  // 0987dcba… in 111122223333/us-west-2), moved onto `bar`: the copy read from the fixture is edited, never the file.
  let driftctl: DeclaredIndex;
  beforeAll(async () => {
    driftctl = (await loadStates([DRIFTCTL])).index;
  });
  const ontoBar =
    (window: string | null) =>
    (text: string): string => {
      const moved = text
        .replaceAll('0987dcba-09fe-87dc-65ba-ab0987654321', DC.bar)
        .replaceAll('111122223333', '047081014315')
        .replaceAll('us-west-2', 'eu-west-3');
      const record = JSON.parse(moved) as { requestParameters: Record<string, unknown> };
      if (window === null) delete record.requestParameters['pendingWindowInDays'];
      else record.requestParameters['pendingWindowInDays'] = Number(window);
      return JSON.stringify(record);
    };
  const SCHEDULED = {
    key_state: { expected: 'Enabled', actual: 'PendingDeletion' },
    deletion_date: { actual: '2021-11-02T23:25:25.000Z' },
  };

  it('a ScheduleKeyDeletion of 30 days on such a key: the window is as declared', () => {
    const finding = findingOf('ct-schedule-key-deletion.3', ontoBar('30'), driftctl);
    expect(finding.terraform?.address).toBe('aws_kms_key.bar');
    expect(finding.changes).toEqual(SCHEDULED);
  });

  it('a ScheduleKeyDeletion that names no window (KMS uses 30): as declared too', () => {
    expect(findingOf('ct-schedule-key-deletion.3', ontoBar(null), driftctl).changes).toEqual(SCHEDULED);
  });

  it('a ScheduleKeyDeletion of 7 days on such a key: the window drifted from 30', () => {
    expect(findingOf('ct-schedule-key-deletion.3', ontoBar('7'), driftctl).changes).toEqual({
      ...SCHEDULED,
      deletion_window_in_days: { expected: 30, actual: 7 },
    });
  });
});
