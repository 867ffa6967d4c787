import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';
import { policyFacts, type PolicyContext } from '../../src/policy/facts.ts';
import { expandActions, KMS_ACTIONS } from '../../src/policy/kms-actions.ts';
import { canonicalConditionKey } from '../../src/policy/condition-keys.ts';

const ACCOUNT = '111122223333';
const CTX: PolicyContext = { keyAccount: ACCOUNT, allowedAccounts: new Set() };
/** The key policy of the compliance example state (examples/README.md says where its statements come from). */
const BASE = JSON.parse(
  (
    JSON.parse(readFileSync('examples/compliance/terraform.tfstate', 'utf8')) as {
      resources: { type: string; instances: { attributes: { policy?: string } }[] }[];
    }
  ).resources.find((r) => r.type === 'aws_kms_key')?.instances[0]?.attributes.policy ?? '{}',
) as JsonObject;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: JsonValue;
  Action: JsonValue;
  Resource: string;
  Condition?: JsonObject;
}
type Policy = { Version: string; Statement: Statement[] };

/** A copy of the module policy changed by `edit`, as someone's PutKeyPolicy would submit it. */
function changed(edit: (p: Policy) => void): JsonValue {
  const copy = structuredClone(BASE) as unknown as Policy;
  edit(copy);
  return copy as unknown as JsonValue;
}
const statement = (p: Policy, sid: string): Statement => {
  const st = p.Statement.find((s) => s.Sid === sid);
  if (st === undefined) throw new Error(`no statement ${sid}`);
  return st;
};
/** Facts of `after` against Terraform's module policy; `fresh` for a key no state declares. */
const facts = (after: JsonValue, ctx: PolicyContext = CTX) => policyFacts(after, BASE, ctx);
const fresh = (after: JsonValue, ctx: PolicyContext = CTX) => policyFacts(after, undefined, ctx);

describe('KMS actions', () => {
  it('expands the wildcards of the default key-administrator statement without granting use', () => {
    const admin = expandActions(['kms:Create*', 'kms:Put*', 'kms:Disable*', 'kms:Get*'], false);
    expect([...admin]).toContain('kms:PutKeyPolicy');
    expect([...admin]).toContain('kms:CreateGrant');
    expect([...admin]).toContain('kms:DisableKeyRotation');
    expect([...admin]).not.toContain('kms:Decrypt');
  });
  it('matches case-insensitively, reads NotAction as the complement, keeps unknown kms actions', () => {
    expect([...expandActions(['KMS:decrypt'], false)]).toEqual(['kms:Decrypt']);
    expect(expandActions(['kms:Decrypt'], true).size).toBe(KMS_ACTIONS.length - 1);
    expect([...expandActions(['kms:FutureApi', 's3:GetObject'], false)]).toEqual(['kms:FutureApi']);
    expect(expandActions(['*'], false).size).toBe(KMS_ACTIONS.length);
  });
  it('spells condition keys as AWS documents them and keeps the context key as written', () => {
    expect(canonicalConditionKey('KMS:viaservice')).toBe('kms:ViaService');
    expect(canonicalConditionKey('kms:encryptioncontext:App')).toBe('kms:EncryptionContext:App');
    expect(canonicalConditionKey('custom:Key')).toBe('custom:Key');
  });
});

