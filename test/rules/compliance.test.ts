import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../helpers/cli.ts';

const STATE = 'examples/compliance/terraform.tfstate';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const PACK = parseYaml(readFileSync('rules/kms_compliance_rules.yaml', 'utf8')) as {
  rule?: string;
  tags?: string[];
}[];
const CONTROL = /^(pci_dss|hipaa|soc2)_/;

/** AWS's sample PutKeyPolicy record (the default, root-only policy) with another policy submitted. */
function putKeyPolicy(statements: object[]): string {
  const record = JSON.parse(readFileSync('examples/events/ct-put-key-policy.1.json', 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const policy = JSON.parse(String(record['requestParameters']?.['policy'])) as { Statement: object[] };
  const dir = mkdtempSync(join(tmpdir(), 'kms-drift-compliance-'));
  const path = join(dir, 'put.json');
  const request = {
    ...record['requestParameters'],
    policy: JSON.stringify({ ...policy, Statement: [...policy.Statement, ...statements] }, null, 2),
  };
  writeFileSync(path, JSON.stringify({ ...record, requestParameters: request }));
  return path;
}

describe('the compliance pack', () => {
  it('every rule names the controls it serves', () => {
    const rules = PACK.filter((i) => i.rule !== undefined);
    expect(rules.length).toBe(9);
    for (const r of rules) expect(r.tags?.filter((t) => CONTROL.test(t)).length, r.rule).toBeGreaterThan(0);
  });

  it('kms_compliance_created_outside_terraform, once production accounts are listed by an override', async () => {
    const result = await runCli([
      'rules',
      'test',
      'rules/kms_compliance_rules.yaml',
      'fixtures/own/rules/production-accounts.yaml',
    ]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^PASS a key created by hand in a production account$/m);
    expect(result.stdout).toMatch(/^PASS the same key created by Terraform is its own change$/m);
    expect(result.stdout).toMatch(/^3 passed, 0 failed$/m);
  });

  it("AWS's sample PutKeyPolicy on the module key: statements removed, nothing widened, no compliance finding", async () => {
    const result = await runCli(['replay', '--state', STATE, 'examples/events/ct-put-key-policy.1.json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs.map((l) => l['rule'])).toEqual(['kms_key_policy_modified']);
    const policy = (result.logs[0]?.['changes'] as Record<string, Record<string, unknown[]>>)['policy'];
    expect(policy?.['removed_statements']).toHaveLength(5);
    expect(policy).toMatchObject({
      added_statements: [],
      conditions_removed: [],
      actions_widened: [],
      external_accounts: [],
      admins_gained_use: [],
    });
  });

  it('a policy that drops the encryption context and adds a partner: the drift log says what and which controls', async () => {
    const path = putKeyPolicy([
      {
        Sid: 'KeyUsage',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/App' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'Partner',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'kms:Decrypt',
        Resource: '*',
      },
    ]);
    const result = await runCli(['replay', '--state', STATE, path]);
    const rules = result.logs.map((l) => l['rule']).sort();
    expect(rules).toEqual([
      'kms_compliance_encryption_context_condition_removed',
      'kms_compliance_external_account',
      // One drift log: a policy that opens the key to another account is that, not also "modified".
      'kms_key_policy_grants_external_account',
    ]);
    const ec = result.logs.find((l) => l['rule'] === 'kms_compliance_encryption_context_condition_removed');
    expect(ec?.['tags']).toEqual(expect.arrayContaining(['compliance', 'pci_dss_3.6', 'hipaa_164.312']));
    expect(ec?.['resource']).toBe(`arn:aws:kms:us-west-2:111122223333:key/${KEY}`);
    expect((ec?.['changes'] as Record<string, unknown>)['policy']).toMatchObject({
      conditions_removed: [
        { statement: 'KeyUsage', operator: 'StringEquals', key: 'kms:EncryptionContext:app', values: ['billing'] },
      ],
      external_accounts: ['444455556666'],
      added_principals: ['arn:aws:iam::444455556666:root'],
    });
    // The setting takes the partner out of external_accounts and out of both external-account rules.
    const allowed = await runCli(['replay', '--state', STATE, '--allowed-account', '444455556666', path]);
    expect(allowed.logs.map((l) => l['rule']).sort()).toEqual([
      'kms_compliance_encryption_context_condition_removed',
      'kms_key_policy_modified',
    ]);
  });

  it('a malformed allowed account is a usage error', async () => {
    const result = await runCli(['replay', '--allowed-account', 'partner', 'examples/events']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--allowed-account: expected a 12-digit AWS account id, got 'partner'/);
  });
});
