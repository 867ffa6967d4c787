import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createDiffer } from '../../src/diff/diff.ts';
import { samePolicy } from '../../src/diff/policy.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { JsonObject } from '../../src/model/json.ts';
import type { AliasChange, KeyChange, KmsEvent, KmsEventName } from '../../src/model/kms-event.ts';

const OWN = fileURLToPath(new URL('../../fixtures/own/tfstate/modules-for-each.tfstate', import.meta.url));
const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
const DATA_ARN = `arn:aws:kms:us-west-2:111122223333:key/${DATA}`;
const LEGACY = '0987dcba-09fe-87dc-65ba-ab0987654321';
let index: DeclaredIndex;
beforeAll(async () => {
  index = (await loadStates([OWN])).index;
});

const diff = createDiffer({ terraformPrincipals: ['arn:aws:iam::111122223333:role/ci-*'] });

function keyEvent(name: KmsEventName, change: Omit<KeyChange, 'kind'>, extra: Partial<KmsEvent> = {}): KmsEvent {
  return {
    name,
    eventId: 'e1',
    eventTime: '2025-01-01T00:00:00Z',
    eventSource: 'kms.amazonaws.com',
    actor: { user: 'Alice', arn: 'arn:aws:iam::111122223333:user/Alice', userAgent: 'aws-cli/2.15.0' },
    resourceType: 'aws_kms_key',
    key: { keyId: DATA, arn: DATA_ARN, account: '111122223333', region: 'us-west-2' },
    change: { kind: 'key', ...change },
    record: {},
    ...extra,
  };
}

function aliasEvent(name: KmsEventName, change: Omit<AliasChange, 'kind'>, aliasName = 'alias/ExampleAlias'): KmsEvent {
  return {
    ...keyEvent(name, { attributes: {} }),
    resourceType: 'aws_kms_alias',
    alias: { name: aliasName },
    change: { kind: 'alias', ...change },
  };
}

const policy = (...statements: JsonObject[]): JsonObject => ({ Version: '2012-10-17', Statement: statements });
const rootStmt = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};
const appStmt = {
  Sid: 'App',
  Effect: 'Allow',
  Principal: { AWS: ['arn:aws:iam::111122223333:role/app'] },
  Action: ['kms:Decrypt', 'kms:Encrypt'],
  Resource: '*',
};

describe('diff: key state with the provider semantics', () => {
  it.each([
    [
      'DisableKey on a key declared enabled',
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }),
      'modified',
      { key_state: { expected: 'Enabled', actual: 'Disabled' } },
    ],
    [
      'EnableKey on a key declared enabled',
      keyEvent('EnableKey', { attributes: { key_state: 'Enabled' } }),
      'in_sync',
      {},
    ],
    [
      'EnableKey on the disabled count key',
      keyEvent('EnableKey', { attributes: { key_state: 'Enabled' } }, { key: { keyId: LEGACY } }),
      'modified',
      { key_state: { expected: 'Disabled', actual: 'Enabled' } },
    ],
    [
      'CancelKeyDeletion leaves the key Disabled',
      keyEvent('CancelKeyDeletion', { attributes: { key_state: 'Disabled' } }),
      'modified',
      { key_state: { expected: 'Enabled', actual: 'Disabled' } },
    ],
    [
      'ScheduleKeyDeletion is deletion, with its date',
      keyEvent('ScheduleKeyDeletion', {
        attributes: { key_state: 'PendingDeletion', deletion_date: '2025-01-31T00:00:00.000Z' },
        pendingWindowInDays: 30,
      }),
      'deleted',
      {
        key_state: { expected: 'Enabled', actual: 'PendingDeletion' },
        deletion_date: { actual: '2025-01-31T00:00:00.000Z' },
      },
    ],
    [
      'DisableKeyRotation',
      keyEvent('DisableKeyRotation', { attributes: { enable_key_rotation: false } }),
      'modified',
      { enable_key_rotation: { expected: true, actual: false } },
    ],
    [
      'EnableKeyRotation with another period',
      keyEvent('EnableKeyRotation', { attributes: { enable_key_rotation: true, rotation_period_in_days: 730 } }),
      'modified',
      { rotation_period_in_days: { expected: 365, actual: 730 } },
    ],
    [
      'UpdateKeyDescription',
      keyEvent('UpdateKeyDescription', { attributes: { description: 'changed' } }),
      'modified',
      { description: { expected: 'Application data', actual: 'changed' } },
    ],
  ])('%s', (_name, event, driftType, changes) => {
    const finding = diff(event, index);
    expect(finding.driftType).toBe(driftType);
    expect(finding.changes).toEqual(changes);
  });

  it('the key named only through a declared alias is found', () => {
    const finding = diff(
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { key: { aliasName: 'alias/ExampleAlias' } }),
      index,
    );
    expect(finding.terraform?.address).toBe('module.kms.aws_kms_key.this["data"]');
  });

  it('an unknown key is unmanaged; a failed call is none', () => {
    const unknown = diff(
      keyEvent(
        'DisableKey',
        { attributes: { key_state: 'Disabled' } },
        { key: { keyId: 'ffffffff-0000-0000-0000-000000000000' } },
      ),
      index,
    );
    expect(unknown).toMatchObject({ driftType: 'unmanaged', changes: { key_state: { actual: 'Disabled' } } });
    expect(unknown.terraform).toBeUndefined();
    const failed = diff(
      keyEvent('DisableKey', { attributes: {} }, { error: { code: 'AccessDeniedException' } }),
      index,
    );
    expect(failed).toMatchObject({ driftType: 'none', changes: {} });
  });

  it("Terraform's own user agent and allowlisted roles are marked", () => {
    const tf = keyEvent(
      'DisableKey',
      { attributes: { key_state: 'Disabled' } },
      { actor: { userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 terraform-provider-aws/5.80.0' } },
    );
    expect(diff(tf, index).byTerraform).toBe(true);
    const tofu = keyEvent('DisableKey', { attributes: {} }, { actor: { userAgent: 'OpenTofu/1.8.0' } });
    expect(diff(tofu, index).byTerraform).toBe(true);
    const ci = keyEvent(
      'DisableKey',
      { attributes: {} },
      {
        actor: {
          arn: 'arn:aws:sts::111122223333:assumed-role/ci-deploy/s',
          issuerArn: 'arn:aws:iam::111122223333:role/ci-deploy',
        },
      },
    );
    expect(diff(ci, index).byTerraform).toBe(true);
    expect(diff(keyEvent('DisableKey', { attributes: {} }), index).byTerraform).toBe(false);
  });
});

