import type { CheckExpr, Expr } from './ast.ts';
import { shortSource } from './fields/cloudtrail.ts';

export { shortSource } from './fields/cloudtrail.ts';

/**
 * Which events a condition can match, for bucketing rules: `names` are eventNames, `sources` are short service
 * names as ct.shortsrc gives them (`kms`; use `shortSource(eventSource)` on the event side). 'any' = no constraint.
 * A superset: `and` intersects, `or` unites, and a `not` makes its subtree unconstrained.
 */
export interface EventIndexKeys {
  readonly names: ReadonlySet<string> | 'any';
  readonly sources: ReadonlySet<string> | 'any';
}

const ANY: EventIndexKeys = { names: 'any', sources: 'any' };
const NAME_FIELDS: ReadonlySet<string> = new Set(['evt.name', 'ct.name']);
const SOURCE_FIELDS: ReadonlySet<string> = new Set(['ct.src', 'ct.shortsrc', 'cloud.service']);

export function eventIndexKeys(expr: Expr): EventIndexKeys {
  switch (expr.kind) {
    case 'check':
      return fromCheck(expr);
    case 'not':
    case 'identifier':
      return ANY;
    case 'and':
      return expr.children.map(eventIndexKeys).reduce((a, b) => ({
        names: intersect(a.names, b.names),
        sources: intersect(a.sources, b.sources),
      }));
    case 'or':
      return expr.children.map(eventIndexKeys).reduce((a, b) => ({
        names: unite(a.names, b.names),
        sources: unite(a.sources, b.sources),
      }));
  }
}

function fromCheck(check: CheckExpr): EventIndexKeys {
  const { field, op, value } = check;
  if (field.kind !== 'field' || field.arg !== undefined || value === undefined) return ANY;
  let literals: readonly string[];
  if ((op === '=' || op === '==') && value.kind === 'string') literals = [value.value];
  else if (op === 'in' && value.kind === 'list') literals = value.items.map((i) => i.value);
  else return ANY;
  if (NAME_FIELDS.has(field.name)) return { names: new Set(literals), sources: 'any' };
  if (SOURCE_FIELDS.has(field.name)) {
    const short = field.name === 'ct.src' ? literals.map(shortSource) : literals;
    return { names: 'any', sources: new Set(short) };
  }
  return ANY;
}

/**
 * Fields whose `=`/`in` on literals the ruleset's (service, name) index decides: evt.name and ct.name read the name an
 * event is filed under, ct.shortsrc and cloud.service its short source (see the ruleset's indexKeys). ct.src is not
 * one of them: several sources can share a short name, so its bucket does not decide it.
 */
const INDEX_DECIDED_FIELDS: ReadonlySet<string> = new Set(['evt.name', 'ct.name', 'ct.shortsrc', 'cloud.service']);

/**
 * The condition without the `and` conjuncts the index has already decided, for an event filed under both a service
 * and a name: `undefined` when nothing else is left (the condition is then true for every event of its buckets).
 * Sound because eventIndexKeys intersects conjuncts: a rule sits in the bucket of (s, n) only when n (s) is in every
 * top-level name (source) conjunct's values, and such an event's evt.name and ct.name are n, ct.shortsrc and
 * cloud.service s. Everything under an `or` or a `not` is kept.
 */
export function withoutIndexDecided(expr: Expr): Expr | undefined {
  if (expr.kind === 'check') {
    const keys = fromCheck(expr);
    const decided =
      expr.field.kind === 'field' &&
      INDEX_DECIDED_FIELDS.has(expr.field.name) &&
      (keys.names !== 'any' || keys.sources !== 'any');
    return decided ? undefined : expr;
  }
  if (expr.kind !== 'and') return expr;
  const kept = expr.children.map(withoutIndexDecided).filter((c): c is Expr => c !== undefined);
  if (kept.length === 0) return undefined;
  if (kept.length === 1) return kept[0];
  return { ...expr, children: kept };
}

function intersect(a: ReadonlySet<string> | 'any', b: ReadonlySet<string> | 'any'): ReadonlySet<string> | 'any' {
  if (a === 'any') return b;
  if (b === 'any') return a;
  return new Set([...a].filter((x) => b.has(x)));
}

function unite(a: ReadonlySet<string> | 'any', b: ReadonlySet<string> | 'any'): ReadonlySet<string> | 'any' {
  if (a === 'any' || b === 'any') return 'any';
  return new Set([...a, ...b]);
}

/**
 * The string equalities a condition requires of every event it matches: for each top-level `and` conjunct of the
 * form `field = "x"` or `field in (x, y)` (a plain field, no argument, no transformer), the field and its allowed
 * values. Exact, not a superset: if the condition is true, the field's value is one of them. The ruleset uses it
 * as a second index level; only string fields may be indexed this way (the caller checks the field's type).
 */
export function equalityConstraints(expr: Expr): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  const visit = (e: Expr): void => {
    if (e.kind === 'and') return e.children.forEach(visit);
    if (e.kind !== 'check') return;
    const { field, op, value } = e;
    if (field.kind !== 'field' || field.arg !== undefined || value === undefined) return;
    let values: ReadonlySet<string>;
    if ((op === '=' || op === '==') && value.kind === 'string') values = new Set([value.value]);
    else if (op === 'in' && value.kind === 'list') values = new Set(value.items.map((i) => i.value));
    else return;
    const known = out.get(field.name);
    out.set(field.name, known === undefined ? values : new Set([...known].filter((v) => values.has(v))));
  };
  visit(expr);
  return out;
}
