import { beforeAll, describe, expect, it } from 'vitest';
import fastJsonPatch from 'fast-json-patch';
import { diffEvent } from '../../src/diff/diff.ts';
import { allowedPrincipals, canonicalPolicy, samePolicy } from '../../src/diff/policy.ts';
import { policyFacts } from '../../src/policy/facts.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { DeclaredIndex } from '../../src/model/declared.ts';
import type { PolicyChange } from '../../src/model/finding.ts';
import type { JsonObject, JsonValue } from '../../src/model/json.ts';
import { ACCOUNT, DC, DRIFTCTL, LOGS, OWN, appStatement, keyEvent, keyRef, policy, rootStatement } from './builder.ts';

let index: DeclaredIndex;
beforeAll(async () => {
  index = (await loadStates([OWN, DRIFTCTL])).index;
});
const diff = (event: Parameters<typeof diffEvent>[0]) => diffEvent(event, index, { terraformPrincipals: [] });

/** The policy aws_kms_key_policy.data declares for the data key. */
const declared = policy(rootStatement(), appStatement);

describe('policy equivalence (as IAM evaluates it)', () => {
  it.each<[string, JsonValue, boolean]>([
    ['the same document', declared, true],
    ['pretty-printed text parsed again', JSON.parse(JSON.stringify(declared, null, 4)) as JsonValue, true],
    [
      'key order, statement order, value order, single value vs array, account id vs root ARN',
      {
        Statement: [
          {
            Resource: ['*'],
            Action: ['kms:Encrypt', 'kms:Decrypt'],
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` },
            Effect: 'Allow',
            Sid: 'App',
          },
          { ...rootStatement(), Principal: { AWS: [ACCOUNT] }, Action: ['kms:*'] },
        ],
        Version: '2012-10-17',
      },
      true,
    ],
    ['one statement dropped', policy(rootStatement()), false],
    [
      'the remaining statement as an object instead of a list',
      { Version: '2012-10-17', Statement: appStatement },
      false,
    ],
    ['the policy language version changed', { ...(declared as JsonObject), Version: '2008-10-17' }, false],
    [
      'a principal narrowed from the account to one of its roles',
      policy({ ...rootStatement(), Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` } }, appStatement),
      false,
    ],
    [
      'an action added',
      policy(rootStatement(), { ...appStatement, Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*'] }),
      false,
    ],
    ['Allow turned into Deny', policy(rootStatement(), { ...appStatement, Effect: 'Deny' }), false],
    ['a Sid renamed', policy(rootStatement(), { ...appStatement, Sid: 'Application' }), false],
  ])('%s → equal: %s', (_name, other, equal) => {
    expect(samePolicy(declared, other)).toBe(equal);
  });

  it('a single statement object equals a one-element Statement list, and only that list', () => {
    // IAM's grammar: "Statement" is one statement or an array of them.
    expect(samePolicy(policy(rootStatement()), { Version: '2012-10-17', Statement: rootStatement() })).toBe(true);
    expect(samePolicy(policy(appStatement), { Version: '2012-10-17', Statement: appStatement })).toBe(true);
    expect(samePolicy(policy(rootStatement()), { Version: '2012-10-17', Statement: appStatement })).toBe(false);
    expect(
      samePolicy(policy(rootStatement()), { Version: '2012-10-17', Statement: { ...rootStatement(), Effect: 'Deny' } }),
    ).toBe(false);
  });

  it('Condition values and Principal types: single value vs one-element array, order', () => {
    const a = policy({
      Effect: 'Allow',
      Principal: { Service: 'logs.amazonaws.com', AWS: '*' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 'logs.us-west-2.amazonaws.com' },
        Bool: { 'aws:SecureTransport': ['true'] },
      },
    });
    const b = policy({
      Condition: {
        Bool: { 'aws:SecureTransport': 'true' },
        StringEquals: { 'kms:ViaService': ['logs.us-west-2.amazonaws.com'] },
      },
      Resource: ['*'],
      Action: ['kms:Decrypt'],
      Principal: { AWS: ['*'], Service: ['logs.amazonaws.com'] },
      Effect: 'Allow',
    });
    expect(samePolicy(a, b)).toBe(true);
    expect(
      samePolicy(
        a,
        policy({ ...(b['Statement'] as JsonObject[])[0], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ),
    ).toBe(false);
  });

  it('"Principal": "*" is {"AWS": "*"}', () => {
    const star = policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' });
    expect(
      samePolicy(star, policy({ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'kms:*', Resource: '*' })),
    ).toBe(true);
  });

  it('canonicalizing is idempotent and never changes the input', () => {
    const input = JSON.parse(JSON.stringify(declared)) as JsonObject;
    const once = canonicalPolicy(input);
    expect(canonicalPolicy(JSON.parse(JSON.stringify(once)) as JsonValue)).toEqual(once);
    expect(input).toEqual(declared);
  });

  it("driftctl's console policy with a Condition equals itself re-serialized with another order", async () => {
    const key = index.keysByArn.get(DC.arn(DC.bar));
    const text = JSON.stringify(key?.policy?.document, null, 2);
    const statements = [...((key?.policy?.document as JsonObject)['Statement'] as JsonObject[])].reverse();
    expect(
      samePolicy(key?.policy?.document ?? null, { ...(JSON.parse(text) as JsonObject), Statement: statements }),
    ).toBe(true);
    const finding = diff(
      keyEvent(
        'PutKeyPolicy',
        { attributes: { policy: { ...(JSON.parse(text) as JsonObject), Statement: statements } } },
        {
          key: keyRef(DC.bar, DC.arn(DC.bar)),
        },
      ),
    );
    expect(finding).toMatchObject({ driftType: 'in_sync', changes: {} });
    expect(finding.policy).toMatchObject({
      added_principals: [],
      removed_principals: [],
      external_accounts: [],
      wildcard_principal: false,
      added_statements: [],
      removed_statements: [],
      conditions_removed: [],
      conditions_added: [],
    });
  });
});

describe('principals and facts', () => {
  it.each<[string, JsonObject, string[]]>([
    ['an AWS ARN as written', rootStatement(), [`arn:aws:iam::${ACCOUNT}:root`]],
    [
      'an account id as its root ARN',
      { ...rootStatement(), Principal: { AWS: '444455556666' } },
      ['arn:aws:iam::444455556666:root'],
    ],
    ['"*"', { ...rootStatement(), Principal: '*' }, ['*']],
    [
      'a service, typed',
      { ...rootStatement(), Principal: { Service: ['logs.amazonaws.com'] } },
      ['service:logs.amazonaws.com'],
    ],
    [
      'a federated principal, typed',
      { ...rootStatement(), Principal: { Federated: 'cognito-identity.amazonaws.com' } },
      ['federated:cognito-identity.amazonaws.com'],
    ],
    ['Deny statements grant nothing', { ...rootStatement(), Effect: 'Deny', Principal: '*' }, []],
  ])('%s', (_name, statement, principals) => {
    expect(allowedPrincipals(policy(statement))).toEqual(principals);
  });

  it.each<[string, JsonObject, string[], boolean]>([
    ['own account only', rootStatement(), [], false],
    [
      'another account by ARN',
      { ...appStatement, Principal: { AWS: 'arn:aws:iam::444455556666:role/vendor' } },
      ['444455556666'],
      false,
    ],
    ['another account by id', { ...appStatement, Principal: { AWS: ['444455556666'] } }, ['444455556666'], false],
    [
      'an assumed-role session of another account',
      { ...appStatement, Principal: { AWS: 'arn:aws:sts::444455556666:assumed-role/r/s' } },
      ['444455556666'],
      false,
    ],
    ['"*" without Condition', { ...appStatement, Principal: '*' }, [], true],
    ['{"AWS": "*"} without Condition', { ...appStatement, Principal: { AWS: '*' } }, [], true],
    [
      '"*" limited by a Condition',
      { ...appStatement, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } } },
      [],
      false,
    ],
    ['another account in a Deny', { ...appStatement, Effect: 'Deny', Principal: { AWS: '444455556666' } }, [], false],
    ['a service principal is no account', { ...appStatement, Principal: { Service: 'logs.amazonaws.com' } }, [], false],
  ])('%s', (_name, statement, external, wildcard) => {
    const facts = policyFacts(policy(rootStatement(), statement), undefined, {
      keyAccount: ACCOUNT,
      allowedAccounts: new Set(),
    });
    expect(facts.external_accounts).toEqual(external);
    expect(facts.wildcard_principal).toBe(wildcard);
  });
});

describe('PutKeyPolicy against aws_kms_key_policy (which takes precedence over the key policy)', () => {
  it('the declared policy modulo formatting is in sync, and the origin is the key-policy resource', () => {
    const reordered = policy(
      { ...appStatement, Action: ['kms:Encrypt', 'kms:Decrypt'] },
      { ...rootStatement(), Principal: { AWS: ACCOUNT } },
    );
    const finding = diff(keyEvent('PutKeyPolicy', { attributes: { policy: reordered } }));
    expect(finding).toMatchObject({ driftType: 'in_sync', changes: {} });
    expect(finding.terraform?.address).toBe('aws_kms_key_policy.data');
  });

  it("the key's own policy (root only) is drift against aws_kms_key_policy: removed principal and patch", () => {
    const finding = diff(keyEvent('PutKeyPolicy', { attributes: { policy: policy(rootStatement()) } }));
    expect(finding.driftType).toBe('modified');
    const change = finding.changes.policy as PolicyChange;
    expect(change.removed_principals).toEqual([`arn:aws:iam::${ACCOUNT}:role/app`]);
    expect(change.added_principals).toEqual([]);
    // Canonical statements are sorted: the root statement (Action kms:*) comes first.
    expect(change.patch).toEqual([{ op: 'remove', path: '/Statement/1' }]);
  });

  it('an external account and "*" added: principals, facts and an RFC 6902 patch that turns expected into actual', () => {
    const widened = policy(rootStatement(), appStatement, {
      Sid: 'Vendor',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::999988887777:root', '*'] },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const finding = diff(keyEvent('PutKeyPolicy', { attributes: { policy: widened } }));
    expect(finding.driftType).toBe('modified');
    const change = finding.changes.policy as PolicyChange;
    expect(change).toMatchObject({
      expected: declared,
      actual: widened,
      added_principals: ['*', 'arn:aws:iam::999988887777:root'],
      removed_principals: [],
      // Every declared statement is still there unchanged, so the new one is added rather than a widened one — in the
      // canonical form: every single value as a list (IAM reads both alike), lists sorted, keys sorted.
      added_statements: [
        {
          Action: ['kms:Decrypt'],
          Effect: 'Allow',
          Principal: { AWS: ['*', 'arn:aws:iam::999988887777:root'] },
          Resource: ['*'],
          Sid: 'Vendor',
        },
      ],
      removed_statements: [],
      actions_widened: [],
      external_accounts: ['999988887777'],
    });
    expect(finding.policy).toMatchObject({
      added_principals: ['*', 'arn:aws:iam::999988887777:root'],
      removed_principals: [],
      external_accounts: ['999988887777'],
      wildcard_principal: true,
    });
    // The patch applies to the canonical expected document and yields the canonical actual one, both written out
    // here: single values become lists, keys and lists sorted.
    const root = {
      Action: ['kms:*'],
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`] },
      Resource: ['*'],
      Sid: 'Enable IAM User Permissions',
    };
    const app = {
      Action: ['kms:Decrypt', 'kms:Encrypt'],
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/app`] },
      Resource: ['*'],
      Sid: 'App',
    };
    const canonicalDeclared = { Statement: [root, app], Version: '2012-10-17' };
    expect(canonicalPolicy(declared)).toEqual(canonicalDeclared);
    const patched = fastJsonPatch.applyPatch(
      structuredClone(canonicalDeclared),
      change.patch as fastJsonPatch.Operation[],
      true,
      false,
    ).newDocument;
    expect(patched).toEqual({ Statement: [root, app, ...(change.added_statements ?? [])], Version: '2012-10-17' });
    expect(change.added_statements).toHaveLength(1);
  });

  it('a key without aws_kms_key_policy is compared with its own policy and keeps its own origin', () => {
    const finding = diff(
      keyEvent('PutKeyPolicy', { attributes: { policy: policy(rootStatement()) } }, { key: keyRef(LOGS) }),
    );
    expect(finding).toMatchObject({
      driftType: 'in_sync',
      terraform: { address: 'module.kms.aws_kms_key.this["logs"]' },
    });
    // Any other event on the data key names the key resource, not the policy resource.
    const other = diff(keyEvent('DisableKey', { attributes: { key_state: 'Disabled' } }));
    expect(other.terraform?.address).toBe('module.kms.aws_kms_key.this["data"]');
  });

  it('CreateKey of an unmanaged key: every principal is added, and the facts are computed', () => {
    const finding = diff(
      keyEvent(
        'CreateKey',
        {
          attributes: {
            key_state: 'Enabled',
            policy: policy(rootStatement(), { ...appStatement, Principal: { AWS: '444455556666' } }),
          },
        },
        {
          key: keyRef(
            'aaaaaaaa-0000-4000-8000-000000000001',
            `arn:aws:kms:us-west-2:${ACCOUNT}:key/aaaaaaaa-0000-4000-8000-000000000001`,
          ),
        },
      ),
    );
    expect(finding.driftType).toBe('unmanaged');
    expect(finding.policy).toMatchObject({
      added_principals: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'],
      external_accounts: ['444455556666'],
    });
  });

  it('a policy that is not JSON is compared as text', () => {
    expect(samePolicy('not json', 'not json')).toBe(true);
    expect(samePolicy('not json', declared)).toBe(false);
  });
});
