import { beforeAll, describe, expect, it } from 'vitest';
import { diffEvent, type DiffOptions } from '../../src/diff/diff.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { DriftFinding } from '../../src/model/finding.ts';
import type { KmsEvent } from '../../src/model/kms-event.ts';
import {
  ACCOUNT,
  DATA,
  DATA_ARN,
  DC,
  DRIFTCTL,
  LEGACY,
  LOGS,
  LOGS_ARN,
  MRK,
  OWN,
  aliasEvent,
  keyEvent,
  keyRef,
} from './builder.ts';

// Our modules/for_each state and driftctl's real states, loaded together as `--state` would load them.
let index: DeclaredIndex;
beforeAll(async () => {
  const loaded = await loadStates([OWN, DRIFTCTL]);
  expect(loaded.problems).toEqual([]);
  index = loaded.index;
});

const options: DiffOptions = { terraformPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-*`] };
const diff = (event: KmsEvent): DriftFinding => diffEvent(event, index, options);

const ON_DRIFTCTL = (id: string): Partial<KmsEvent> => ({
  key: keyRef(id, DC.arn(id)),
  account: '047081014315',
  region: 'eu-west-3',
});

describe('diff: keys, with the provider semantics', () => {
  it.each<[string, KmsEvent, DriftFinding['driftType'], DriftFinding['changes'], string | undefined]>([
    [
      'DisableKey on a key declared is_enabled = true',
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }),
      'modified',
      { key_state: { expected: 'Enabled', actual: 'Disabled' } },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'EnableKey on an enabled key',
      keyEvent('EnableKey', { attributes: { key_state: 'Enabled' } }),
      'in_sync',
      {},
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'EnableKey on the disabled count key, named by bare id only',
      keyEvent('EnableKey', { attributes: { key_state: 'Enabled' } }, { key: keyRef(LEGACY) }),
      'modified',
      { key_state: { expected: 'Disabled', actual: 'Enabled' } },
      'aws_kms_key.legacy[0]',
    ],
    [
      "EnableKey on driftctl's key declared disabled",
      keyEvent('EnableKey', { attributes: { key_state: 'Enabled' } }, ON_DRIFTCTL(DC.baz)),
      'modified',
      { key_state: { expected: 'Disabled', actual: 'Enabled' } },
      'aws_kms_key.baz',
    ],
    [
      "DisableKey on driftctl's disabled key",
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, ON_DRIFTCTL(DC.baz)),
      'in_sync',
      {},
      'aws_kms_key.baz',
    ],
    [
      'ScheduleKeyDeletion: deleted, with its date; the pending window is never drift',
      keyEvent('ScheduleKeyDeletion', {
        attributes: { key_state: 'PendingDeletion', deletion_date: '2025-01-31T00:00:00.000Z' },
        pendingWindowInDays: 30,
      }),
      'deleted',
      {
        key_state: { expected: 'Enabled', actual: 'PendingDeletion' },
        deletion_date: { actual: '2025-01-31T00:00:00.000Z' },
      },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'ScheduleKeyDeletion of a replica: PendingReplicaDeletion is deleted too',
      keyEvent(
        'ScheduleKeyDeletion',
        { attributes: { key_state: 'PendingReplicaDeletion', deletion_date: '2025-01-08T00:00:00.000Z' } },
        { key: keyRef(MRK, `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${MRK}`), region: 'eu-west-1' },
      ),
      'deleted',
      {
        key_state: { expected: 'Enabled', actual: 'PendingReplicaDeletion' },
        deletion_date: { actual: '2025-01-08T00:00:00.000Z' },
      },
      'aws_kms_replica_key.global_eu',
    ],
    [
      'CancelKeyDeletion leaves the key Disabled, against is_enabled = true',
      keyEvent('CancelKeyDeletion', { attributes: { key_state: 'Disabled' } }),
      'modified',
      { key_state: { expected: 'Enabled', actual: 'Disabled' } },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'DisableKeyRotation',
      keyEvent('DisableKeyRotation', { attributes: { enable_key_rotation: false } }),
      'modified',
      { enable_key_rotation: { expected: true, actual: false } },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'EnableKeyRotation with the declared period',
      keyEvent('EnableKeyRotation', { attributes: { enable_key_rotation: true, rotation_period_in_days: 365 } }),
      'in_sync',
      {},
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'EnableKeyRotation with another period',
      keyEvent('EnableKeyRotation', { attributes: { enable_key_rotation: true, rotation_period_in_days: 730 } }),
      'modified',
      { rotation_period_in_days: { expected: 365, actual: 730 } },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      "EnableKeyRotation on driftctl's key (rotation off, no period in that provider)",
      keyEvent('EnableKeyRotation', { attributes: { enable_key_rotation: true } }, ON_DRIFTCTL(DC.foo)),
      'modified',
      { enable_key_rotation: { expected: false, actual: true } },
      'aws_kms_key.foo',
    ],
    [
      'UpdateKeyDescription',
      keyEvent('UpdateKeyDescription', { attributes: { description: 'changed' } }),
      'modified',
      { description: { expected: 'Application data', actual: 'changed' } },
      'module.kms.aws_kms_key.this["data"]',
    ],
    [
      'the key named only through a declared alias (alias ARN in the request)',
      keyEvent(
        'DisableKey',
        { attributes: { key_state: 'Disabled' } },
        { key: { aliasName: 'alias/my_alias', account: ACCOUNT, region: 'us-west-2' } },
      ),
      'modified',
      { key_state: { expected: 'Enabled', actual: 'Disabled' } },
      'module.kms.aws_kms_key.this["logs"]',
    ],
  ])('%s', (_name, event, driftType, changes, address) => {
    const finding = diff(event);
    expect(finding.driftType).toBe(driftType);
    expect(finding.changes).toEqual(changes);
    expect(finding.terraform?.address).toBe(address);
    expect(finding.resourceType).toBe('aws_kms_key');
  });

  it('actual holds what the event determined, expected everything declared', () => {
    const finding = diff(
      keyEvent('ScheduleKeyDeletion', {
        attributes: { key_state: 'PendingDeletion', deletion_date: '2025-01-31T00:00:00.000Z' },
        pendingWindowInDays: 7,
      }),
    );
    expect(finding.actual).toEqual({ key_state: 'PendingDeletion', deletion_date: '2025-01-31T00:00:00.000Z' });
    expect(finding.expected).toMatchObject({
      key_state: 'Enabled',
      enable_key_rotation: true,
      rotation_period_in_days: 365,
      description: 'Application data',
      key_usage: 'ENCRYPT_DECRYPT',
      customer_master_key_spec: 'SYMMETRIC_DEFAULT',
      multi_region: false,
    });
    expect(JSON.stringify([finding.changes, finding.actual, finding.expected])).not.toMatch(/pendingWindow|bypass/);
    expect(finding).toMatchObject({ resource: DATA_ARN, account: ACCOUNT, region: 'us-west-2' });
  });

  it('account and region come from the key ARN, not from the caller', () => {
    const finding = diff(
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { ...ON_DRIFTCTL(DC.bar), account: ACCOUNT }),
    );
    expect(finding).toMatchObject({ resource: DC.arn(DC.bar), account: '047081014315', region: 'eu-west-3' });
  });

  it('a key named by id only gets the declared ARN as its resource', () => {
    expect(diff(keyEvent('DisableKey', { attributes: {} }, { key: keyRef(LOGS) })).resource).toBe(LOGS_ARN);
  });

  it('a replica in a Region no state declares is unmanaged, not its primary', () => {
    const replica = keyRef(MRK, `arn:aws:kms:ap-southeast-2:${ACCOUNT}:key/${MRK}`);
    expect(diff(keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { key: replica })).driftType).toBe(
      'unmanaged',
    );
    const primary = keyRef(MRK, `arn:aws:kms:us-west-2:${ACCOUNT}:key/${MRK}`);
    expect(diff(keyEvent('DisableKey', { attributes: {} }, { key: primary })).terraform?.address).toBe(
      'aws_kms_key.global',
    );
  });

  it('an unknown key is unmanaged with every attribute the event set; a failed call is none', () => {
    const unknown = diff(
      keyEvent(
        'DisableKey',
        { attributes: { key_state: 'Disabled' } },
        { key: keyRef('ffffffff-0000-0000-0000-000000000000') },
      ),
    );
    expect(unknown).toMatchObject({
      driftType: 'unmanaged',
      changes: { key_state: { actual: 'Disabled' } },
      expected: {},
    });
    expect(unknown.terraform).toBeUndefined();
    const failed = diff(
      keyEvent('DisableKey', { attributes: {} }, { error: { code: 'AccessDeniedException', message: 'denied' } }),
    );
    expect(failed).toMatchObject({ driftType: 'none', changes: {} });
    // The failed call still says which managed key it aimed at, for rules on denied attempts.
    expect(failed.terraform?.address).toBe('module.kms.aws_kms_key.this["data"]');
    expect(failed.resource).toBe(DATA_ARN);
  });
});

describe('diff: byTerraform', () => {
  it.each<[string, Partial<KmsEvent['actor']>, boolean]>([
    [
      'Terraform user agent',
      { userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0' },
      true,
    ],
    ['OpenTofu user agent', { userAgent: 'APN/1.0 HashiCorp/1.0 OpenTofu/1.8.0 terraform-provider-aws/5.80.0' }, true],
    [
      'allowlisted role, by the session issuer',
      { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/s1`, issuerArn: `arn:aws:iam::${ACCOUNT}:role/ci-deploy` },
      true,
    ],
    ['allowlisted role pattern against the caller ARN itself', { arn: `arn:aws:iam::${ACCOUNT}:role/ci-plan` }, true],
    ['a role that only contains the pattern', { arn: `arn:aws:iam::${ACCOUNT}:role/not-ci-deploy` }, false],
    ['the console', { arn: `arn:aws:iam::${ACCOUNT}:user/Alice`, userAgent: 'AWS Internal' }, false],
    ['a lowercase terraform in a script name', { userAgent: 'my-terraform-wrapper/1.0' }, false],
  ])('%s', (_name, actor, expected) => {
    expect(diff(keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { actor })).byTerraform).toBe(
      expected,
    );
  });

  it('a Terraform change is still compared (the rules decide what to do with it)', () => {
    const finding = diff(
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { actor: { userAgent: 'Terraform/1.9.8' } }),
    );
    expect(finding).toMatchObject({ byTerraform: true, driftType: 'modified' });
  });
});

