import type { JsonValue } from '../../../model/json.ts';
import type { DriftFinding } from '../../../model/finding.ts';
import type { AttributeName } from '../../../model/snapshot.ts';
import { isJsonObject, field } from '../../../model/json.ts';
import type { FieldDef, FieldResult, FieldType } from './types.ts';
import { findingField, memo } from './define.ts';
import { ctUser } from './cloudtrail-user.ts';
import { shortSource } from './cloudtrail.ts';
import { str } from './record.ts';

/** Every snapshot attribute with its field type; `tags` and `policy` render as compact JSON. */
const ATTRIBUTES: readonly (readonly [AttributeName, FieldType, string])[] = [
  ['key_state', 'string', 'Disabled'],
  ['deletion_date', 'date', '2026-01-31T00:00:00Z'],
  ['deletion_window_in_days', 'number', '7'],
  ['enable_key_rotation', 'boolean', 'true'],
  ['rotation_period_in_days', 'number', '365'],
  ['policy', 'string', '{"Version":"2012-10-17",…}'],
  ['description', 'string', 'data key'],
  ['tags', 'string', '{"Env":"prod"}'],
  ['key_usage', 'string', 'ENCRYPT_DECRYPT'],
  ['customer_master_key_spec', 'string', 'SYMMETRIC_DEFAULT'],
  ['multi_region', 'boolean', 'false'],
  ['primary_key_arn', 'string', 'arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab'],
  ['valid_to', 'date', '2027-01-01T00:00:00.000Z'],
  ['expiration_model', 'string', 'KEY_MATERIAL_EXPIRES'],
  ['alias_name', 'string', 'alias/data'],
  ['target_key_id', 'string', '1234abcd-12ab-34cd-56ef-1234567890ab'],
  ['grant_id', 'string', 'abcde1237f76e4ba7987489ac329fbfba6ad343d6f7075dbd1ef191f0120514a'],
  ['grantee_principal', 'string', 'arn:aws:iam::444455556666:role/app'],
  ['operations', 'list', '(Decrypt, Encrypt)'],
  ['constraints', 'string', '{"encryption_context_subset":{"Department":"IT"}}'],
  ['retiring_principal', 'string', 'arn:aws:iam::111122223333:role/admin'],
  ['name', 'string', 'app-decrypt'],
  ['custom_key_store_name', 'string', 'ExampleKeyStore'],
  ['custom_key_store_type', 'string', 'AWS_CLOUDHSM'],
  ['cloud_hsm_cluster_id', 'string', 'cluster-1a23b4cdefg'],
  ['trust_anchor_certificate', 'string', '-----BEGIN CERTIFICATE-----…'],
  ['xks_proxy_connectivity', 'string', 'PUBLIC_ENDPOINT'],
  ['xks_proxy_uri_endpoint', 'string', 'https://myproxy.xks.example.com'],
  ['xks_proxy_uri_path', 'string', '/kms/xks/v1'],
  ['xks_proxy_vpc_endpoint_service_name', 'string', 'com.amazonaws.vpce.us-east-1.vpce-svc-example'],
];

function typed(v: JsonValue | undefined, type: FieldType): FieldResult | undefined {
  if (v === undefined || v === null) return undefined;
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'number':
      return typeof v === 'number' ? v : undefined;
    case 'date':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined;
    case 'list':
      return Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string') ? (v as string[]) : undefined;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function attributeField(prefix: 'drift' | 'tf', attr: AttributeName, type: FieldType, example: string): FieldDef {
  const side = prefix === 'drift' ? 'actual' : 'expected';
  const read = (f: DriftFinding): JsonValue | undefined => {
    const values = f[side];
    return Object.hasOwn(values, attr) ? values[attr] : undefined;
  };
  const description = prefix === 'drift' ? `${attr} after the event` : `${attr} as Terraform declares it`;
  if (attr !== 'tags') {
    // typed() parses a date and serializes an object (policy, constraints): once per event.
    return memo(findingField(`${prefix}.${attr}`, type, description, example, (f) => typed(read(f), type)));
  }
  return {
    memo: true,
    name: `${prefix}.tags`,
    type: 'string',
    description: `${description}; with [Key], that one tag`,
    example,
    argument: 'optional',
    extract(f, arg) {
      const tags = read(f);
      if (arg === undefined) return typed(tags, 'string');
      if (!isJsonObject(tags)) return undefined;
      const v = field(tags, arg);
      return typeof v === 'string' ? v : undefined;
    },
  };
}

