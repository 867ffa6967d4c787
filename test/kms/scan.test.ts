import { afterEach, describe, expect, it } from 'vitest';
import {
  DisableKeyRotationCommand,
  KMSClient,
  PutKeyPolicyCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  CreateAliasCommand,
  EnableKeyRotationCommand,
} from '@aws-sdk/client-kms';
import { startKmsServer, type KmsServer } from '../helpers/kms-server.ts';
import { startStsServer, type StsServer } from '../helpers/sts-server.ts';
import { aliasResource, grantResource, keyResource, scanCli, writeState, type StateResource } from './scan-cli.ts';

const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
const LOGS = '0987dcba-09fe-87dc-65ba-ab0987654321';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

let server: KmsServer | undefined;
let sts: StsServer | undefined;
afterEach(async () => {
  await server?.stop();
  await sts?.stop();
  server = undefined;
  sts = undefined;
});

/** The credentials' account is the example state's; no role to assume. */
async function endpoints(s: KmsServer): Promise<{ kms: string; sts: string }> {
  sts = await startStsServer({ callerAccount: s.account, assume: () => undefined });
  return { kms: s.endpoint, sts: sts.endpoint };
}

/** The example state's keys, as Terraform declares them (examples/terraform.tfstate). */
async function declaredAccount(): Promise<{ server: KmsServer; kms: KMSClient }> {
  const s = await startKmsServer();
  server = s;
  const admin = {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Allow use by the app',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/app' },
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ],
  };
  const tags = (t: Record<string, string>) => new Map(Object.entries({ ...t, ManagedBy: 'terraform' }));
  s.addKey({
    keyId: DATA,
    description: 'Application data key',
    rotation: true,
    policy: JSON.stringify(admin),
    tags: tags({ Department: 'IT', Dept: 'Finance' }),
  });
  s.addKey({ keyId: LOGS, description: 'Log archive key', tags: tags({}) });
  s.addKey({ keyId: MRK, description: 'Multi-Region primary', rotation: true, tags: tags({}) });
  s.addKey({ keyId: 'aaaaaaaa-0000-4000-8000-000000000000', keyManager: 'AWS', description: 'Default key for EBS' });
  const kms = new KMSClient({
    endpoint: s.endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/ExampleAlias', TargetKeyId: DATA }));
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/my_alias', TargetKeyId: LOGS }));
  await kms.send(
    new CreateAliasCommand({ AliasName: 'alias/aws/ebs', TargetKeyId: 'aaaaaaaa-0000-4000-8000-000000000000' }),
  );
  return { server: s, kms };
}

describe('kms-drift scan against the KMS API server', () => {
  it('an account as declared reports nothing; AWS managed keys and alias/aws/* are skipped', async () => {
    const { server: s, kms } = await declaredAccount();
    kms.destroy();
    const result = await scanCli(await endpoints(s), '--state', 'examples/terraform.tfstate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toEqual([]);
    expect(result.stderr).toMatch(/3 keys, 2 aliases read; 0 differ/);
  });

  it('finds drift on keys changed through the KMS API, attribute by attribute', async () => {
    const { server: s, kms } = await declaredAccount();
    await kms.send(new DisableKeyRotationCommand({ KeyId: DATA }));
    await kms.send(new TagResourceCommand({ KeyId: DATA, Tags: [{ TagKey: 'Owner', TagValue: 'mallory' }] }));
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: LOGS,
        PolicyName: 'default',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'kms:*', Resource: '*' },
          ],
        }),
      }),
    );
    await kms.send(new EnableKeyRotationCommand({ KeyId: MRK, RotationPeriodInDays: 730 }));
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/my_alias', TargetKeyId: DATA }));
    kms.destroy();
    const result = await scanCli(await endpoints(s), '--state', 'examples/terraform.tfstate');
    expect(result.code, result.stderr).toBe(0);
    const byResource = new Map(result.logs.map((l) => [String(l['resource']), l]));
    expect(byResource.get(`arn:aws:kms:us-west-2:111122223333:key/${DATA}`)).toMatchObject({
      rule: 'kms_scan_drift',
      changes: { enable_key_rotation: { expected: true, actual: false }, tags: { added: { Owner: 'mallory' } } },
    });
    const logs = byResource.get(`arn:aws:kms:us-west-2:111122223333:key/${LOGS}`);
    expect((logs?.['changes'] as Record<string, Record<string, unknown>>)['policy']).toMatchObject({
      added_principals: ['arn:aws:iam::999988887777:root'],
      removed_principals: ['arn:aws:iam::111122223333:root'],
    });
    expect(byResource.get(`arn:aws:kms:us-west-2:111122223333:key/${MRK}`)).toMatchObject({
      changes: { rotation_period_in_days: { expected: 365, actual: 730 } },
    });
    expect(byResource.get('arn:aws:kms:us-west-2:111122223333:alias/my_alias')).toMatchObject({
      changes: { target_key_id: { expected: LOGS, actual: DATA } },
    });
    expect(result.logs).toHaveLength(4);
  });

  it('throttling is retried with backoff; access denied is a clear error, not a crash', async () => {
    const { server: s, kms } = await declaredAccount();
    kms.destroy();
    s.fail('DescribeKey', 'ThrottlingException', 2);
    const at = await endpoints(s);
    const retried = await scanCli(at, '--state', 'examples/terraform.tfstate');
    expect(retried.code, retried.stderr).toBe(0);
    // Four keys (one AWS managed, described then skipped) and the two throttled attempts.
    expect(s.calls.get('DescribeKey')).toBe(6);
    s.fail('ListKeys', 'AccessDeniedException', 10);
    const denied = await scanCli(at, '--state', 'examples/terraform.tfstate');
    expect(denied.code).toBe(4); // inputs incomplete (README, exit codes)
    expect(denied.stderr).toMatch(/AccessDeniedException: injected AccessDeniedException/);
    // An account that could not be listed has nothing missing: nothing is known of it.
    expect(denied.logs).toEqual([]);
  });
});

