import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { diffEvent } from '../../src/diff/diff.ts';
import { tooDeepAt } from '../../src/model/json-depth.ts';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';
import { buildIndex } from '../../src/terraform/build-index.ts';
import { nesting, parseState } from '../../src/terraform/parse-state.ts';
import * as S from '../../src/terraform/schemas.ts';
import { DATA, DATA_ARN, fixture, keyEvent, keyRef } from '../diff/builder.ts';

// The state index is built with an allocation-free check in front of zod, and holds each policy as text until it is
// read. Neither may change what a state declares or which state is refused.

/** Values of every kind a state could hold where an attribute is expected, including the near misses. */
const value: fc.Arbitrary<JsonValue | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(2 ** 60),
  fc.string(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
  fc.array(
    fc.record(
      {
        encryption_context_equals: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })),
        encryption_context_subset: fc.oneof(fc.constant(1), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 2 },
  ),
);

const LAYOUTS: readonly [string, S.Layout, { safeParse(v: unknown): { success: boolean } }][] = [
  ['aws_kms_key', S.KEY, S.KeyAttrs],
  ['aws_kms_replica_key', S.REPLICA_KEY, S.ReplicaKeyAttrs],
  ['aws_kms_external_key', S.EXTERNAL_KEY, S.ExternalKeyAttrs],
  ['aws_kms_grant', S.GRANT, S.GrantAttrs],
  ['aws_kms_custom_key_store', S.CUSTOM_KEY_STORE, S.CustomKeyStoreAttrs],
  ['aws_kms_alias', S.ALIAS, S.AliasAttrs],
  ['aws_kms_key_policy', S.KEY_POLICY, S.KeyPolicyAttrs],
];

describe('the allocation-free attribute check', () => {
  it.each(LAYOUTS)('%s: accepts only what zod accepts, and accepts what a provider writes', (_type, layout, schema) => {
    // Each attribute the layout names gets a value of any kind, or none.
    const attrs = fc.record(
      Object.fromEntries(Object.keys(layout).map((name) => [name, value])) as Record<string, typeof value>,
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(attrs, (a) => {
        const object = JSON.parse(JSON.stringify(a)) as JsonObject;
        if (S.conforms(layout, object)) expect(schema.safeParse(object).success).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('passes every KMS instance of the real and own states (so zod is not what loads them)', () => {
    const files = [
      'own/tfstate/modules-for-each.tfstate',
      'own/tfstate/types/grant.tfstate',
      'own/tfstate/types/external-key.tfstate',
      'own/tfstate/types/custom-key-store.tfstate',
      'own/tfstate/types/replica-key.tfstate',
      'own/tfstate/org/prod-111122223333-us-east-1.tfstate',
      'tfstate/driftctl/aws_kms_alias/terraform.tfstate',
      'tfstate/driftctl/aws_kms_key/terraform.tfstate',
    ];
    const layouts = new Map(LAYOUTS.map(([type, layout]) => [type, layout]));
    layouts.set('aws_kms_replica_external_key', S.EXTERNAL_KEY);
    let checked = 0;
    for (const file of files) {
      const state = JSON.parse(readFileSync(fixture(file), 'utf8')) as {
        resources: { mode: string; type: string; instances: { attributes: JsonObject }[] }[];
      };
      for (const r of state.resources) {
        const layout = layouts.get(r.type);
        if (layout === undefined || r.mode !== 'managed') continue;
        for (const i of r.instances) {
          expect(S.isInstance(i)).toBe(true);
          expect([file, r.type, S.conforms(layout, i.attributes)]).toEqual([file, r.type, true]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('a malformed attribute is still reported by zod, with its name', () => {
    const text = JSON.stringify({
      version: 4,
      resources: [
        {
          mode: 'managed',
          type: 'aws_kms_key',
          name: 'k',
          instances: [{ attributes: { id: 'k1', rotation_period_in_days: 365.5 } }],
        },
      ],
    });
    expect(parseState(text, 's.tfstate').problems).toEqual([
      expect.objectContaining({
        code: 'STATE_SHAPE',
        path: 'resources[0].instances[0].attributes.rotation_period_in_days',
      }),
    ]);
  });
});

describe('policy nesting measured on the text', () => {
  it('equals the nesting of the parsed document, for any JSON (strings with brackets and escapes included)', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'large' }), (text) => {
        const parsed = JSON.parse(text) as JsonValue;
        for (let max = 1; max <= 6; max++) expect(nesting(text) > max).toBe(tooDeepAt(parsed, max) !== undefined);
      }),
    );
  });
});

describe('policies held as text', () => {
  const state = (policy: string): string =>
    JSON.stringify({
      version: 4,
      resources: [
        {
          mode: 'managed',
          type: 'aws_kms_key',
          name: 'data',
          instances: [{ attributes: { id: DATA, key_id: DATA, arn: DATA_ARN, is_enabled: true, policy } }],
        },
      ],
    });
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'kms:*', Resource: '*' }],
  };
  const index = buildIndex([parseState(state(JSON.stringify(policy)), 's.tfstate').resources]).index;

  it('tf.policy and the policy comparison read the parsed document', () => {
    const other = diffEvent(
      keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }, { key: keyRef(DATA) }),
      index,
      {
        terraformPrincipals: [],
      },
    );
    expect(other.driftType).toBe('modified');
    expect(other.expected.policy).toEqual(policy);
    const put = diffEvent(
      keyEvent('PutKeyPolicy', { attributes: { policy: { ...policy, Statement: [] } } }, { key: keyRef(DATA) }),
      index,
      { terraformPrincipals: [] },
    );
    expect(put.changes.policy).toMatchObject({ expected: policy });
  });

  it('a policy that is not JSON is compared as text', () => {
    const text = buildIndex([parseState(state('not { json'), 's.tfstate').resources]).index;
    expect(text.keysByArn.get(DATA_ARN)?.policy?.document).toBe('not { json');
  });
});
