import fastJsonPatch from 'fast-json-patch';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';
import type { PatchOperation } from '../model/finding.ts';

// Policies are compared as IAM evaluates them, like the provider's policy equivalence: the key order, a single value
// versus a one-element array, the order of statements and of values, and an account id versus its root ARN do not
// matter. CloudTrail keeps the policy exactly as submitted (pretty-printed), Terraform state keeps it re-serialized.

const LIST_KEYS: ReadonlySet<string> = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
const PRINCIPAL_KEYS: ReadonlySet<string> = new Set(['Principal', 'NotPrincipal']);
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Canonical forms by document: one event's policy is compared, searched for principals and patched, and a declared
 * policy is compared with every event on its key, so each document is canonicalized once.
 */
const canonicalCache = new WeakMap<JsonObject, JsonValue>();

export function canonicalPolicy(policy: JsonValue): JsonValue {
  if (!isJsonObject(policy)) return policy;
  let canonical = canonicalCache.get(policy);
  if (canonical === undefined) {
    canonical = canonicalize(policy);
    canonicalCache.set(policy, canonical);
  }
  return canonical;
}

function canonicalize(policy: JsonObject): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(policy).sort()) {
    const value = policy[key] as JsonValue;
    if (key === 'Statement') {
      const statements = (Array.isArray(value) ? value : [value]) as readonly JsonValue[];
      out[key] = byJsonText(statements.map(canonicalStatement));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function canonicalStatement(statement: JsonValue): JsonValue {
  if (!isJsonObject(statement)) return statement;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(statement).sort()) {
    const value = statement[key] as JsonValue;
    if (LIST_KEYS.has(key)) out[key] = sortedList(value);
    else if (PRINCIPAL_KEYS.has(key)) out[key] = canonicalPrincipal(value);
    else if (key === 'Condition' && isJsonObject(value)) out[key] = canonicalCondition(value);
    else out[key] = value;
  }
  return out;
}

/** `"*"` is `{"AWS": "*"}`; an account id is its root ARN. */
function canonicalPrincipal(value: JsonValue): JsonValue {
  if (value === '*') return { AWS: ['*'] };
  if (!isJsonObject(value)) return value;
  const out: Record<string, JsonValue> = {};
  for (const type of Object.keys(value).sort()) {
    const list = sortedList(value[type] as JsonValue);
    out[type] =
      type === 'AWS' && Array.isArray(list)
        ? byJsonText([
            ...new Set(
              (list as JsonValue[]).map((p) =>
                typeof p === 'string' && ACCOUNT_ID.test(p) ? `arn:aws:iam::${p}:root` : p,
              ),
            ),
          ])
        : list;
  }
  return out;
}

function canonicalCondition(condition: JsonObject): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const op of Object.keys(condition).sort()) {
    const block = condition[op] as JsonValue;
    if (!isJsonObject(block)) {
      out[op] = block;
      continue;
    }
    const keys: Record<string, JsonValue> = {};
    for (const key of Object.keys(block).sort()) keys[key] = sortedList(block[key] as JsonValue);
    out[op] = keys;
  }
  return out;
}

/** Distinct values in the order of their JSON text. */
function sortedList(value: JsonValue): JsonValue {
  const list = Array.isArray(value) ? (value as readonly JsonValue[]) : [value];
  const byText = new Map(list.map((v) => [JSON.stringify(v), v]));
  return [...byText.keys()].sort().map((k) => byText.get(k) as JsonValue);
}

/** Values (duplicates kept) in the order of their JSON text, each serialized once rather than per comparison. */
function byJsonText(values: readonly JsonValue[]): JsonValue[] {
  return values
    .map((v) => [JSON.stringify(v), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, v]) => v);
}

/**
 * Principals granted by Allow statements: AWS principals as ARNs (an account id as its root ARN) or `*`; other
 * types prefixed with their lower-cased type (`service:logs.amazonaws.com`, `federated:…`, `canonicaluser:…`), so a
 * service name can never pass for an AWS principal in a rule.
 */
export function allowedPrincipals(policy: JsonValue): string[] {
  const found = new Set<string>();
  for (const st of statements(canonicalPolicy(policy))) {
    if (st['Effect'] !== 'Allow') continue;
    const principal = st['Principal'];
    if (!isJsonObject(principal)) continue;
    for (const type of Object.keys(principal)) {
      const list = principal[type];
      const prefix = type === 'AWS' ? '' : `${type.toLowerCase()}:`;
      for (const p of Array.isArray(list) ? (list as JsonValue[]) : [list]) {
        if (typeof p === 'string') found.add(prefix + p);
      }
    }
  }
  return [...found].sort();
}

export function policyPatch(expected: JsonValue, actual: JsonValue): PatchOperation[] {
  const from = canonicalPolicy(expected);
  const to = canonicalPolicy(actual);
  if (!isJsonObject(from) || !isJsonObject(to)) return [{ op: 'replace', path: '', value: to }];
  return fastJsonPatch.compare(from, to) as PatchOperation[];
}

export function samePolicy(a: JsonValue, b: JsonValue): boolean {
  return a === b || JSON.stringify(canonicalPolicy(a)) === JSON.stringify(canonicalPolicy(b));
}

function statements(policy: JsonValue): JsonObject[] {
  if (!isJsonObject(policy)) return [];
  const list = policy['Statement'];
  return (Array.isArray(list) ? (list as JsonValue[]) : []).filter(isJsonObject);
}