const ACCOUNT = '111122223333';
const arn = (resource: string, region = 'us-west-2') => `arn:aws:kms:${region}:${ACCOUNT}:${resource}`;
const GONE = '11111111-1111-4111-8111-111111111111';
const PENDING = '22222222-2222-4222-8222-222222222222';
const DENIED = '33333333-3333-4333-8333-333333333333';
const KEPT = '44444444-4444-4444-8444-444444444444';
const REPLICA = 'mrk-5555555555554555855555555555555a';
const KEPT_GRANT = 'a'.repeat(64);
const REVOKED_GRANT = 'b'.repeat(64);

/**
 * One entry per declared resource the account lacks (or that the scan may not read): what the state declares,
 * what the KMS server holds instead, and the one log (or problem) it must give. A new resource type is one more entry.
 */
interface MissingCase {
  readonly what: string;
  readonly state: readonly StateResource[];
  readonly server?: (s: KmsServer) => void;
  readonly expect:
    | {
        readonly rule: string;
        readonly priority: string;
        readonly resource: string;
        readonly address: string;
        readonly missing: Record<string, unknown>;
      }
    | { readonly problem: RegExp };
}

const MISSING_CASES: readonly MissingCase[] = [
  {
    what: 'a key deleted after its waiting period',
    state: [keyResource('gone', arn(`key/${GONE}`))],
    expect: {
      rule: 'kms_scan_missing',
      priority: 'Critical',
      resource: arn(`key/${GONE}`),
      address: 'aws_kms_key.gone',
      missing: { reason: 'not_found' },
    },
  },
  {
    what: 'the key policy of that key',
    state: [
      {
        type: 'aws_kms_key_policy',
        name: 'gone',
        attributes: { key_id: GONE, policy: '{"Version":"2012-10-17","Statement":[]}' },
      },
    ],
    expect: {
      rule: 'kms_scan_missing',
      priority: 'Critical',
      resource: arn(`key/${GONE}`),
      address: 'aws_kms_key_policy.gone',
      missing: { reason: 'not_found' },
    },
  },
  {
    what: 'a replica key',
    state: [
      {
        type: 'aws_kms_replica_key',
        name: 'replica',
        attributes: {
          id: REPLICA,
          key_id: REPLICA,
          arn: arn(`key/${REPLICA}`),
          primary_key_arn: arn(`key/${REPLICA}`, 'us-east-1'),
          enabled: true,
          key_spec: 'SYMMETRIC_DEFAULT',
          key_usage: 'ENCRYPT_DECRYPT',
        },
      },
    ],
    expect: {
      rule: 'kms_scan_missing',
      priority: 'Critical',
      resource: arn(`key/${REPLICA}`),
      address: 'aws_kms_replica_key.replica',
      missing: { reason: 'not_found' },
    },
  },
  {
    what: 'a key waiting for deletion',
    state: [keyResource('pending', arn(`key/${PENDING}`))],
    server: (s) => s.addKey({ keyId: PENDING, state: 'PendingDeletion', deletionDate: 1_900_000_000 }),
    expect: {
      rule: 'kms_scan_missing',
      priority: 'Critical',
      resource: arn(`key/${PENDING}`),
      address: 'aws_kms_key.pending',
      missing: { reason: 'pending_deletion', deletion_date: '2030-03-17T17:46:40.000Z' },
    },
  },
  {
    what: 'an alias removed',
    state: [aliasResource('removed', arn('alias/removed'), KEPT)],
    expect: {
      rule: 'kms_scan_missing_alias',
      priority: 'Error',
      resource: arn('alias/removed'),
      address: 'aws_kms_alias.removed',
      missing: { reason: 'not_found' },
    },
  },
  {
    what: 'a grant revoked (its key is still there)',
    state: [grantResource('revoked', KEPT, REVOKED_GRANT)],
    expect: {
      rule: 'kms_scan_missing',
      priority: 'Critical',
      resource: `${arn(`key/${KEPT}`)}:${REVOKED_GRANT}`,
      address: 'aws_kms_grant.revoked',
      missing: { reason: 'not_found' },
    },
  },
  {
    what: 'a key whose policy keeps the scan out: a problem, not drift',
    state: [keyResource('denied', arn(`key/${DENIED}`))],
    server: (s) => s.addKey({ keyId: DENIED, denied: true }),
    expect: { problem: new RegExp(`SCAN_ACCESS_DENIED .*key/${DENIED}: AccessDeniedException`) },
  },
];