describe('diff: tags against tags_all', () => {
  it('TagResource of a declared value is in sync; a new value or key is drift', () => {
    expect(diff(keyEvent('TagResource', { attributes: {}, tagsSet: { Department: 'IT' } }), index).driftType).toBe(
      'in_sync',
    );
    const finding = diff(
      keyEvent('TagResource', { attributes: {}, tagsSet: { Department: 'HR', CostCenter: '42' } }),
      index,
    );
    expect(finding.driftType).toBe('modified');
    expect(finding.changes.tags).toMatchObject({
      added: { CostCenter: '42' },
      changed: { Department: { expected: 'IT', actual: 'HR' } },
      removed: [],
    });
  });

  it('UntagResource of a provider default tag is drift too', () => {
    const finding = diff(keyEvent('UntagResource', { attributes: {}, tagsRemoved: ['ManagedBy'] }), index);
    expect(finding.changes.tags).toMatchObject({ removed: ['ManagedBy'], added: {} });
  });
});

describe('diff: policy compared semantically', () => {
  const declared = policy(rootStmt, appStmt);
  it('equal modulo whitespace, key order, single values, statement and value order, account id vs root ARN', () => {
    const reordered = {
      Statement: [
        {
          Resource: ['*'],
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Principal: { AWS: 'arn:aws:iam::111122223333:role/app' },
          Effect: 'Allow',
          Sid: 'App',
        },
        { ...rootStmt, Principal: { AWS: ['111122223333'] }, Action: ['kms:*'] },
      ],
      Version: '2012-10-17',
    };
    expect(samePolicy(declared, reordered)).toBe(true);
    const finding = diff(keyEvent('PutKeyPolicy', { attributes: { policy: reordered } }), index);
    expect(finding.driftType).toBe('in_sync');
    expect(finding.terraform?.address).toBe('aws_kms_key_policy.data');
  });

  it('an external account and `*` are added principals, facts and an RFC 6902 patch', () => {
    const widened = policy(rootStmt, appStmt, {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::999988887777:root', '*'] },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const finding = diff(keyEvent('PutKeyPolicy', { attributes: { policy: widened } }), index);
    expect(finding.driftType).toBe('modified');
    expect(finding.changes.policy).toMatchObject({
      added_principals: ['*', 'arn:aws:iam::999988887777:root'],
      removed_principals: [],
    });
    expect(finding.policy).toMatchObject({ external_accounts: ['999988887777'], wildcard_principal: true });
    const patch = (finding.changes.policy as { readonly patch: readonly { op: string; path: string }[] }).patch;
    expect(patch).toContainEqual(
      expect.objectContaining({ op: 'add', path: expect.stringMatching(/^\/Statement\/\d+$/) }),
    );
  });

  it('a `*` limited by a Condition is not a wildcard grant', () => {
    const conditioned = policy(rootStmt, appStmt, {
      Effect: 'Allow',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } },
    });
    expect(
      diff(keyEvent('PutKeyPolicy', { attributes: { policy: conditioned } }), index).policy?.wildcard_principal,
    ).toBe(false);
  });
});

describe('diff: aliases', () => {
  it('the same target by id is in sync; another target is modified; deletion is deleted', () => {
    expect(
      diff(aliasEvent('UpdateAlias', { attributes: { alias_name: 'alias/ExampleAlias', target_key_id: DATA } }), index)
        .driftType,
    ).toBe('in_sync');
    const moved = diff(
      aliasEvent('UpdateAlias', { attributes: { alias_name: 'alias/ExampleAlias', target_key_id: LEGACY } }),
      index,
    );
    expect(moved).toMatchObject({
      driftType: 'modified',
      changes: { target_key_id: { expected: DATA, actual: LEGACY } },
      terraform: { address: 'module.kms.aws_kms_alias.this["data"]' },
    });
    expect(moved.resource).toBe('arn:aws:kms:us-west-2:111122223333:alias/ExampleAlias');
    expect(
      diff(aliasEvent('DeleteAlias', { attributes: { alias_name: 'alias/ExampleAlias' }, deleted: true }), index)
        .driftType,
    ).toBe('deleted');
    expect(
      diff(
        aliasEvent('CreateAlias', { attributes: { alias_name: 'alias/new', target_key_id: DATA } }, 'alias/new'),
        index,
      ).driftType,
    ).toBe('unmanaged');
  });
});
