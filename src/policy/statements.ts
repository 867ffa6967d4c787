import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';
import { canonicalPolicy } from '../diff/policy.ts';
import { canonicalConditionKey } from './condition-keys.ts';
import { expandActions } from './kms-actions.ts';

export type PrincipalKind = 'wildcard' | 'account' | 'named' | 'service' | 'other';

export interface Principal {
  /** As `policy.added_principals` names it: an ARN (an account id as its root ARN), `*`, or `service:…` etc. */
  readonly id: string;
  readonly kind: PrincipalKind;
  /** The AWS account of an ARN principal. */
  readonly account?: string;
}

export interface Condition {
  readonly operator: string;
  /** In the spelling AWS documents (condition keys are case-insensitive). */
  readonly key: string;
  readonly values: readonly string[];
}

/** One statement of a key policy, reduced to what access it grants or denies. */
export interface StatementFacts {
  /** The Sid, else `#<position>` in the canonical statement order. */
  readonly name: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `NotPrincipal` is read as everyone (minus a few), i.e. the wildcard. */
  readonly principals: readonly Principal[];
  /** KMS actions, wildcards and NotAction expanded. */
  readonly actions: ReadonlySet<string>;
  readonly conditions: readonly Condition[];
  /** The statement in canonical form, as the drift log shows added and removed statements. */
  readonly statement: JsonValue;
  /** Its JSON text: equal texts are the same statement. */
  readonly text: string;
}

const ACCOUNT_ID = /^\d{12}$/;

export function analyzePolicy(policy: JsonValue): StatementFacts[] {
  const canonical = canonicalPolicy(policy);
  if (!isJsonObject(canonical)) return [];
  const list = canonical['Statement'];
  return (Array.isArray(list) ? (list as JsonValue[]) : []).filter(isJsonObject).map(analyzeStatement);
}

function analyzeStatement(st: JsonObject, index: number): StatementFacts {
  const sid = typeof st['Sid'] === 'string' && st['Sid'] !== '' ? st['Sid'] : undefined;
  const notPrincipal = st['NotPrincipal'] !== undefined;
  const action = st['NotAction'] ?? st['Action'];
  return {
    name: sid ?? `#${index}`,
    ...(sid === undefined ? {} : { sid }),
    effect: st['Effect'] === 'Deny' ? 'Deny' : 'Allow',
    principals: notPrincipal ? [{ id: '*', kind: 'wildcard' }] : principalsOf(st['Principal']),
    actions: expandActions(strings(action), st['NotAction'] !== undefined),
    conditions: conditionsOf(st['Condition']),
    statement: st,
    text: JSON.stringify(st),
  };
}

function principalsOf(value: JsonValue | undefined): Principal[] {
  if (!isJsonObject(value)) return [];
  const out: Principal[] = [];
  for (const type of Object.keys(value)) {
    for (const p of strings(value[type])) {
      if (type !== 'AWS')
        out.push({ id: `${type.toLowerCase()}:${p}`, kind: type === 'Service' ? 'service' : 'other' });
      else if (p === '*') out.push({ id: '*', kind: 'wildcard' });
      else {
        const account = accountOf(p);
        const root = account !== undefined && (p === account || p.endsWith(`:${account}:root`));
        out.push({ id: p, kind: root ? 'account' : 'named', ...(account === undefined ? {} : { account }) });
      }
    }
  }
  return out;
}

function conditionsOf(value: JsonValue | undefined): Condition[] {
  if (!isJsonObject(value)) return [];
  const out: Condition[] = [];
  for (const operator of Object.keys(value)) {
    const block = value[operator];
    if (!isJsonObject(block)) continue;
    for (const key of Object.keys(block)) {
      const values = (Array.isArray(block[key]) ? (block[key] as JsonValue[]) : [block[key] as JsonValue]).map((v) =>
        typeof v === 'string' ? v : JSON.stringify(v),
      );
      out.push({ operator, key: canonicalConditionKey(key), values: [...new Set(values)].sort() });
    }
  }
  return out;
}

function strings(value: JsonValue | undefined): string[] {
  const list = Array.isArray(value) ? (value as JsonValue[]) : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** `arn:aws:iam::111122223333:role/x` / `arn:aws:sts::…` / a bare account id → `111122223333`. */
export function accountOf(principal: string): string | undefined {
  if (ACCOUNT_ID.test(principal)) return principal;
  const parts = principal.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && ACCOUNT_ID.test(parts[4] ?? '') ? parts[4] : undefined;
}
