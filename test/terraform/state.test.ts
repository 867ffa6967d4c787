import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndex } from '../../src/terraform/build-index.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import { parseState } from '../../src/terraform/parse-state.ts';
import { resourceAddress } from '../../src/terraform/address.ts';
import type { DeclaredAlias, DeclaredIndex, DeclaredKey } from '../../src/model/declared.ts';

const path = (p: string): string => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const OWN = path('own/tfstate/modules-for-each.tfstate');
const OWN_TEXT = readFileSync(OWN, 'utf8');
const SECRET = 'S3cr3t-Must-Never-Leak-9f2c';
const DATA = '1234abcd-12ab-34cd-56ef-1234567890ab';
const LOGS = '7c1f9a42-5b3e-4d8a-9f60-2e4b7d9c0a15';
const LEGACY = '0987dcba-09fe-87dc-65ba-ab0987654321';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const V3 = path(
  'tfstate/legacy-v3/hashicorp-publicsector_blog-dynamic-saas-cluster-aws-vault/kms_terraform.tfstate.v3_terraformer',
);

function indexOf(text: string, source = 'x.tfstate') {
  const parsed = parseState(text, source);
  const built = buildIndex([parsed.resources]);
  return { index: built.index, problems: [...parsed.problems, ...built.problems] };
}

/** Every declared key, scoped by ARN or not. */
function allKeys(index: DeclaredIndex): DeclaredKey[] {
  return [...index.keysByArn.values(), ...[...index.unscopedKeys.values()].flat()];
}
function allAliases(index: DeclaredIndex): DeclaredAlias[] {
  return [...index.aliasesByArn.values(), ...[...index.unscopedAliases.values()].flat()];
}
/** The one declared key with this id in any account and Region (a multi-Region id may name several). */
function keyWithId(index: DeclaredIndex, id: string): DeclaredKey | undefined {
  const found = allKeys(index).filter((k) => k.keyId === id);
  return found.length === 1 ? found[0] : undefined;
}
function aliasNamed(index: DeclaredIndex, name: string): DeclaredAlias | undefined {
  const found = allAliases(index).filter((a) => a.name === name);
  return found.length === 1 ? found[0] : undefined;
}

/** Everything the index and the problems hold, as text, to search for a secret. */
function dump(index: DeclaredIndex, problems: unknown): string {
  return JSON.stringify({
    keys: allKeys(index),
    aliases: allAliases(index),
    grants: [...index.grants.values()],
    stores: [...index.customKeyStores.values()],
    problems,
  });
}

describe('addresses', () => {
  it.each<[string | undefined, string, string, string | number | undefined, string]>([
    [undefined, 'aws_kms_key', 'global', undefined, 'aws_kms_key.global'],
    [undefined, 'aws_kms_key', 'legacy', 0, 'aws_kms_key.legacy[0]'],
    ['module.kms', 'aws_kms_key', 'this', 'data', 'module.kms.aws_kms_key.this["data"]'],
    [
      'module.a.module.b["k"]',
      'aws_kms_key',
      'this',
      'x"y\\z',
      'module.a.module.b["k"].aws_kms_key.this["x\\"y\\\\z"]',
    ],
    ['module.a[2]', 'aws_kms_alias', 'this', 3, 'module.a[2].aws_kms_alias.this[3]'],
  ])('%s %s.%s[%s]', (module, type, name, key, address) => {
    expect(resourceAddress(module, type, name, key)).toBe(address);
  });
});