describe('diff: tags against tags_all (default_tags included)', () => {
  it.each<[string, KmsEvent, DriftFinding['driftType'], unknown]>([
    [
      'TagResource of a declared value',
      keyEvent('TagResource', { attributes: {}, tagsSet: { Department: 'IT' } }),
      'in_sync',
      undefined,
    ],
    [
      'TagResource of a default tag value',
      keyEvent('TagResource', { attributes: {}, tagsSet: { ManagedBy: 'terraform' } }),
      'in_sync',
      undefined,
    ],
    [
      'TagResource: a new key and a changed value',
      keyEvent('TagResource', { attributes: {}, tagsSet: { Department: 'HR', CostCenter: '42' } }),
      'modified',
      { added: { CostCenter: '42' }, removed: [], changed: { Department: { expected: 'IT', actual: 'HR' } } },
    ],
    [
      'UntagResource of a provider default tag (only in tags_all)',
      keyEvent('UntagResource', { attributes: {}, tagsRemoved: ['ManagedBy'] }),
      'modified',
      { added: {}, removed: ['ManagedBy'], changed: {} },
    ],
    [
      'UntagResource of a tag never declared',
      keyEvent('UntagResource', { attributes: {}, tagsRemoved: ['Nope'] }),
      'in_sync',
      undefined,
    ],
    [
      "TagResource on driftctl's key without tags (tags = {})",
      keyEvent('TagResource', { attributes: {}, tagsSet: { Owner: 'bob' } }, ON_DRIFTCTL(DC.foo)),
      'modified',
      { expected: {}, actual: { Owner: 'bob' }, added: { Owner: 'bob' } },
    ],
    [
      "UntagResource on driftctl's tagged key",
      keyEvent('UntagResource', { attributes: {}, tagsRemoved: ['Foo'] }, ON_DRIFTCTL(DC.baz)),
      'modified',
      { expected: { Foo: 'true' }, actual: {}, removed: ['Foo'] },
    ],
  ])('%s', (_name, event, driftType, tags) => {
    const finding = diff(event);
    expect(finding.driftType).toBe(driftType);
    if (tags === undefined) expect(finding.changes.tags).toBeUndefined();
    else expect(finding.changes.tags).toMatchObject(tags as object);
  });

  it('the actual tags are the declared tags_all with the delta applied', () => {
    const finding = diff(keyEvent('TagResource', { attributes: {}, tagsSet: { CostCenter: '42' } }));
    expect(finding.actual.tags).toEqual({
      Department: 'IT',
      Owner: 'team-a',
      Environment: 'prod',
      ManagedBy: 'terraform',
      CostCenter: '42',
    });
    expect(finding.changes.tags?.expected).toEqual(finding.expected.tags);
  });

  it('a tag named __proto__ is an ordinary tag', () => {
    const finding = diff(
      keyEvent('TagResource', { attributes: {}, tagsSet: JSON.parse('{"__proto__":"x"}') as Record<string, string> }),
    );
    expect(Object.keys(finding.actual.tags as object)).toContain('__proto__');
    expect(finding.changes.tags).toMatchObject({ added: JSON.parse('{"__proto__":"x"}') as object });
  });
});