describe('policy analysis against the Terraform module policy', () => {
  it('the same policy re-serialized and reordered changes nothing', () => {
    const reordered = changed((p) => p.Statement.reverse());
    const f = facts(JSON.parse(JSON.stringify(reordered, null, 2)) as JsonValue);
    expect(f).toMatchObject({
      added_statements: [],
      removed_statements: [],
      conditions_removed: [],
      conditions_added: [],
      actions_widened: [],
      condition_keys_removed: [],
      external_accounts: [],
      admins_gained_use: [],
      admin_can_use: false,
      wildcard_principal: false,
    });
  });

  it('the encryption-context condition removed from the users statement', () => {
    const f = facts(changed((p) => delete statement(p, 'KeyUsage').Condition));
    expect(f.conditions_removed).toEqual([
      { statement: 'KeyUsage', operator: 'StringEquals', key: 'kms:EncryptionContext:app', values: ['billing'] },
    ]);
    expect(f.condition_keys_removed).toEqual(['kms:EncryptionContext:*', 'kms:EncryptionContext:app']);
    expect(f.added_statements).toEqual([]);
    expect(f.removed_statements).toEqual([]);
  });

  it('kms:ViaService removed, kms:CallerAccount kept', () => {
    const f = facts(
      changed((p) => {
        statement(p, 'ViaS3').Condition = { StringEquals: { 'kms:CallerAccount': ACCOUNT } };
      }),
    );
    expect(f.condition_keys_removed).toEqual(['kms:ViaService']);
  });

  it('kms:GrantIsForAWSResource removed even when the statement is renamed (linked by its principal)', () => {
    const f = facts(
      changed((p) => {
        const st = statement(p, 'KeyServiceUsage');
        st.Sid = 'Grants';
        delete st.Condition;
      }),
    );
    expect(f.condition_keys_removed).toEqual(['kms:GrantIsForAWSResource']);
    expect(f.conditions_removed.map((c) => c.statement)).toEqual(['KeyServiceUsage']);
  });

  it('a changed condition value is a removed and an added condition, but the key still constrains', () => {
    const f = facts(
      changed((p) => {
        statement(p, 'KeyUsage').Condition = { StringEquals: { 'kms:EncryptionContext:app': '*' } };
      }),
    );
    expect(f.conditions_removed).toHaveLength(1);
    expect(f.conditions_added).toEqual([
      { statement: 'KeyUsage', operator: 'StringEquals', key: 'kms:EncryptionContext:app', values: ['*'] },
    ]);
    expect(f.condition_keys_removed).toEqual([]);
  });

  it('users widened to kms:* gain administration: actions widened and an admin who can use', () => {
    const f = facts(
      changed((p) => {
        statement(p, 'KeyUsage').Action = 'kms:*';
      }),
    );
    const widened = f.actions_widened.flatMap((w) => w.actions);
    expect(widened).toContain('kms:PutKeyPolicy');
    expect(widened).toContain('kms:ScheduleKeyDeletion');
    expect(widened).not.toContain('kms:Decrypt');
    expect(f.admins_gained_use).toEqual([`arn:aws:iam::${ACCOUNT}:role/App`]);
    expect(f.admin_can_use).toBe(true);
  });

  it('the administrator given Decrypt by a new statement', () => {
    const f = facts(
      changed((p) =>
        p.Statement.push({
          Sid: 'AdminUse',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` },
          Action: 'kms:Decrypt',
          Resource: '*',
        }),
      ),
    );
    expect(f.admins_gained_use).toEqual([`arn:aws:iam::${ACCOUNT}:role/KeyAdmin`]);
    expect(f.added_statements).toHaveLength(1);
    expect(f.actions_widened).toEqual([]);
  });

  it('a Deny without condition takes use away again; a conditioned Deny does not', () => {
    const withAdminUse = (deny: Partial<Statement>) =>
      changed((p) => {
        statement(p, 'KeyAdministration').Action = ['kms:PutKeyPolicy', 'kms:Decrypt'];
        p.Statement.push({
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` },
          Action: 'kms:Decrypt',
          Resource: '*',
          ...deny,
        });
      });
    expect(facts(withAdminUse({})).admin_can_use).toBe(false);
    expect(facts(withAdminUse({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })).admin_can_use).toBe(
      true,
    );
  });

  it('the account root with kms:* only delegates to IAM and is no administrator who uses the key', () => {
    expect(fresh(BASE).admin_can_use).toBe(false);
  });

  it('an external account by principal and through kms:CallerAccount, unless allowed', () => {
    const external = changed((p) => {
      p.Statement.push(
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:role/Partner' },
          Action: 'kms:Decrypt',
          Resource: '*',
        },
        {
          Sid: 'Org',
          Effect: 'Allow',
          Principal: '*',
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': ['777788889999', ACCOUNT] } },
        },
      );
    });
    expect(facts(external).external_accounts).toEqual(['444455556666', '777788889999']);
    expect(facts(external).wildcard_principal).toBe(false);
    const allowed: PolicyContext = { keyAccount: ACCOUNT, allowedAccounts: new Set(['444455556666']) };
    expect(facts(external, allowed).external_accounts).toEqual(['777788889999']);
  });

  it('a statement removed entirely is reported as removed, not as a removed condition', () => {
    const f = facts(changed((p) => (p.Statement = p.Statement.filter((s) => s.Sid !== 'CloudWatchLogs'))));
    expect(f.removed_statements).toHaveLength(1);
    expect(f.condition_keys_removed).toEqual([]);
  });

  it('without a declared policy every statement is added and every admin with use is new', () => {
    const f = fresh(
      changed((p) => {
        statement(p, 'KeyAdministration').Action = 'kms:*';
      }),
    );
    expect(f.added_statements).toHaveLength(6);
    expect(f.admins_gained_use).toEqual([`arn:aws:iam::${ACCOUNT}:role/KeyAdmin`]);
  });
});

/** Panther's labelled PutKeyPolicy cases and key resources (fixtures/detections/panther), read as Panther wrote them. */
describe("Panther's labelled key policies", () => {
  const made = parseYaml(readFileSync('fixtures/detections/panther/rules/aws_resource_made_public.yml', 'utf8')) as {
    Tests: { Name: string; ExpectedResult: boolean; Log: JsonObject }[];
  };
  const kmsCases = made.Tests.filter((t) => t.Log['eventSource'] === 'kms.amazonaws.com');
  it.each(kmsCases.map((t) => [t.Name, t] as const))('%s', (_name, t) => {
    const request = t.Log['requestParameters'] as JsonObject;
    const raw = request['policy'] as JsonValue;
    const policy = typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : raw;
    // Panther alerts on a policy open to everyone; ours is the wildcard principal without a Condition.
    expect(fresh(policy, { allowedAccounts: new Set() }).wildcard_principal).toBe(t.ExpectedResult);
  });

  const restricts = parseYaml(
    readFileSync('fixtures/detections/panther/policies/aws_kms_key_policy_restricts_usage.yml', 'utf8'),
  ) as { Tests: { Name: string; ExpectedResult: boolean; Resource: JsonObject }[] };
  it.each(restricts.Tests.map((t) => [t.Name, t] as const))('%s', (_name, t) => {
    const policy = JSON.parse(t.Resource['Policy'] as string) as JsonValue;
    // Panther's policy passes (true) when usage is restricted: no unconditioned wildcard grant.
    expect(fresh(policy, { allowedAccounts: new Set() }).wildcard_principal).toBe(!t.ExpectedResult);
  });
});