describe('our modules/for_each state (format 4, provider 5.x)', () => {
  let index: DeclaredIndex;
  beforeAll(async () => {
    const loaded = await loadStates([OWN]);
    expect(loaded.problems).toEqual([]);
    index = loaded.index;
  });

  it('indexes modules, for_each and count instances by address, id and ARN', () => {
    expect(keyWithId(index, DATA)?.origin).toEqual({
      address: 'module.kms.aws_kms_key.this["data"]',
      type: 'aws_kms_key',
      state: OWN,
    });
    expect(keyWithId(index, LOGS)?.origin.address).toBe('module.kms.aws_kms_key.this["logs"]');
    expect(keyWithId(index, LEGACY)?.origin.address).toBe('aws_kms_key.legacy[0]');
    expect(index.keysByArn.get(`arn:aws:kms:us-west-2:111122223333:key/${LEGACY}`)?.keyId).toBe(LEGACY);
    expect(aliasNamed(index, 'alias/ExampleAlias')?.origin.address).toBe('module.kms.aws_kms_alias.this["data"]');
    expect(index.sources).toEqual([OWN]);
  });

  it('keeps only managed KMS resources: no data source, no deposed object, nothing else', () => {
    expect([...new Set(allKeys(index).map((k) => k.keyId))].sort()).toEqual([LEGACY, DATA, LOGS, MRK].sort());
    expect(index.keysByArn.size).toBe(5); // the replica shares the primary's id, not its ARN
    expect(
      allAliases(index)
        .map((a) => a.name)
        .sort(),
    ).toEqual(['alias/ExampleAlias', 'alias/my_alias']);
    expect(keyWithId(index, 'e0a1b2c3-d4e5-4f60-8a71-9b0c1d2e3f40') !== undefined).toBe(false); // the deposed object
  });

  it('aws_kms_key: is_enabled → key_state, rotation and its period, tags_all (default_tags included)', () => {
    expect(keyWithId(index, DATA)?.attributes).toEqual({
      key_state: 'Enabled',
      enable_key_rotation: true,
      rotation_period_in_days: 365,
      deletion_window_in_days: 7,
      description: 'Application data',
      tags: { Department: 'IT', Owner: 'team-a', Environment: 'prod', ManagedBy: 'terraform' },
      key_usage: 'ENCRYPT_DECRYPT',
      customer_master_key_spec: 'SYMMETRIC_DEFAULT',
      multi_region: false,
    });
    // Disabled, rotation off, period null: no period declared; tags null but tags_all from default_tags.
    expect(keyWithId(index, LEGACY)?.attributes).toMatchObject({
      key_state: 'Disabled',
      enable_key_rotation: false,
      tags: { Environment: 'prod', ManagedBy: 'terraform' },
    });
    expect(keyWithId(index, LEGACY)?.attributes).not.toHaveProperty('rotation_period_in_days');
  });

  it('the configured deletion window, never bypass_policy_lockout_safety_check', () => {
    for (const key of index.keysByArn.values()) {
      expect(Object.keys(key.attributes)).not.toContain('bypass_policy_lockout_safety_check');
    }
    // Every aws_kms_key of this state configures 7 days; the replica configures 30.
    expect(keyWithId(index, DATA)?.attributes.deletion_window_in_days).toBe(7);
    expect(keyWithId(index, LEGACY)?.attributes.deletion_window_in_days).toBe(7);
  });

  it('an unset deletion window (null in the state) is 30 days, as KMS defaults; a set one is kept', async () => {
    const driftctl = (await loadStates([path('tfstate/driftctl/aws_kms_key/terraform.tfstate')])).index;
    const windowOf = (id: string) => keyWithId(driftctl, id)?.attributes.deletion_window_in_days;
    expect(windowOf('8ee21d91-c000-428c-8032-235aac55da36')).toBe(30); // bar: null
    expect(windowOf('5d765f32-bfdc-4610-b6ab-f82db5d0601b')).toBe(10); // baz: 10
  });

  it('aws_kms_key_policy takes precedence over the key policy, with its own origin', () => {
    const data = keyWithId(index, DATA);
    expect(data?.policy?.document).toMatchObject({ Version: '2012-10-17' });
    expect(data?.policy?.text).toContain('role/app');
    expect(data?.policyOrigin).toEqual({ address: 'aws_kms_key_policy.data', type: 'aws_kms_key_policy', state: OWN });
    expect(data?.origin.address).toBe('module.kms.aws_kms_key.this["data"]');
    expect(index.keysByArn.get(`arn:aws:kms:us-west-2:111122223333:key/${DATA}`)).toBe(data);
    expect(keyWithId(index, LOGS)?.policyOrigin).toBeUndefined();
  });

  it('tells a multi-Region primary from its replica by ARN; the replica maps enabled/key_rotation_enabled/key_spec', () => {
    const primary = index.keysByArn.get(`arn:aws:kms:us-west-2:111122223333:key/${MRK}`);
    const replica = index.keysByArn.get(`arn:aws:kms:eu-west-1:111122223333:key/${MRK}`);
    expect(primary?.origin.address).toBe('aws_kms_key.global');
    expect(primary?.attributes).toMatchObject({ multi_region: true, rotation_period_in_days: 90 });
    expect(keyWithId(index, MRK)).toBeUndefined(); // the id alone names both: only the ARN tells them apart
    expect(replica).toMatchObject({
      type: 'aws_kms_replica_key',
      origin: { address: 'aws_kms_replica_key.global_eu' },
      attributes: {
        key_state: 'Enabled',
        enable_key_rotation: true,
        customer_master_key_spec: 'SYMMETRIC_DEFAULT',
        multi_region: true,
        description: 'Replica in eu-west-1',
      },
    });
  });

  it('alias targets are bare ids, also when the state holds the key ARN', () => {
    expect(aliasNamed(index, 'alias/ExampleAlias')?.attributes).toEqual({
      alias_name: 'alias/ExampleAlias',
      target_key_id: DATA,
    });
    expect(aliasNamed(index, 'alias/my_alias')).toMatchObject({
      arn: 'arn:aws:kms:us-west-2:111122223333:alias/my_alias',
      attributes: { target_key_id: LOGS },
    });
  });
});