describe('diff: aliases', () => {
  it.each<[string, KmsEvent, DriftFinding['driftType'], DriftFinding['changes'], string | undefined]>([
    [
      'UpdateAlias to the declared target, by id',
      aliasEvent('UpdateAlias', 'alias/ExampleAlias', {
        attributes: { alias_name: 'alias/ExampleAlias', target_key_id: DATA },
      }),
      'in_sync',
      {},
      'module.kms.aws_kms_alias.this["data"]',
    ],
    [
      'UpdateAlias to the declared target, by ARN',
      aliasEvent('UpdateAlias', 'alias/ExampleAlias', {
        attributes: { alias_name: 'alias/ExampleAlias', target_key_id: DATA_ARN },
      }),
      'in_sync',
      {},
      'module.kms.aws_kms_alias.this["data"]',
    ],
    [
      'an alias the state targets by ARN, retargeted by id',
      aliasEvent('UpdateAlias', 'alias/my_alias', {
        attributes: { alias_name: 'alias/my_alias', target_key_id: DATA },
      }),
      'modified',
      { target_key_id: { expected: LOGS, actual: DATA } },
      'module.kms.aws_kms_alias.this["logs"]',
    ],
    [
      'an alias the state targets by ARN, set to the same key by id',
      aliasEvent('UpdateAlias', 'alias/my_alias', {
        attributes: { alias_name: 'alias/my_alias', target_key_id: LOGS },
      }),
      'in_sync',
      {},
      'module.kms.aws_kms_alias.this["logs"]',
    ],
    [
      'UpdateAlias to another key',
      aliasEvent('UpdateAlias', 'alias/ExampleAlias', {
        attributes: { alias_name: 'alias/ExampleAlias', target_key_id: LEGACY },
      }),
      'modified',
      { target_key_id: { expected: DATA, actual: LEGACY } },
      'module.kms.aws_kms_alias.this["data"]',
    ],
    [
      'a driftctl name_prefix alias retargeted',
      aliasEvent(
        'UpdateAlias',
        'alias/baz20210225124429210500000001',
        { attributes: { target_key_id: DC.foo } },
        { key: keyRef(DC.foo, DC.arn(DC.foo)) },
      ),
      'modified',
      { target_key_id: { expected: DC.aliasTarget, actual: DC.foo } },
      'aws_kms_alias.baz',
    ],
    [
      'DeleteAlias of a declared alias',
      aliasEvent('DeleteAlias', 'alias/ExampleAlias', {
        attributes: { alias_name: 'alias/ExampleAlias' },
        deleted: true,
      }),
      'deleted',
      { alias_name: { expected: 'alias/ExampleAlias', actual: null } },
      'module.kms.aws_kms_alias.this["data"]',
    ],
    [
      'CreateAlias of a name no state declares',
      aliasEvent('CreateAlias', 'alias/new', { attributes: { alias_name: 'alias/new', target_key_id: DATA } }),
      'unmanaged',
      { alias_name: { actual: 'alias/new' }, target_key_id: { actual: DATA } },
      undefined,
    ],
    [
      'a failed UpdateAlias',
      aliasEvent(
        'UpdateAlias',
        'alias/ExampleAlias',
        { attributes: { alias_name: 'alias/ExampleAlias', target_key_id: LEGACY } },
        { error: { code: 'NotFoundException' } },
      ),
      'none',
      {},
      'module.kms.aws_kms_alias.this["data"]',
    ],
  ])('%s', (_name, event, driftType, changes, address) => {
    const finding = diff(event);
    expect(finding.resourceType).toBe('aws_kms_alias');
    expect(finding.driftType).toBe(driftType);
    expect(finding.changes).toEqual(changes);
    expect(finding.terraform?.address).toBe(address);
  });

  it('the alias ARN: from the state, else built from the key ARN the record names', () => {
    const declared = diff(aliasEvent('DeleteAlias', 'alias/ExampleAlias', { attributes: {}, deleted: true }));
    expect(declared.resource).toBe(`arn:aws:kms:us-west-2:${ACCOUNT}:alias/ExampleAlias`);
    const unmanaged = diff(
      aliasEvent(
        'DeleteAlias',
        'alias/gone',
        { attributes: {}, deleted: true },
        { key: keyRef(DC.foo, DC.arn(DC.foo)) },
      ),
    );
    expect(unmanaged).toMatchObject({
      resource: 'arn:aws:kms:eu-west-3:047081014315:alias/gone',
      account: '047081014315',
      region: 'eu-west-3',
      driftType: 'unmanaged',
    });
  });
});
