import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';

// The states in fixtures/own/tfstate/types/ plant a secret in every attribute Terraform keeps in clear that
// kms-drift must never read: imported key material, a grant token, a custom key store password, an XKS proxy's
// secret access key, and the plaintext of aws_kms_ciphertext and of the aws_kms_secrets data source.
const PLANTED = [
  'S3cr3t-KeyMaterial-b64-Never-Logged-71d3',
  'S3cr3t-GrantToken-Never-Logged-4e8a',
  'S3cr3t-KeyStorePassword-Never-Logged-2c9f',
  'S3cr3t-XksSecretAccessKey-Never-Logged-6b1e',
  'S3cr3t-Plaintext-Never-Logged-93aa',
];
const TYPES = 'fixtures/own/tfstate/types';

describe('secrets in Terraform states never reach any output', () => {
  it('the states hold each planted secret (so the test can fail)', () => {
    const text = readdirSync(`${ROOT}${TYPES}`)
      .map((f) => readFileSync(`${ROOT}${TYPES}/${f}`, 'utf8'))
      .join('\n');
    for (const secret of PLANTED) expect(text).toContain(secret);
  });

  it('replay of every KMS record against every such state: neither stdout nor stderr carries one', async () => {
    const states = readdirSync(`${ROOT}${TYPES}`).flatMap((f) => ['--state', `${TYPES}/${f}`]);
    const result = await runCli([
      'replay',
      '--format',
      'json',
      ...states,
      'fixtures/cloudtrail/aws-kms-developer-guide',
      'fixtures/own/cloudtrail/kms',
    ]);
    // Exit 4: the documentation's invalid samples are problems; everything else was replayed.
    expect(result.code, result.stderr).toBe(4);
    expect(result.logs.length).toBeGreaterThan(20);
    // The declarations holding secrets were read and used. (The custom key store samples share one eventID, so
    // replay keeps the first, a ConnectCustomKeyStore that logs nothing: test/diff/resource-types covers the store.)
    const addresses = new Set(result.logs.map((l) => (l['terraform'] as { address?: string } | undefined)?.address));
    for (const a of ['aws_kms_external_key.byok', 'aws_kms_grant.app_decrypt']) expect(addresses).toContain(a);
    for (const secret of PLANTED) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });
});
