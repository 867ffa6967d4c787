import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

export interface ScanResult {
  readonly code: number | null;
  readonly logs: Record<string, unknown>[];
  readonly stderr: string;
}

/** The real CLI's `scan`, against the KMS and STS test servers on loopback, with the given credentials' env. */
export function scanCli(endpoints: { kms: string; sts: string }, ...args: string[]): Promise<ScanResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}bin/kms-drift.js`, 'scan', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        AWS_ENDPOINT_URL_KMS: endpoints.kms,
        AWS_ENDPOINT_URL_STS: endpoints.sts,
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

export interface StateResource {
  readonly type: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

/** A tfstate (format 4) holding `resources`, one instance each, in a new temporary directory; returns its path. */
export function writeState(resources: readonly StateResource[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kms-drift-scan-')), 'terraform.tfstate');
  const state = {
    version: 4,
    terraform_version: '1.9.0',
    serial: 1,
    lineage: 'scan-test',
    outputs: {},
    resources: resources.map((r) => ({
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 0, attributes: r.attributes }],
    })),
  };
  writeFileSync(path, JSON.stringify(state));
  return path;
}

/** An aws_kms_key as the provider stores it, with the KMS server's default key settings. */
export function keyResource(name: string, arn: string, extra: Record<string, unknown> = {}): StateResource {
  const id = arn.slice(arn.lastIndexOf('/') + 1);
  return {
    type: 'aws_kms_key',
    name,
    attributes: {
      id,
      key_id: id,
      arn,
      is_enabled: true,
      enable_key_rotation: false,
      description: '',
      key_usage: 'ENCRYPT_DECRYPT',
      customer_master_key_spec: 'SYMMETRIC_DEFAULT',
      multi_region: id.startsWith('mrk-'),
      tags: {},
      tags_all: {},
      ...extra,
    },
  };
}

export function aliasResource(name: string, arn: string, targetKeyId: string): StateResource {
  const alias = arn.slice(arn.indexOf(':alias/') + 1);
  return { type: 'aws_kms_alias', name, attributes: { id: alias, name: alias, arn, target_key_id: targetKeyId } };
}

/** An aws_kms_grant as the provider stores it: `key_id` as configured (here the key's id, declared in the same state). */
export function grantResource(name: string, keyId: string, grantId: string): StateResource {
  return {
    type: 'aws_kms_grant',
    name,
    attributes: {
      id: `${keyId}:${grantId}`,
      key_id: keyId,
      grant_id: grantId,
      grantee_principal: 'arn:aws:iam::111122223333:role/app',
      operations: ['Decrypt'],
      constraints: [],
      retiring_principal: '',
      name: '',
    },
  };
}
