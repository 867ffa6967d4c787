import { fileURLToPath } from 'node:url';
import type { JsonObject } from '../../src/model/json.ts';
import type {
  Actor,
  AliasChange,
  AliasRef,
  KeyChange,
  KeyRef,
  KmsEvent,
  KmsEventName,
} from '../../src/model/kms-event.ts';
import { parseKmsArn } from '../../src/model/arn.ts';

// Hand-built KmsEvents, shaped as the normalizer produces them, for table-driven diffs.

export const fixture = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
export const OWN = fixture('own/tfstate/modules-for-each.tfstate');
export const DRIFTCTL = fixture('tfstate/driftctl');

export const ACCOUNT = '111122223333';
export const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const DATA_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/${DATA}`;
export const LOGS = '7c1f9a42-5b3e-4d8a-9f60-2e4b7d9c0a15';
export const LOGS_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/${LOGS}`;
export const LEGACY = '0987dcba-09fe-87dc-65ba-ab0987654321';
export const LEGACY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/${LEGACY}`;
export const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

/** driftctl's states: account 047081014315, eu-west-3. */
export const DC = {
  baz: '5d765f32-bfdc-4610-b6ab-f82db5d0601b', // is_enabled false, tags {Foo: "true"}
  bar: '8ee21d91-c000-428c-8032-235aac55da36', // RSA_2048 SIGN_VERIFY, 3-statement console policy
  foo: '89d2c023-ea53-40a5-b20a-d84905c622d7',
  aliasTarget: '341b2d76-feab-4911-b5de-fbdd92b21aa7',
  arn: (id: string): string => `arn:aws:kms:eu-west-3:047081014315:key/${id}`,
} as const;

export const ALICE: Actor = {
  user: 'Alice',
  arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
  type: 'IAMUser',
  userAgent: 'aws-cli/2.15.0',
};

/**
 * A key named by id (placed, as the normalizer places it, in the call's account and Region: 111122223333, us-west-2)
 * or by ARN.
 */
export function keyRef(id: string, arn?: string): KeyRef {
  return arn === undefined
    ? { keyId: id, partition: 'aws', account: ACCOUNT, region: 'us-west-2' }
    : { keyId: id, arn };
}

export function keyEvent(name: KmsEventName, change: Omit<KeyChange, 'kind'>, extra: Partial<KmsEvent> = {}): KmsEvent {
  return {
    name,
    eventId: 'e1',
    eventTime: '2025-01-01T00:00:00Z',
    eventSource: 'kms.amazonaws.com',
    account: ACCOUNT,
    region: 'us-west-2',
    actor: ALICE,
    resourceType: 'aws_kms_key',
    key: { keyId: DATA, arn: DATA_ARN, account: ACCOUNT, region: 'us-west-2' },
    change: { kind: 'key', ...change },
    record: {},
    ...extra,
  };
}

export function aliasEvent(
  name: KmsEventName,
  aliasName: string,
  change: Omit<AliasChange, 'kind'>,
  extra: Partial<KmsEvent> = {},
): KmsEvent {
  // Placed as the normalizer places an alias whose record gives no alias ARN: with its target key.
  const key = extra.key ?? keyEvent(name, { attributes: {} }).key;
  const arn = key?.arn === undefined ? undefined : parseKmsArn(key.arn);
  const scope =
    arn === undefined
      ? { partition: key?.partition, account: key?.account, region: key?.region }
      : { partition: arn.partition, account: arn.account, region: arn.region };
  return {
    ...keyEvent(name, { attributes: {} }),
    resourceType: 'aws_kms_alias',
    alias: { name: aliasName, ...(JSON.parse(JSON.stringify(scope)) as Omit<AliasRef, 'name'>) },
    change: { kind: 'alias', ...change },
    ...extra,
  };
}

export const policy = (...statements: JsonObject[]): JsonObject => ({ Version: '2012-10-17', Statement: statements });

export const rootStatement = (account = ACCOUNT): JsonObject => ({
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: 'kms:*',
  Resource: '*',
});

/** The statement aws_kms_key_policy.data adds to the data key's policy. */
export const appStatement: JsonObject = {
  Sid: 'App',
  Effect: 'Allow',
  Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/app`] },
  Action: ['kms:Decrypt', 'kms:Encrypt'],
  Resource: '*',
};
