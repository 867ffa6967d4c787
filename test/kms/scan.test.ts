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
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/cli.ts';
import { startKmsServer, type KmsServer } from '../helpers/kms-server.ts';

const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
const LOGS = '0987dcba-09fe-87dc-65ba-ab0987654321';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

let server: KmsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

function scanCli(
  endpoint: string,
  ...args: string[]
): Promise<{ code: number | null; logs: Record<string, unknown>[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}bin/kms-drift.js`, 'scan', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        AWS_ENDPOINT_URL_KMS: endpoint,
        AWS_REGION: 'us-west-2',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_MAX_ATTEMPTS: '5',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) =>
      resolve({
        code,
        stderr: err,
        logs: out
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
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
    const result = await scanCli(s.endpoint, '--state', 'examples/terraform.tfstate');
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
    const result = await scanCli(s.endpoint, '--state', 'examples/terraform.tfstate');
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
    const retried = await scanCli(s.endpoint, '--state', 'examples/terraform.tfstate');
    expect(retried.code, retried.stderr).toBe(0);
    // Four keys (one AWS managed, described then skipped) and the two throttled attempts.
    expect(s.calls.get('DescribeKey')).toBe(6);
    s.fail('ListKeys', 'AccessDeniedException', 10);
    const denied = await scanCli(s.endpoint, '--state', 'examples/terraform.tfstate');
    expect(denied.code).toBe(4); // inputs incomplete (README, exit codes)
    expect(denied.stderr).toMatch(/AccessDeniedException: injected AccessDeniedException/);
  });
});
