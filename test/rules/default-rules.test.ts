import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runCli, ROOT } from '../helpers/cli.ts';

// Panther's labelled tests for "KMS CMK Disabled or Deleted" (fixtures/detections/panther, Apache-2.0). Their Log
// bodies are YAML flow maps. The bundled rules must agree on what alerts: a successful DisableKey or
// ScheduleKeyDeletion alerts (also with `resources: null`), a Decrypt or a failed call does not.
interface PantherTest {
  readonly Name: string;
  readonly ExpectedResult: boolean;
  readonly Log: unknown;
}

const panther = parse(readFileSync(`${ROOT}fixtures/detections/panther/rules/aws_kms_cmk_loss.yml`, 'utf8')) as {
  Tests: PantherTest[];
};

describe('bundled rules agree with Panther aws_kms_cmk_loss', () => {
  it.each(panther.Tests.map((t) => [t.Name, t] as const))('%s', async (_name, test) => {
    const result = await runCli(['replay', '-'], JSON.stringify(test.Log));
    expect(result.code, result.stderr).toBe(0);
    const rules = result.logs.map((l) => l['rule']);
    const lossRules = rules.filter((r) => r === 'kms_key_disabled' || r === 'kms_key_deletion_scheduled');
    expect(lossRules.length > 0).toBe(test.ExpectedResult);
    if (!test.ExpectedResult) expect(rules).toEqual([]);
  });
});

describe('bundled rules', () => {
  it('load without errors or warnings', async () => {
    const result = await runCli(['rules', 'validate', 'rules']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('the spec example rule loads exactly as written, with only the missing-desc warning', async () => {
    const result = await runCli(['rules', 'validate', 'fixtures/own/rules/spec-example.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/spec-example\.yaml:1:3 LOAD_MISSING_DESC /),
    ]);
  });

  it('do not alert on Terraform applying its own change', async () => {
    const record = JSON.parse(
      readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
    ) as Record<string, unknown>;
    const byTerraform = {
      ...record,
      userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0',
    };
    const result = await runCli(['replay', '--state', 'examples/terraform.tfstate', '-'], JSON.stringify(byTerraform));
    expect(result.code).toBe(0);
    expect(result.logs).toEqual([]);
  });

  it('same-name events of other services do not alert', async () => {
    const result = await runCli(['replay', 'fixtures/own/cloudtrail/other-services']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.logs).toEqual([]);
    expect(result.stderr).toMatch(/other_service=\d+/);
  });
});
