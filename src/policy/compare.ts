import type { ActionsWidened, ConditionChange, PolicyDelta } from '../model/finding.ts';
import type { Condition, StatementFacts } from './statements.ts';

/** What changed between Terraform's statements and the statements after the event. */
export interface StatementDelta extends PolicyDelta {
  /** Condition keys that constrained a statement and no longer constrain what took its place. */
  readonly condition_keys_removed: readonly string[];
}

/**
 * Statements have no identity of their own, so a changed statement is linked to what took its place: identical
 * statements are set aside first (unchanged), then a statement is linked to the one with the same Sid, and a statement
 * whose Sid has no partner to every remaining statement of the same effect that shares a principal (`*` shares with
 * all). A condition is removed when a linked successor lacks it — that successor grants (or denies) the same
 * principals without it —, actions are widened when a statement grants more than all it replaced.
 */
export function compareStatements(
  expected: readonly StatementFacts[],
  actual: readonly StatementFacts[],
): StatementDelta {
  const before = withoutCommon(expected, actual);
  const after = withoutCommon(actual, expected);
  const links = link(before, after);

  const conditionsRemoved = new Map<string, ConditionChange>();
  const conditionsAdded = new Map<string, ConditionChange>();
  const keysRemoved = new Set<string>();
  const predecessors = new Map<StatementFacts, StatementFacts[]>();
  for (const [s, t] of links) {
    for (const c of s.conditions) if (!hasCondition(t, c)) put(conditionsRemoved, s.name, c);
    for (const c of t.conditions) if (!hasCondition(s, c)) put(conditionsAdded, t.name, c);
    for (const c of s.conditions) if (!t.conditions.some((x) => x.key === c.key)) keysRemoved.add(c.key);
    predecessors.set(t, [...(predecessors.get(t) ?? []), s]);
  }
  const widened: ActionsWidened[] = [];
  for (const [t, from] of predecessors) {
    if (t.effect !== 'Allow') continue;
    const before = new Set(from.flatMap((s) => [...s.actions]));
    const added = [...t.actions].filter((a) => !before.has(a)).sort();
    if (added.length > 0)
      widened.push({ statement: t.name, principals: t.principals.map((p) => p.id), actions: added });
  }
  const linkedBefore = new Set(links.map(([s]) => s));
  return {
    added_statements: after.filter((t) => !predecessors.has(t)).map((t) => t.statement),
    removed_statements: before.filter((s) => !linkedBefore.has(s)).map((s) => s.statement),
    conditions_removed: [...conditionsRemoved.values()],
    conditions_added: [...conditionsAdded.values()],
    actions_widened: widened,
    condition_keys_removed: [...keysRemoved].sort(),
  };
}

/** `from` without the statements that appear unchanged in `other` (as a multiset: duplicates count). */
function withoutCommon(from: readonly StatementFacts[], other: readonly StatementFacts[]): StatementFacts[] {
  const counts = new Map<string, number>();
  for (const o of other) counts.set(o.text, (counts.get(o.text) ?? 0) + 1);
  return from.filter((s) => {
    const k = s.text;
    const n = counts.get(k) ?? 0;
    if (n === 0) return true;
    counts.set(k, n - 1);
    return false;
  });
}

function link(before: readonly StatementFacts[], after: readonly StatementFacts[]): [StatementFacts, StatementFacts][] {
  const links: [StatementFacts, StatementFacts][] = [];
  const bySid = new Map(after.filter((t) => t.sid !== undefined).map((t) => [t.sid, t]));
  const paired = new Set<StatementFacts>();
  for (const s of before) {
    const t = s.sid === undefined ? undefined : bySid.get(s.sid);
    if (t !== undefined && !paired.has(t)) {
      links.push([s, t]);
      paired.add(s).add(t);
    }
  }
  for (const s of before) {
    if (paired.has(s)) continue;
    for (const t of after) {
      if (!paired.has(t) && t.effect === s.effect && sharePrincipal(s, t)) links.push([s, t]);
    }
  }
  return links;
}

function sharePrincipal(a: StatementFacts, b: StatementFacts): boolean {
  const ids = new Set(a.principals.map((p) => p.id));
  return ids.has('*') || b.principals.some((p) => p.id === '*' || ids.has(p.id));
}

function hasCondition(st: StatementFacts, c: Condition): boolean {
  return st.conditions.some(
    (x) => x.operator === c.operator && x.key === c.key && x.values.join('\0') === c.values.join('\0'),
  );
}

function put(map: Map<string, ConditionChange>, statement: string, c: Condition): void {
  const key = `${statement}\0${c.operator}\0${c.key}\0${c.values.join('\0')}`;
  if (!map.has(key)) map.set(key, { statement, operator: c.operator, key: c.key, values: c.values });
}