describe('secrets of other resources', () => {
  it('the planted password is nowhere in the index or the problems', async () => {
    const loaded = await loadStates([OWN]);
    expect(dump(loaded.index, loaded.problems)).not.toContain(SECRET);
  });

  it('key material, grant tokens, key store passwords, XKS secrets and KMS plaintexts are never read', async () => {
    // One state at a time: each declares AWS's sample key as another type.
    const types = ['custom-key-store', 'external-key', 'grant', 'replica-key'];
    const loaded = await Promise.all(types.map((t) => loadStates([path(`own/tfstate/types/${t}.tfstate`)])));
    for (const l of loaded) {
      expect(l.problems).toEqual([]);
      expect(dump(l.index, l.problems)).not.toMatch(/S3cr3t/);
    }
    // Every KMS resource type was read: the secrets sit beside attributes that are compared.
    const keys = loaded.flatMap((l) => allKeys(l.index).map((k) => k.type));
    expect([...new Set(keys)].sort()).toEqual([
      'aws_kms_external_key',
      'aws_kms_key',
      'aws_kms_replica_external_key',
      'aws_kms_replica_key',
    ]);
    const grants = loaded.flatMap((l) => [...l.index.grants.values()].map((g) => g.origin.address));
    expect(grants.sort()).toEqual(['aws_kms_grant.app_decrypt', 'aws_kms_grant.doc']);
    const stores = loaded.flatMap((l) => [...l.index.customKeyStores.keys()]);
    expect(stores.sort()).toEqual(['cks-0fedcba9876543210', 'cks-1234567890abcdef0']);
  });

  it.each<[string, string]>([
    ['the secret resource malformed', OWN_TEXT.replace('"identifier": "app"', '"identifier": 7')],
    ['the secret resource without a type', OWN_TEXT.replace('"type": "aws_db_instance",', '')],
    ['a KMS attribute of the wrong type', OWN_TEXT.replace('"key_usage": "ENCRYPT_DECRYPT"', '"key_usage": 1')],
    [
      'the secret as a KMS tag value of the wrong type',
      OWN_TEXT.replace('"Owner": "team-a"', `"Owner": ["${SECRET}"]`),
    ],
    ['invalid JSON right after the secret', OWN_TEXT.replace(`"password": "${SECRET}",`, `"password": "${SECRET}" x`)],
  ])('%s: no secret in problems', (_name, text) => {
    const { index, problems } = indexOf(text);
    expect(dump(index, problems)).not.toContain(SECRET);
  });
});