function list(values: readonly string[] | undefined): readonly string[] | undefined {
  return values === undefined || values.length === 0 ? undefined : values;
}

export const DRIFT_FIELDS: readonly FieldDef[] = [
  memo(
    findingField('cloud.service', 'string', 'the service, e.g. kms (ct.shortsrc)', 'kms', (f) => {
      const src = str(f.event.record, 'eventSource') ?? f.event.eventSource;
      return shortSource(src);
    }),
  ),
  findingField('cloud.region', 'string', 'the region of the resource', 'us-west-2', (f) => f.region),
  findingField('cloud.account', 'string', 'the account of the resource', '111122223333', (f) => f.account),
  memo(
    findingField('user', 'string', 'ct.user, else the caller ARN, else invokedBy', 'Alice', (f) => {
      const rec = f.event.record;
      return (
        ctUser(rec) ??
        str(rec, 'userIdentity', 'arn') ??
        str(rec, 'userIdentity', 'invokedBy') ??
        f.event.actor.arn ??
        f.event.actor.invokedBy
      );
    }),
  ),
  memo(
    findingField(
      'user.arn',
      'string',
      'the caller ARN',
      'arn:aws:iam::111122223333:user/Alice',
      (f) => str(f.event.record, 'userIdentity', 'arn') ?? f.event.actor.arn,
    ),
  ),
  memo(
    findingField(
      'user.type',
      'string',
      'userIdentity.type',
      'IAMUser',
      (f) => str(f.event.record, 'userIdentity', 'type') ?? f.event.actor.type,
    ),
  ),
  findingField(
    'resource',
    'string',
    'the key ARN or alias ARN; no value for an event about no KMS resource (another service, a KMS call naming no key)',
    'arn:aws:kms:us-west-2:111122223333:key/1234abcd',
    (f) => f.resource,
  ),
  findingField(
    'resource.type',
    'string',
    'what the event is about: aws_kms_key, aws_kms_alias, aws_kms_grant or aws_kms_custom_key_store (no value for another service)',
    'aws_kms_key',
    (f) => f.resourceType,
  ),
  findingField(
    'tf.type',
    'string',
    'the Terraform resource type of the declaration (aws_kms_replica_key, aws_kms_external_key, aws_kms_key_policy, …)',
    'aws_kms_key',
    (f) => f.terraform?.type,
  ),
  findingField('tf.key_managed', 'boolean', "grants: a Terraform state declares the grant's key", 'true', (f) =>
    f.resourceType === 'aws_kms_grant' ? f.keyTerraform !== undefined : undefined,
  ),
  findingField(
    'tf.key_address',
    'string',
    "grants: the Terraform address of the grant's key",
    'aws_kms_key.app',
    (f) => f.keyTerraform?.address,
  ),
  findingField(
    'grant.grantee_account',
    'string',
    "CreateGrant: the grantee principal's account",
    '444455556666',
    (f) => f.grantee?.account,
  ),
  findingField(
    'grant.external',
    'boolean',
    "CreateGrant: the grantee is in another account than the key's, and not in allowedAccounts",
    'true',
    (f) => f.grantee?.external,
  ),
  findingField(
    'tf.managed',
    'boolean',
    'a Terraform state declares the resource',
    'true',
    (f) => f.terraform !== undefined,
  ),
  findingField(
    'tf.address',
    'string',
    'the Terraform address',
    'module.kms.aws_kms_key.this["data"]',
    (f) => f.terraform?.address,
  ),
  findingField(
    'tf.state',
    'string',
    'the state source that declares it',
    's3://tf-state/prod.tfstate',
    (f) => f.terraform?.state,
  ),
  findingField(
    'drift.detected',
    'boolean',
    'drift.type is modified, deleted or unmanaged',
    'true',
    (f) => f.driftType === 'modified' || f.driftType === 'deleted' || f.driftType === 'unmanaged',
  ),
  findingField(
    'drift.type',
    'string',
    'modified, deleted, unmanaged, in_sync or none (none: an event that changes no compared attribute, or of another service)',
    'modified',
    (f) => f.driftType,
  ),
  // Object.keys allocates: once per event.
  memo(
    findingField('drift.changed', 'list', 'the attributes that differ from Terraform', '(key_state, policy)', (f) =>
      list(Object.keys(f.changes)),
    ),
  ),
  findingField(
    'drift.by_terraform',
    'boolean',
    'the change was made by Terraform or an allowlisted principal',
    'false',
    (f) => f.byTerraform,
  ),
  ...ATTRIBUTES.flatMap(([attr, type, example]) => [
    attributeField('drift', attr, type, example),
    attributeField('tf', attr, type, example),
  ]),
  findingField(
    'policy.added_principals',
    'list',
    'principals the new policy adds',
    '(arn:aws:iam::444455556666:root)',
    (f) => list(f.policy?.added_principals),
  ),
  findingField(
    'policy.removed_principals',
    'list',
    'principals the new policy removes',
    '(arn:aws:iam::111122223333:role/x)',
    (f) => list(f.policy?.removed_principals),
  ),
  findingField(
    'policy.external_accounts',
    'list',
    "account ids granted access that are neither the key's account nor in allowedAccounts",
    '(444455556666)',
    (f) => list(f.policy?.external_accounts),
  ),
  findingField(
    'policy.conditions_removed',
    'list',
    'condition keys that no longer constrain a statement (kms:EncryptionContext:* stands beside any context key)',
    '(kms:ViaService)',
    (f) => list(f.policy?.condition_keys_removed),
  ),
  memo(
    findingField(
      'policy.actions_widened',
      'list',
      'KMS actions a statement now allows that the statements it replaced did not (wildcards expanded)',
      '(kms:Decrypt, kms:Encrypt)',
      (f) =>
        list(
          f.policy === undefined ? undefined : [...new Set(f.policy.actions_widened.flatMap((w) => w.actions))].sort(),
        ),
    ),
  ),
  findingField(
    'policy.admin_can_use',
    'boolean',
    'a named principal (not an account root) can both administer and use the key',
    'false',
    (f) => f.policy?.admin_can_use,
  ),
  findingField(
    'policy.admins_gained_use',
    'list',
    'principals that can now administer and use the key, and could not per Terraform',
    '(arn:aws:iam::111122223333:role/KeyAdmin)',
    (f) => list(f.policy?.admins_gained_use),
  ),
  findingField(
    'policy.wildcard_principal',
    'boolean',
    'an Allow statement grants * without a Condition',
    'false',
    (f) => f.policy?.wildcard_principal,
  ),
  findingField(
    'emergency.status',
    'string',
    'break-glass: authorized_emergency, recovery, recovery_outside_window or unauthorized_recovery',
    'authorized_emergency',
    (f) => f.emergency?.status,
  ),
  findingField(
    'emergency.user',
    'string',
    'break-glass: who made the emergency action (for a recovery, the one it follows)',
    'arn:aws:sts::111122223333:assumed-role/EmergencyKeyAdmin/alice',
    (f) => f.emergency?.emergency_user,
  ),
  findingField(
    'emergency.elapsed_hours',
    'number',
    'break-glass: hours from the emergency action to this recovery',
    '30.5',
    (f) => f.emergency?.elapsed_hours,
  ),
  findingField(
    'kms.key_id',
    'string',
    'the bare key id',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    (f) => f.event.key?.keyId,
  ),
  findingField(
    'kms.key_arn',
    'string',
    'the key ARN',
    'arn:aws:kms:us-west-2:111122223333:key/1234abcd',
    (f) => f.event.key?.arn,
  ),
  findingField(
    'kms.alias',
    'string',
    'the alias name',
    'alias/data',
    (f) => f.event.alias?.name ?? f.event.key?.aliasName,
  ),
];
