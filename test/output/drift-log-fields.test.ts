// The drift log's `by_terraform` (README, "The drift log": `true` when Terraform/OpenTofu (user agent) or an
// allowlisted principal made the change), through the real CLI. The bundled rules do not alert on Terraform's own
// changes, so a rules file of our own matches the event whoever made it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';

const STATE = 'examples/terraform.tfstate';
// AWS's sample: Alice (arn:aws:iam::111122223333:user/Alice, user agent "AWS Internal") disables rotation of a key the
// example state declares with rotation on.
const EVENT = 'examples/events/ct-disable-key-rotation.1.json';
const ALICE = 'arn:aws:iam::111122223333:user/Alice';

function anyDisableKeyRotation(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kms-drift-by-terraform-')), 'rules.yaml');
  const rule = [
    '- rule: any_rotation_off',
    '  desc: every DisableKeyRotation, whoever made it',
    '  condition: evt.name = "DisableKeyRotation"',
    '  output: "rotation off (user=%user by_terraform=%drift.by_terraform)"',
    '  priority: warning',
  ];
  writeFileSync(path, rule.join('\n'));
  return path;
}

async function replay(args: readonly string[], stdin?: string): Promise<Record<string, unknown>> {
  const result = await runCli(
    ['replay', '--format', 'json', '--state', STATE, '--rules', anyDisableKeyRotation(), ...args],
    stdin,
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.logs).toHaveLength(1);
  const [log] = result.logs;
  // The change is drift either way: Terraform's own change is still reported as what it changed.
  expect(log).toMatchObject({
    rule: 'any_rotation_off',
    user_arn: ALICE,
    drift_type: 'modified',
    changes: { enable_key_rotation: { expected: true, actual: false } },
  });
  return log ?? {};
}

describe('the drift log says when Terraform made the change (by_terraform)', () => {
  it('a change by a --terraform-principal: by_terraform is true', async () => {
    const log = await replay(['--terraform-principal', ALICE, EVENT]);
    expect(log['by_terraform']).toBe(true);
    expect(log['output']).toBe('rotation off (user=Alice by_terraform=true)');
  });

  it('a --terraform-principal pattern with `*` that matches the caller: by_terraform is true', async () => {
    const log = await replay(['--terraform-principal', 'arn:aws:iam::111122223333:user/Al*', EVENT]);
    expect(log['by_terraform']).toBe(true);
  });

  it('a change made through Terraform (its user agent): by_terraform is true', async () => {
    const record = JSON.parse(readFileSync(join(ROOT, EVENT), 'utf8')) as Record<string, unknown>;
    record['userAgent'] =
      'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0';
    const log = await replay(['-'], JSON.stringify(record));
    expect(log['by_terraform']).toBe(true);
  });

  it('the same change by someone else: by_terraform is not true', async () => {
    const log = await replay(['--terraform-principal', 'arn:aws:iam::111122223333:role/terraform', EVENT]);
    expect(log['by_terraform']).not.toBe(true);
    expect(log['output']).toBe('rotation off (user=Alice by_terraform=false)');
  });
});
