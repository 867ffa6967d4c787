import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupCore } from '../../src/cli/setup.ts';
import type { Core } from '../../src/app.ts';
import type { JsonObject } from '../../src/model/json.ts';
import { ROOT } from '../helpers/cli.ts';

// Every Terraform KMS resource type beyond aws_kms_key and aws_kms_alias, with each event that changes it, on AWS's
// sample records (and our own where AWS has no valid sample: fixtures/own/cloudtrail/kms, see its README) against the
// states in fixtures/own/tfstate/types/ (see the README there). Each expectation is read off the state and the KMS
// API reference: what Terraform declares, what the call leaves, which bundled rule says so.

const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/`;
const OWN = `${ROOT}fixtures/own/cloudtrail/kms/`;
const TYPES = `${ROOT}fixtures/own/tfstate/types/`;
const SAMPLE_ARN = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const record = (path: string): JsonObject => JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
const doc = (file: string): JsonObject => record(`${DOC}${file}`);
const own = (file: string): JsonObject => record(`${OWN}${file}`);
const withRequest = (r: JsonObject, request: JsonObject): JsonObject => ({
  ...r,
  requestParameters: { ...(r['requestParameters'] as JsonObject), ...request },
});

async function coreFor(state: string): Promise<Core> {
  const setup = await setupCore({ states: [`${TYPES}${state}`], rules: [], terraformPrincipals: [] });
  expect(setup.problems).toEqual([]);
  return setup.core;
}

interface Expected {
  readonly driftType: string;
  readonly address?: string;
  /** The compared attributes that differ, with what Terraform declares and what the call left. */
  readonly changes?: Readonly<Record<string, unknown>>;
  /** The bundled drift rule that reports it (none: quiet). */
  readonly rule?: string;
}

function check(core: Core, r: JsonObject, want: Expected): void {
  const [finding] = core.findings(r);
  expect(finding?.driftType).toBe(want.driftType);
  expect(finding?.terraform?.address).toBe(want.address);
  if (want.changes !== undefined) expect(finding?.changes).toEqual(want.changes);
  const drift = core
    .processPayload(r)
    .logs.map((l) => String(l.log['rule']))
    .filter((rule) => !rule.startsWith('kms_compliance_'));
  expect(drift).toEqual(want.rule === undefined ? [] : [want.rule]);
}

describe('aws_kms_external_key and aws_kms_replica_external_key', () => {
  it.each<[string, () => JsonObject, Expected]>([
    [
      'ImportKeyMaterial with the declared valid_to and expiration model: in sync',
      () => doc('ct-importkeymaterial.1.json'),
      { driftType: 'in_sync', address: 'aws_kms_external_key.byok', changes: {} },
    ],
    [
      'ImportKeyMaterial with another expiry',
      () => withRequest(doc('ct-importkeymaterial.1.json'), { validTo: 'Jan 1, 2022 8:00:00 PM' }),
      {
        driftType: 'modified',
        address: 'aws_kms_external_key.byok',
        changes: { valid_to: { expected: '2021-01-01T20:00:00.000Z', actual: '2022-01-01T20:00:00.000Z' } },
        rule: 'kms_key_material_imported_against_terraform',
      },
    ],
    [
      'DeleteImportedKeyMaterial: the key waits for its material again (PendingImport)',
      () => own('delete-imported-key-material.json'),
      {
        driftType: 'modified',
        address: 'aws_kms_external_key.byok',
        changes: { key_state: { expected: 'Enabled', actual: 'PendingImport' } },
        rule: 'kms_key_material_deleted',
      },
    ],
    [
      'DisableKey of the external key',
      () => doc('ct-disablekey.1.json'),
      {
        driftType: 'modified',
        address: 'aws_kms_external_key.byok',
        changes: { key_state: { expected: 'Enabled', actual: 'Disabled' } },
        rule: 'kms_key_disabled',
      },
    ],
    [
      'ImportKeyMaterial into the replica external key, which Terraform declares without material',
      () => ({
        ...withRequest(doc('ct-importkeymaterial.1.json'), { keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' }),
        awsRegion: 'eu-west-1',
        resources: [
          {
            accountId: '111122223333',
            type: 'AWS::KMS::Key',
            ARN: 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
          },
        ],
      }),
      {
        driftType: 'modified',
        address: 'aws_kms_replica_external_key.byok_eu',
        changes: { valid_to: { expected: null, actual: '2021-01-01T20:00:00.000Z' } },
        rule: 'kms_key_material_imported_against_terraform',
      },
    ],
  ])('%s', async (_name, r, want) => check(await coreFor('external-key.tfstate'), r(), want));

  it('CreateKey of the declared external key is that declaration, not a key created outside Terraform', async () => {
    const [finding] = (await coreFor('external-key.tfstate')).findings(doc('ct-createkey.1.json'));
    expect(finding?.terraform).toMatchObject({ address: 'aws_kms_external_key.byok', type: 'aws_kms_external_key' });
    // EXTERNAL keys start in PendingImport; Terraform's import follows: the state at creation is not compared.
    expect(finding?.changes).not.toHaveProperty('key_state');
  });
});

describe('aws_kms_replica_key', () => {
  it.each<[string, () => JsonObject, Expected]>([
    [
      'ReplicateKey making the declared replica (its policy, description and primary as declared): in sync',
      () => own('replicate-key.json'),
      { driftType: 'in_sync', address: 'aws_kms_replica_key.doc', changes: {} },
    ],
    [
      'ReplicateKey into a Region where no state declares a replica',
      () => {
        const r = own('replicate-key.json');
        const text = JSON.stringify(r).replaceAll('arn:aws:kms:us-west-2:', 'arn:aws:kms:eu-central-1:');
        return {
          ...(JSON.parse(text) as JsonObject),
          requestParameters: { ...(r['requestParameters'] as JsonObject), replicaRegion: 'eu-central-1' },
        };
      },
      { driftType: 'unmanaged', rule: 'kms_replica_key_created_outside_terraform' },
    ],
    [
      'UpdatePrimaryRegion recorded in the new primary Region: the replica is its own primary now',
      () => doc('ct-update-primary-region.2.json'),
      {
        driftType: 'modified',
        address: 'aws_kms_replica_key.global_apne1',
        changes: {
          primary_key_arn: {
            expected: 'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
            actual: 'arn:aws:kms:ap-northeast-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
          },
        },
        rule: 'kms_primary_region_changed',
      },
    ],
    [
      'UpdatePrimaryRegion recorded in the old primary Region: the declared aws_kms_key is no longer primary',
      () => doc('ct-update-primary-region.1.json'),
      {
        driftType: 'modified',
        address: 'aws_kms_key.global',
        changes: {
          primary_key_arn: {
            expected: 'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
            actual: 'arn:aws:kms:ap-northeast-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
          },
        },
        rule: 'kms_primary_region_changed',
      },
    ],
  ])('%s', async (_name, r, want) => check(await coreFor('replica-key.tfstate'), r(), want));
});

describe('aws_kms_grant', () => {
  const created = doc('ct-creategrant.1.json');
  const another = (grantee?: string): JsonObject => ({
    ...withRequest(created, grantee === undefined ? {} : { granteePrincipal: grantee }),
    responseElements: { grantId: 'c'.repeat(64) },
  });
  it.each<[string, () => JsonObject, Expected]>([
    [
      'CreateGrant of the declared grant (grantee, operations, encryption-context constraint): in sync',
      () => created,
      { driftType: 'in_sync', address: 'aws_kms_grant.doc', changes: {} },
    ],
    [
      'a grant no state declares, on a key Terraform manages',
      () => another(),
      { driftType: 'unmanaged', rule: 'kms_grant_created_outside_terraform' },
    ],
    [
      'a grant no state declares, to another account',
      () => another('arn:aws:iam::444455556666:role/partner'),
      { driftType: 'unmanaged', rule: 'kms_grant_to_external_account' },
    ],
    [
      'RevokeGrant of a declared grant',
      () => doc('ct-revoke-grant.1.json'),
      { driftType: 'deleted', address: 'aws_kms_grant.app_decrypt', rule: 'kms_grant_deleted' },
    ],
    [
      'RetireGrant of a declared grant (the grant id only in additionalEventData)',
      () => doc('ct-retire-grant.1.json'),
      { driftType: 'deleted', address: 'aws_kms_grant.app_decrypt', rule: 'kms_grant_deleted' },
    ],
    [
      'RotateKeyOnDemand: an event rules see, changing nothing Terraform declares',
      () => own('rotate-key-on-demand.json'),
      { driftType: 'none', address: 'aws_kms_key.app' },
    ],
  ])('%s', async (_name, r, want) => check(await coreFor('grant.tfstate'), r(), want));

  it("an unmanaged grant names its key's declaration and the grantee's account", async () => {
    const core = await coreFor('grant.tfstate');
    const [log] = core.processPayload(another('arn:aws:iam::444455556666:role/partner')).logs;
    expect(log?.log).toMatchObject({
      resource: `${SAMPLE_ARN}:${'c'.repeat(64)}`,
      resource_type: 'aws_kms_grant',
      key_terraform: { address: 'aws_kms_key.app', type: 'aws_kms_key' },
      priority: 'Critical',
    });
    expect(log?.log['output_fields']).toMatchObject({ 'grant.grantee_account': '444455556666' });
  });

  it('a grantee in an allowed account is no external grant', async () => {
    const setup = await setupCore({
      states: [`${TYPES}grant.tfstate`],
      rules: [],
      terraformPrincipals: [],
      allowedAccounts: ['444455556666'],
    });
    const rules = setup.core
      .processPayload(another('arn:aws:iam::444455556666:role/partner'))
      .logs.map((l) => l.log['rule']);
    expect(rules).toEqual(['kms_grant_created_outside_terraform']);
  });
});

describe('aws_kms_custom_key_store', () => {
  it.each<[string, () => JsonObject, Expected]>([
    [
      'CreateCustomKeyStore of the declared store: in sync',
      () => doc('ct-create-keystore.1.json'),
      { driftType: 'in_sync', address: 'aws_kms_custom_key_store.hsm', changes: {} },
    ],
    [
      'UpdateCustomKeyStore with the declared cluster: in sync',
      () => doc('ct-update-keystore.1.json'),
      { driftType: 'in_sync', address: 'aws_kms_custom_key_store.hsm', changes: {} },
    ],
    [
      'UpdateCustomKeyStore renaming the store',
      () => withRequest(doc('ct-update-keystore.1.json'), { newCustomKeyStoreName: 'Renamed' }),
      {
        driftType: 'modified',
        address: 'aws_kms_custom_key_store.hsm',
        changes: { custom_key_store_name: { expected: 'ExampleKeyStore', actual: 'Renamed' } },
        rule: 'kms_custom_key_store_modified',
      },
    ],
    [
      'DeleteCustomKeyStore',
      () => doc('ct-delete-keystore.1.json'),
      { driftType: 'deleted', address: 'aws_kms_custom_key_store.hsm', rule: 'kms_custom_key_store_deleted' },
    ],
    [
      'ConnectCustomKeyStore: nothing Terraform declares',
      () => doc('ct-connect-keystore.1.json'),
      { driftType: 'none', address: 'aws_kms_custom_key_store.hsm' },
    ],
    [
      'DisconnectCustomKeyStore: nothing Terraform declares',
      () => doc('ct-disconnect-keystore.1.json'),
      { driftType: 'none', address: 'aws_kms_custom_key_store.hsm' },
    ],
  ])('%s', async (_name, r, want) => check(await coreFor('custom-key-store.tfstate'), r(), want));
});