describe('problems', () => {
  it('a KMS attribute of the wrong type: STATE_SHAPE with the address and attribute path, never the value', () => {
    const text = OWN_TEXT.replace('"description": "Legacy key"', '"description": {"oops": "Legacy-key-text"}');
    const { index, problems } = indexOf(text, 'bad.tfstate');
    expect(problems).toEqual([
      {
        code: 'STATE_SHAPE',
        severity: 'error',
        source: 'bad.tfstate',
        path: expect.stringMatching(/^resources\[\d+\]\.instances\[0\]\.attributes\.description$/) as unknown,
        message: expect.stringMatching(/^aws_kms_key\.legacy\[0\] attribute description: .*expected string/) as unknown,
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('Legacy-key-text');
    // The other resources of the state still load.
    expect(keyWithId(index, DATA) !== undefined).toBe(true);
    expect(keyWithId(index, LEGACY) !== undefined).toBe(false);
  });

  it('format 3 is refused with what to do', async () => {
    const { problems } = parseState(readFileSync(V3, 'utf8'), 'v3.tfstate');
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'STATE_VERSION',
        severity: 'error',
        message: expect.stringMatching(
          /^state format version 3 is not supported; run `terraform state pull` with Terraform ≥ 0\.12/,
        ) as unknown,
      }),
    ]);
    expect(allKeys((await loadStates([V3])).index).length).toBe(0);
  });

  it.each<[string, string, object]>([
    ['invalid JSON, located', '{"version": 4,\n  "resources": [}', { code: 'STATE_JSON', line: 2, column: 17 }],
    [
      'not an object',
      '[1, 2]',
      { code: 'STATE_VERSION', message: 'not a Terraform state of format 4 (version: missing)' },
    ],
    [
      'a future format',
      '{"version": 5}',
      { code: 'STATE_VERSION', message: 'not a Terraform state of format 4 (version: 5)' },
    ],
    ['resources not a list', '{"version": 4, "resources": {}}', { code: 'STATE_SHAPE', path: 'resources' }],
    [
      'a KMS instance without attributes',
      '{"version":4,"resources":[{"mode":"managed","type":"aws_kms_key","name":"k","instances":[{"index_key":1}]}]}',
      {
        code: 'STATE_SHAPE',
        path: 'resources[0].instances[0].attributes',
        message: expect.stringMatching(/^aws_kms_key\.k field attributes: /),
      },
    ],
    [
      'a KMS resource without a name',
      '{"version":4,"resources":[{"mode":"managed","type":"aws_kms_alias","instances":[]}]}',
      { code: 'STATE_SHAPE', path: 'resources[0].name' },
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseState(text, 's.tfstate').problems).toEqual([
      expect.objectContaining({ severity: 'error', ...expected }),
    ]);
  });

  it('__proto__ and constructor keys are ordinary data', () => {
    const text =
      '{"version":4,"__proto__":{"resources":[]},"resources":[{"mode":"managed","type":"aws_kms_key","name":"k",' +
      '"instances":[{"attributes":{"id":"k1","is_enabled":true,"tags":{"__proto__":"x","constructor":"y"}}}]}]}';
    const { index, problems } = indexOf(text);
    expect(problems).toEqual([]);
    expect(Object.keys(keyWithId(index, 'k1')?.attributes.tags ?? {}).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe("driftctl's real states (Terraform 0.14, provider 3.x)", () => {
  it('load without problems, with the attributes driftctl reads (results.golden.json)', async () => {
    const { index, problems } = await loadStates([path('tfstate/driftctl')]);
    expect(problems).toEqual([]);
    expect(new Set(allKeys(index).map((k) => k.keyId)).size).toBe(3);
    const golden = JSON.parse(readFileSync(path('tfstate/driftctl/aws_kms_key/results.golden.json'), 'utf8')) as {
      Id: string;
      Attrs: Record<string, unknown>;
    }[];
    for (const g of golden) {
      const key = keyWithId(index, g.Id);
      expect(key?.arn).toBe(g.Attrs['arn']);
      expect(key?.attributes).toMatchObject({
        key_state: g.Attrs['is_enabled'] ? 'Enabled' : 'Disabled',
        enable_key_rotation: g.Attrs['enable_key_rotation'],
        description: g.Attrs['description'],
        key_usage: g.Attrs['key_usage'],
        customer_master_key_spec: g.Attrs['customer_master_key_spec'],
        // driftctl drops empty maps; an absent tags map is no tags.
        tags: g.Attrs['tags'] ?? {},
      });
      expect(key?.policy?.document).toEqual(JSON.parse(g.Attrs['policy'] as string));
    }
  });

  it('aliases by name, including a name_prefix one (name null, id is the name)', async () => {
    const { index } = await loadStates([path('tfstate/driftctl/aws_kms_alias/terraform.tfstate')]);
    const golden = JSON.parse(readFileSync(path('tfstate/driftctl/aws_kms_alias/results.golden.json'), 'utf8')) as {
      Id: string;
      Attrs: Record<string, unknown>;
    }[];
    expect(
      allAliases(index)
        .map((a) => a.name)
        .sort(),
    ).toEqual(golden.map((g) => g.Id).sort());
    for (const g of golden) {
      expect(aliasNamed(index, g.Id)).toMatchObject({
        arn: g.Attrs['arn'],
        attributes: { alias_name: g.Id, target_key_id: g.Attrs['target_key_id'] },
        origin: { address: expect.stringMatching(/^aws_kms_alias\.(bar|baz|foo)$/) as unknown },
      });
    }
  });
});

describe('many states', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kms-drift-states-'));
    mkdirSync(join(dir, 'b', 'nested'), { recursive: true });
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'b', 'nested', 'z.tfstate'), OWN_TEXT);
    writeFileSync(join(dir, 'a', 'own.tfstate'), OWN_TEXT);
    writeFileSync(join(dir, 'a', 'notes.txt'), 'not a state');
    writeFileSync(join(dir, 'a', 'own.tfstate.backup'), 'not read');
  });
  afterAll(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a directory: every *.tfstate below it, sorted; the same resources twice → the first by name kept, warnings', async () => {
    const { index, problems } = await loadStates([dir]);
    const first = join(dir, 'a', 'own.tfstate');
    const second = join(dir, 'b', 'nested', 'z.tfstate');
    expect(index.sources).toEqual([first, second]);
    expect(keyWithId(index, DATA)?.origin.state).toBe(first);
    expect(keyWithId(index, DATA)?.policyOrigin?.state).toBe(first);
    expect(problems.length).toBe(5 + 2 + 1); // keys (incl. replica), aliases, key policy
    for (const p of problems) {
      expect(p).toMatchObject({ code: 'STATE_DUPLICATE', severity: 'warning', source: second });
      expect(p.message).toContain(`in ${first}; the declaration of ${first} is used`);
    }
  });

  it('a state and driftctl states at once: one index', async () => {
    const { index, problems } = await loadStates([OWN, path('tfstate/driftctl')]);
    expect(problems).toEqual([]);
    expect(new Set(allKeys(index).map((k) => k.keyId)).size).toBe(4 + 3);
    expect(allAliases(index).length).toBe(2 + 3);
    expect(index.sources).toHaveLength(3);
  });

  it('a missing path and an empty directory are reported; the other states still load', async () => {
    const { index, problems } = await loadStates([join(dir, 'missing.tfstate'), join(dir, 'empty'), OWN]);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'STATE_READ', severity: 'error', source: join(dir, 'missing.tfstate') }),
      expect.objectContaining({
        code: 'STATE_READ',
        severity: 'warning',
        source: join(dir, 'empty'),
        message: 'no *.tfstate file below this directory',
      }),
    ]);
    expect(keyWithId(index, DATA) !== undefined).toBe(true);
  });

  it('s3:// without an S3 reader is a clear problem, not a crash', async () => {
    const { problems } = await loadStates(['s3://bucket/env/prod.tfstate']);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'STATE_READ',
        severity: 'error',
        source: 's3://bucket/env/prod.tfstate',
        message: expect.stringContaining('S3') as unknown,
      }),
    ]);
  });

  it('s3:// through a reader, beside files; a duplicate resolves by source name, whatever the order', async () => {
    const s3 = {
      get: async (bucket: string, key: string) => {
        expect([bucket, key]).toEqual(['states', 'prod/terraform.tfstate']);
        return { text: OWN_TEXT, etag: '"abc"' };
      },
      etag: async () => '"abc"',
    };
    const s3Source = 's3://states/prod/terraform.tfstate';
    for (const order of [
      [s3Source, OWN],
      [OWN, s3Source],
    ]) {
      const { index, problems, version } = await loadStates(order, s3);
      // OWN is an absolute path, which sorts before `s3://`.
      expect(keyWithId(index, DATA)?.origin.state).toBe(OWN);
      expect(problems.every((p) => p.code === 'STATE_DUPLICATE' && p.source === s3Source)).toBe(true);
      expect(version).toContain(`${s3Source}@"abc"`);
    }
  });
});

describe('hostile keys', () => {
  it('an attributes object with __proto__ cannot lend a KMS resource attributes it does not have', () => {
    const text =
      '{"version":4,"resources":[{"mode":"managed","type":"aws_kms_key","name":"k","instances":[{"attributes":' +
      '{"__proto__":{"id":"planted","is_enabled":false},"id":"k1"}}]}]}';
    const { index, problems } = indexOf(text);
    expect(problems).toEqual([]);
    expect(allKeys(index).map((k) => k.keyId)).toEqual(['k1']);
    expect(keyWithId(index, 'k1')?.attributes).not.toHaveProperty('key_state');
  });
});