describe('kms-drift scan reports what the states declare and the account lacks', () => {
  it('one log per missing resource, with its reason; a resource it may not read is a problem', async () => {
    const s = await startKmsServer();
    server = s;
    s.addKey({ keyId: KEPT });
    // A grant the account still has is no drift; the one revoked is missing.
    s.addGrant(KEPT, KEPT_GRANT, 'arn:aws:iam::111122223333:role/app');
    for (const c of MISSING_CASES) c.server?.(s);
    const state = writeState([
      keyResource('kept', arn(`key/${KEPT}`)),
      grantResource('kept', KEPT, KEPT_GRANT),
      ...MISSING_CASES.flatMap((c) => c.state),
    ]);
    const result = await scanCli(await endpoints(s), '--state', state);
    expect(result.code, result.stderr).toBe(4); // inputs incomplete: the denied key could not be checked
    const logs = [...result.logs];
    for (const c of MISSING_CASES) {
      if ('problem' in c.expect) {
        expect(result.stderr, c.what).toMatch(c.expect.problem);
        continue;
      }
      const { address, rule, priority, resource, missing } = c.expect;
      const at = logs.findIndex((l) => (l['terraform'] as { address?: string } | undefined)?.address === address);
      expect(at, `${c.what}: ${JSON.stringify(result.logs)}`).toBeGreaterThanOrEqual(0);
      const [log] = logs.splice(at, 1);
      expect(log, c.what).toMatchObject({ rule, priority, resource, drift_type: 'deleted', event: 'Scan', missing });
      expect(log?.['output'], c.what).toContain(`reason=${String(missing['reason'])}`);
    }
    // Nothing else: the kept key is in sync, and the denied key is no drift.
    expect(logs).toEqual([]);
    expect(result.stderr).toMatch(
      /111122223333 us-west-2: 2 keys, 0 aliases read; 6 differ from the states, 6 missing, 1 not readable/,
    );
  });
});
