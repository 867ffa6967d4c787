import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { runCli, ROOT } from '../helpers/cli.ts';

// End to end through the real CLI: AWS's sample records (fixtures/cloudtrail/aws-kms-developer-guide) against the
// bundled example state, which declares those keys (examples/README.md). Expectations come from the AWS KMS
// documentation of each call, not from the code.
const DOC = 'fixtures/cloudtrail/aws-kms-developer-guide';
const STATE = 'examples/terraform.tfstate';
const KEY_DATA = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_LOGS = 'arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';

async function replayOne(file: string, ...extra: string[]) {
  const result = await runCli(['replay', '--state', STATE, ...extra, file]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** DisableKeyRotation matches the drift rule and the compliance rule of the control it weakens. */
const ROTATION_RULES = ['kms_compliance_rotation_disabled', 'kms_key_rotation_disabled'];

describe('kms-drift replay on AWS sample records', () => {
  it('ScheduleKeyDeletion of a managed key: deleted, with the ISO deletion date, address and actor', async () => {
    const { logs } = await replayOne(`${DOC}/ct-schedule-key-deletion.3.json`);
    const log = logs.find((l) => l['rule'] === 'kms_key_deletion_scheduled');
    expect(log).toMatchObject({
      priority: 'Critical',
      source: 'aws_cloudtrail',
      service: 'kms',
      event: 'ScheduleKeyDeletion',
      event_id: 'ca01996a-01b0-4edd-bbbb-25d7b6d1a6fa',
      timestamp: '2021-10-26T23:25:25Z',
      account: '111122223333',
      region: 'us-west-2',
      user: 'Alice',
      user_arn: 'arn:aws:iam::111122223333:user/Alice',
      user_type: 'IAMUser',
      source_ip: '192.0.2.0',
      resource: KEY_LOGS,
      resource_type: 'aws_kms_key',
      drift_type: 'deleted',
      terraform: { address: 'module.kms.aws_kms_key.this["logs"]', state: STATE },
    });
    const changes = log?.['changes'] as Record<string, { expected?: unknown; actual: unknown }>;
    expect(changes['key_state']).toEqual({ expected: 'Enabled', actual: 'PendingDeletion' });
    // "Nov 2, 2021, 11:25:25 PM" in the record.
    expect(Date.parse(String(changes['deletion_date']?.actual))).toBe(Date.parse('2021-11-02T23:25:25Z'));
    expect(String(log?.['output'])).toContain(`key=${KEY_LOGS}`);
    expect(String(log?.['output'])).toContain('user=Alice');
  });

  it('ScheduleKeyDeletion of a multi-Region primary: PendingReplicaDeletion, no deletion date', async () => {
    const { logs } = await replayOne(`${DOC}/ct-schedule-key-deletion.2.json`);
    const log = logs.find((l) => l['rule'] === 'kms_key_deletion_scheduled');
    expect(log).toMatchObject({
      drift_type: 'deleted',
      resource: 'arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      terraform: { address: 'aws_kms_key.global' },
    });
    const changes = log?.['changes'] as Record<string, unknown>;
    expect(changes['key_state']).toEqual({ expected: 'Enabled', actual: 'PendingReplicaDeletion' });
    expect(changes['deletion_date']).toBeUndefined();
    expect(String(log?.['output'])).toContain('deletion_date=<NA>');
  });

  it('DisableKeyRotation named by key ARN finds the managed key and reports the attribute', async () => {
    const { logs } = await replayOne(`${DOC}/ct-disable-key-rotation.1.json`);
    // The drift rule, and the compliance rule of the control it weakens (PCI DSS 3.7 cryptoperiod).
    expect(logs.map((l) => l['rule']).sort()).toEqual(ROTATION_RULES);
    expect(logs.find((l) => l['rule'] === 'kms_key_rotation_disabled')).toMatchObject({
      priority: 'Error',
      drift_type: 'modified',
      resource: KEY_DATA,
      changes: { enable_key_rotation: { expected: true, actual: false } },
      terraform: { address: 'module.kms.aws_kms_key.this["data"]' },
    });
  });

  it('PutKeyPolicy that drops a declared statement: removed principal and an RFC 6902 patch', async () => {
    const { logs } = await replayOne(`${DOC}/ct-put-key-policy.1.json`);
    const log = logs.find((l) => l['rule'] === 'kms_key_policy_modified');
    expect(log).toMatchObject({ priority: 'Critical', drift_type: 'modified', resource: KEY_DATA });
    const policy = (log?.['changes'] as Record<string, Record<string, unknown>>)['policy'];
    expect(policy?.['removed_principals']).toEqual(['arn:aws:iam::111122223333:role/app']);
    expect(policy?.['added_principals']).toEqual([]);
    expect(Array.isArray(policy?.['patch']) && (policy?.['patch'] as unknown[]).length).toBeGreaterThan(0);
    // The same policy as declared is no drift: none of the external/everyone rules fire for a root-only policy.
    expect(logs.map((l) => l['rule'])).toEqual(['kms_key_policy_modified']);
  });

  it('UpdateAlias to another key than declared: retargeted', async () => {
    const { logs } = await replayOne(`${DOC}/ct-updatealias.1.json`);
    expect(logs.map((l) => l['rule'])).toEqual(['kms_alias_retargeted']);
    expect(logs[0]).toMatchObject({
      resource_type: 'aws_kms_alias',
      resource: 'arn:aws:kms:us-west-2:111122223333:alias/my_alias',
      drift_type: 'modified',
      changes: {
        target_key_id: {
          expected: '0987dcba-09fe-87dc-65ba-ab0987654321',
          actual: '1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      },
      terraform: { address: 'module.kms.aws_kms_alias.this["logs"]' },
    });
  });

  it('TagResource that sets a declared tag is in sync (no log); UntagResource of a declared tag drifts', async () => {
    expect((await replayOne(`${DOC}/ct-tagresource.1.json`)).logs).toEqual([]);
    const { logs } = await replayOne(`${DOC}/ct-untagresource.1.json`);
    expect(logs.map((l) => l['rule'])).toEqual(['kms_key_tags_drifted']);
    const tags = (logs[0]?.['changes'] as Record<string, Record<string, unknown>>)['tags'];
    expect(tags?.['removed']).toEqual(['Dept']);
  });

  it('CancelKeyDeletion leaves the key Disabled, against is_enabled = true', async () => {
    const { logs } = await replayOne(`${DOC}/ct-cancel-key-deletion.1.json`);
    expect(logs.map((l) => l['rule'])).toEqual(['kms_key_deletion_cancelled']);
    expect(logs[0]).toMatchObject({ changes: { key_state: { expected: 'Enabled', actual: 'Disabled' } } });
  });

  it('without a state every key is unmanaged, and one change is one log (no catch-all beside the specific rule)', async () => {
    const result = await runCli(['replay', `${DOC}/ct-disablekey.1.json`]);
    expect(result.code).toBe(0);
    expect(result.logs.map((l) => [l['rule'], l['drift_type']])).toEqual([['kms_key_disabled', 'unmanaged']]);
  });
});

describe('kms-drift replay inputs and options', () => {
  it('reads gzip by magic bytes from stdin, and writes only JSON lines on stdout', async () => {
    const record = readFileSync(`${ROOT}${DOC}/ct-disable-key-rotation.1.json`, 'utf8');
    const gz = gzipSync(JSON.stringify({ Records: [JSON.parse(record)] }));
    const result = await runCli(['replay', '--state', STATE, '-'], gz);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((l) => l['rule']).sort()).toEqual(ROTATION_RULES);
    expect(result.stderr).toMatch(/events 1/);
  });

  it('--min-priority drops less severe logs; --fail-on exits 3 when a log reaches it', async () => {
    const files = [`${DOC}/ct-untagresource.1.json`, `${DOC}/ct-put-key-policy.1.json`];
    const all = await runCli(['replay', '--state', STATE, ...files]);
    expect(all.logs.map((l) => l['priority']).sort()).toEqual(['Critical', 'Notice']);
    const high = await runCli(['replay', '--state', STATE, '--min-priority', 'error', ...files]);
    expect(high.logs.map((l) => l['priority'])).toEqual(['Critical']);
    expect((await runCli(['replay', '--state', STATE, '--fail-on', 'critical', ...files])).code).toBe(3);
    expect((await runCli(['replay', '--state', STATE, '--fail-on', 'critical', files[0] ?? ''])).code).toBe(0);
  });

  it('bad inputs are reported with their place, the run goes on, and it exits 4 (inputs incomplete)', async () => {
    const result = await runCli([
      'replay',
      '--state',
      STATE,
      `${DOC}/ct-encrypt.1.INVALID.txt`,
      `${DOC}/ct-disable-key-rotation.1.json`,
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/ct-encrypt\.1\.INVALID\.txt.*INPUT_JSON/);
    expect(result.logs.map((l) => l['rule']).sort()).toEqual(ROTATION_RULES);
  });

  it('refuses a format-3 state with a clear message and exit 1', async () => {
    const result = await runCli([
      'replay',
      '--state',
      'fixtures/tfstate/legacy-v3/hashicorp-publicsector_blog-dynamic-saas-cluster-aws-vault/kms_terraform.tfstate.v3_terraformer',
      `${DOC}/ct-disablekey.1.json`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/STATE_VERSION/);
    expect(result.stdout).toBe('');
  });

  it('usage errors exit 2', async () => {
    expect((await runCli(['replay'])).code).toBe(2);
    expect((await runCli(['replay', '--min-priority', 'loud', 'x'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
