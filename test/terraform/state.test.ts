import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadStates } from '../../src/terraform/load-states.ts';
import { parseState } from '../../src/terraform/parse-state.ts';

const path = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const OWN = path('own/tfstate/modules-for-each.tfstate');
const SECRET = 'S3cr3t-Must-Never-Leak-9f2c';

describe('terraform state (format 4)', () => {
  it('indexes modules, for_each and count instances by address, id and ARN', async () => {
    const { index, problems } = await loadStates([OWN]);
    expect(problems).toEqual([]);
    const data = index.keysById.get('1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(data?.origin).toEqual({ address: 'module.kms.aws_kms_key.this["data"]', state: OWN });
    expect(index.keysById.get('7c1f9a42-5b3e-4d8a-9f60-2e4b7d9c0a15')?.origin.address).toBe(
      'module.kms.aws_kms_key.this["logs"]',
    );
    expect(index.keysById.get('0987dcba-09fe-87dc-65ba-ab0987654321')?.origin.address).toBe('aws_kms_key.legacy[0]');
    expect(index.aliasesByName.get('alias/ExampleAlias')?.origin.address).toBe('module.kms.aws_kms_alias.this["data"]');
  });

  it('maps is_enabled to key_state, keeps rotation and its period, and uses tags_all (default_tags included)', async () => {
    const { index } = await loadStates([OWN]);
    const data = index.keysById.get('1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(data?.attributes).toMatchObject({
      key_state: 'Enabled',
      enable_key_rotation: true,
      rotation_period_in_days: 365,
      tags: { Department: 'IT', Owner: 'team-a', Environment: 'prod', ManagedBy: 'terraform' },
    });
    expect(index.keysById.get('0987dcba-09fe-87dc-65ba-ab0987654321')?.attributes.key_state).toBe('Disabled');
    // Never read back by the provider: not attributes we compare.
    expect(Object.keys(data?.attributes ?? {})).not.toContain('deletion_window_in_days');
  });

  it('aws_kms_key_policy takes precedence over the key policy', async () => {
    const { index } = await loadStates([OWN]);
    const data = index.keysById.get('1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(JSON.stringify(data?.attributes.policy)).toContain('role/app');
    expect(data?.policyOrigin?.address).toBe('aws_kms_key_policy.data');
  });

  it('tells a multi-Region primary from its replica by ARN', async () => {
    const { index } = await loadStates([OWN]);
    const primary = index.keysByArn.get('arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab');
    const replica = index.keysByArn.get('arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab');
    expect(primary?.origin.address).toBe('aws_kms_key.global');
    expect(replica).toMatchObject({
      type: 'aws_kms_replica_key',
      origin: { address: 'aws_kms_replica_key.global_eu' },
      attributes: { key_state: 'Enabled', enable_key_rotation: true },
    });
  });

  it('holds nothing of the other resources: the planted secret is nowhere in the index or problems', async () => {
    const loaded = await loadStates([OWN]);
    const everything = JSON.stringify({
      keys: [...loaded.index.keysById.values(), ...loaded.index.keysByArn.values()],
      aliases: [...loaded.index.aliasesByName.values()],
      problems: loaded.problems,
    });
    expect(everything).not.toContain(SECRET);
    const broken = readFileSync(OWN, 'utf8')
      .replace('"identifier": "app"', '"identifier": 7')
      .replace('"key_usage": "ENCRYPT_DECRYPT"', '"key_usage": 1');
    expect(JSON.stringify(parseState(broken, 'x.tfstate'))).not.toContain(SECRET);
  });

  it("loads driftctl's real states (Terraform 0.14) as driftctl reads them", async () => {
    const { index, problems } = await loadStates([path('tfstate/driftctl')]);
    expect(problems).toEqual([]);
    expect(index.keysById.size).toBe(3);
    expect(index.aliasesByName.size).toBe(3);
    const golden = JSON.parse(readFileSync(path('tfstate/driftctl/aws_kms_key/results.golden.json'), 'utf8')) as {
      Id: string;
      Attrs: Record<string, unknown>;
    }[];
    for (const g of golden) {
      const key = index.keysById.get(g.Id);
      expect(key?.attributes.key_state).toBe(g.Attrs['is_enabled'] ? 'Enabled' : 'Disabled');
      expect(key?.attributes.description).toBe(g.Attrs['description']);
      expect(key?.attributes.key_usage).toBe(g.Attrs['key_usage']);
    }
    expect(index.aliasesByName.get('alias/baz20210225124429210500000001')?.attributes.target_key_id).toBe(
      '341b2d76-feab-4911-b5de-fbdd92b21aa7',
    );
  });

  it('refuses format 3 and invalid JSON with a clear, located message', () => {
    const v3 = parseState(
      readFileSync(
        path(
          'tfstate/legacy-v3/hashicorp-publicsector_blog-dynamic-saas-cluster-aws-vault/kms_terraform.tfstate.v3_terraformer',
        ),
        'utf8',
      ),
      'v3.tfstate',
    );
    expect(v3.problems).toMatchObject([
      { code: 'STATE_VERSION', severity: 'error', message: expect.stringMatching(/format version 3 is not supported/) },
    ]);
    expect(parseState('{"version": 4,\n  "resources": [}', 'bad.tfstate').problems).toMatchObject([
      { code: 'STATE_JSON', line: 2 },
    ]);
  });

  it('a second state declaring the same key is reported, the first wins', async () => {
    const { index, problems } = await loadStates([OWN, OWN]);
    expect(index.keysById.size).toBe(4);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.severity === 'warning')).toBe(true);
  });
});
