import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/json.ts';
import {
  ORG,
  OWN_STATE,
  findingOf,
  indexOf,
  instanceAt,
  readJson,
  sample,
  writeStates,
  type TfResource,
  type TfState,
} from './state-copies.ts';

// Values a state stores at the edge of what it declares, read by the real state loader and compared with AWS's sample
// records by the real normalizer and diff. The states are copies of our fixtures (fixtures/own/tfstate, see its
// README) with one attribute changed in memory.

const DATA_KEY = 'module.kms.aws_kms_key.this["data"]';

/** modules-for-each.tfstate with the data key's attributes changed. */
async function ownWithDataKey(attributes: JsonObject) {
  const state = readJson<TfState>(OWN_STATE);
  Object.assign(instanceAt(state, DATA_KEY).attributes, attributes);
  const { index, problems } = await indexOf(Object.values(writeStates({ 'own.tfstate': state })));
  expect(problems).toEqual([]);
  return index;
}

describe('rotation_period_in_days = 0: rotation off, no period declared', () => {
  // Terraform AWS provider, aws_kms_key: rotation_period_in_days is Optional+Computed, valid 90–2560, read from
  // GetKeyRotationStatus's RotationPeriodInDays, which KMS leaves out while rotation is disabled; the provider then
  // stores 0. A configuration with rotation off declares no period, so the period KMS picks when someone turns
  // rotation on is not a second drift: the drift is rotation itself.
  it('EnableKeyRotation (KMS default period, 365 days) on such a key: only enable_key_rotation drifted', async () => {
    const index = await ownWithDataKey({ enable_key_rotation: false, rotation_period_in_days: 0 });
    const finding = findingOf(sample('ct-enablekeyrotation.1.json'), index);
    expect(finding.terraform?.address).toBe(DATA_KEY);
    expect(finding.driftType).toBe('modified');
    expect(finding.changes).toEqual({ enable_key_rotation: { expected: false, actual: true } });
  });

  it('EnableKeyRotation with a custom period (180 days): still only enable_key_rotation', async () => {
    const index = await ownWithDataKey({ enable_key_rotation: false, rotation_period_in_days: 0 });
    const record = sample('ct-enablekeyrotation.1.json');
    const finding = findingOf(
      { ...record, requestParameters: { ...(record['requestParameters'] as JsonObject), rotationPeriodInDays: 180 } },
      index,
    );
    expect(finding.changes).toEqual({ enable_key_rotation: { expected: false, actual: true } });
  });
});

describe('description = "": an empty description is declared', () => {
  // aws_kms_key's description is a string the state stores as set; "" declares a key without description, and a
  // description set by hand (UpdateKeyDescription) differs from it.
  it('UpdateKeyDescription on a key declared with description = "": drift from "" to the new description', async () => {
    const index = await ownWithDataKey({ description: '' });
    const finding = findingOf(sample('ct-update-key-description.1.json'), index);
    expect(finding.terraform?.address).toBe(DATA_KEY);
    expect(finding.driftType).toBe('modified');
    expect(finding.changes).toEqual({ description: { expected: '', actual: 'New key description' } });
  });
});

describe('aws_kms_key_policy by bare multi-Region id, in the state of a replica, the primary in another state', () => {
  // A multi-Region key's primary and replicas share one `mrk-` id. A replica managed in its own state (its Region's
  // provider) with `aws_kms_key_policy { key_id = aws_kms_replica_key.x.key_id }` manages the replica's policy: the
  // provider calls PutKeyPolicy in its own Region. The primary, declared in another state, keeps its own policy.
  // The states: org/prod-111122223333-us-west-2 split in two, the replica (ap-northeast-1) moved to a state of its own
  // with a key policy that adds an app role's statement.
  const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';
  const prod = readJson<TfState>(`${ORG}prod-111122223333-us-west-2.tfstate`);
  const replica = prod.resources.find((r) => r.type === 'aws_kms_replica_key');
  if (replica === undefined) throw new Error('no replica in the prod state');
  const REPLICA_POLICY = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'App',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/app-apne1' },
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: '*',
      },
    ],
  };
  const keyPolicy: TfResource = {
    mode: 'managed',
    type: 'aws_kms_key_policy',
    name: 'global_apne1',
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [
      {
        schema_version: 0,
        attributes: {
          bypass_policy_lockout_safety_check: false,
          id: MRK,
          key_id: MRK,
          policy: JSON.stringify(REPLICA_POLICY),
          region: 'ap-northeast-1',
        },
        sensitive_attributes: [],
      },
    ],
  };
  const states = {
    'prod-111122223333-us-west-2.tfstate': { ...prod, resources: prod.resources.filter((r) => r !== replica) },
    'prod-111122223333-ap-northeast-1.tfstate': { ...prod, resources: [replica, keyPolicy] },
  };

  /** AWS's sample PutKeyPolicy, made on the multi-Region key in `region`, setting `policy`. */
  function putPolicy(region: string, policy: JsonObject): JsonObject {
    const text = JSON.stringify(sample('ct-put-key-policy.1.json'))
      .replaceAll('1234abcd-12ab-34cd-56ef-1234567890ab', MRK)
      .replaceAll('us-west-2', region);
    const record = JSON.parse(text) as JsonObject;
    return {
      ...record,
      requestParameters: { ...(record['requestParameters'] as JsonObject), policy: JSON.stringify(policy) },
    };
  }
  const ROOT_ONLY = { ...REPLICA_POLICY, Statement: [REPLICA_POLICY.Statement[0]] } as JsonObject;

  it.each([
    ['the replica state first', ['prod-111122223333-ap-northeast-1.tfstate', 'prod-111122223333-us-west-2.tfstate']],
    ['the primary state first', ['prod-111122223333-us-west-2.tfstate', 'prod-111122223333-ap-northeast-1.tfstate']],
  ] as const)('the policy is the replica’s, the primary keeps its own (%s)', async (_order, order) => {
    const paths = writeStates(states);
    const { index, problems } = await indexOf(order.map((name) => paths[name] ?? ''));
    expect(problems).toEqual([]);

    // PutKeyPolicy on the replica with the policy its aws_kms_key_policy declares: in sync with that declaration.
    const onReplica = findingOf(putPolicy('ap-northeast-1', REPLICA_POLICY as JsonObject), index);
    expect(onReplica.terraform?.address).toBe('aws_kms_key_policy.global_apne1');
    expect(onReplica.driftType).toBe('in_sync');

    // The replica's app statement dropped: drift of the replica's declared policy.
    const dropped = findingOf(putPolicy('ap-northeast-1', ROOT_ONLY), index);
    expect(dropped.terraform?.address).toBe('aws_kms_key_policy.global_apne1');
    expect(dropped.driftType).toBe('modified');
    expect(dropped.changes.policy).toMatchObject({
      removed_principals: ['arn:aws:iam::111122223333:role/app-apne1'],
    });

    // PutKeyPolicy on the primary with its own (root-only) policy: in sync with aws_kms_key.global.
    const onPrimary = findingOf(putPolicy('us-west-2', ROOT_ONLY), index);
    expect(onPrimary.terraform?.address).toBe('aws_kms_key.global');
    expect(onPrimary.driftType).toBe('in_sync');
  });
});
