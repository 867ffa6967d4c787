import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.ts';

interface Statement {
  readonly Action: readonly string[];
  readonly Resource: unknown;
}

const template = parse(readFileSync(`${ROOT}deploy/scan-role.yaml`, 'utf8')) as {
  Parameters: { RoleName: { Default: string } };
  Resources: {
    ScanRole: {
      Properties: {
        AssumeRolePolicyDocument: { Statement: { Action: string }[] };
        Policies: { PolicyDocument: { Statement: Statement[] } }[];
      };
    };
  };
};

describe('deploy/scan-role.yaml, the role scan assumes in each account', () => {
  const role = template.Resources.ScanRole.Properties;
  const granted = role.Policies.flatMap((p) => p.PolicyDocument.Statement);

  it('allows exactly the KMS calls the scan makes, read-only', () => {
    const code = readdirSync(`${ROOT}src/kms`)
      .map((f) => readFileSync(`${ROOT}src/kms/${f}`, 'utf8'))
      .join('\n');
    const calls = new Set([
      ...[...code.matchAll(/new (\w+)Command\(/g)].map((m) => `kms:${m[1] ?? ''}`),
      ...[...code.matchAll(/paginate(\w+)\(/g)].map((m) => `kms:${m[1] ?? ''}`),
    ]);
    calls.delete('kms:GetCallerIdentity'); // STS, with the scanner's own credentials
    expect([...new Set(granted.flatMap((s) => s.Action))].sort()).toEqual([...calls].sort());
    for (const a of calls) expect(a).toMatch(/^kms:(Describe|Get|List)/);
  });

  it('can be assumed, under the name the documented --assume-role template uses', () => {
    expect(role.AssumeRolePolicyDocument.Statement.map((s) => s.Action)).toEqual(['sts:AssumeRole']);
    const name = template.Parameters.RoleName.Default;
    expect(readFileSync(`${ROOT}docs/operations.md`, 'utf8')).toContain(`arn:aws:iam::{account}:role/${name}`);
    expect(readFileSync(`${ROOT}README.md`, 'utf8')).toContain(`arn:aws:iam::{account}:role/${name}`);
    const policy = JSON.parse(readFileSync(`${ROOT}deploy/iam-policy.json`, 'utf8')) as { Statement: Statement[] };
    expect(policy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))?.Resource).toBe(
      `arn:aws:iam::*:role/${name}`,
    );
  });
});
