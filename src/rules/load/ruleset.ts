import type { DriftFinding } from '../../model/finding.ts';
import type { JsonValue } from '../../model/json.ts';
import type { Priority } from '../../model/priority.ts';
import type { Expr } from '../lang/ast.ts';
import type { CompiledCheck } from '../lang/compile.ts';
import { shortSource, type EventIndexKeys } from '../lang/index.ts';
import type { CompiledOutput } from '../lang/output.ts';

/** One rule that matched a finding: Falco's alert keys (the drift log adds the finding's own). */
export interface RuleMatch {
  readonly rule: string;
  readonly priority: Priority;
  readonly output: string;
  readonly tags: readonly string[];
  readonly source: string;
  /** Every `%field` of the output with its typed value, null when absent (Falco's `output_fields`). */
  readonly outputFields: Readonly<Record<string, JsonValue | null>>;
}

export interface CompiledRule {
  readonly name: string;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly source: string;
  readonly check: CompiledCheck;
  readonly output: CompiledOutput;
  readonly keys: EventIndexKeys;
  /** The condition with macros, lists and exceptions resolved: what `rules explain` walks. */
  readonly expr: Expr;
  /** Load order: matches are reported in it. */
  readonly order: number;
}

export interface Ruleset {
  /** Every rule that matches, in load order (Falco's `rule_matching: all`, not the default `first`). */
  evaluate(subject: DriftFinding): RuleMatch[];
  readonly rules: readonly CompiledRule[];
}

/** Event names and sources come from records; past this many pairs we stop caching rather than grow without end. */
const MAX_CACHED_PAIRS = 4096;

/**
 * Rules indexed by (service, event name) from their conditions, so an event is tested only against rules that can
 * match it. Rules whose condition names no event (or no service) sit in every bucket of that dimension. The
 * candidates of a (service, name) pair are computed on first sight, in load order, and reused.
 */
export function createRuleset(rules: readonly CompiledRule[]): Ruleset {
  const sorted = [...rules].sort((a, b) => a.order - b.order);
  const candidates = new Map<string, readonly CompiledRule[]>();
  const candidatesFor = (service: string, name: string): readonly CompiledRule[] => {
    const key = `${service}\u0000${name}`;
    const cached = candidates.get(key);
    if (cached !== undefined) return cached;
    const list = sorted.filter(
      (r) =>
        (r.keys.sources === 'any' || r.keys.sources.has(service)) && (r.keys.names === 'any' || r.keys.names.has(name)),
    );
    if (candidates.size < MAX_CACHED_PAIRS) candidates.set(key, list);
    return list;
  };
  return {
    rules: sorted,
    evaluate(subject) {
      const matches: RuleMatch[] = [];
      for (const rule of candidatesFor(shortSource(subject.event.eventSource), subject.event.name)) {
        if (rule.check(subject)) matches.push(toMatch(rule, subject));
      }
      return matches;
    },
  };
}

/** Every rule tested on its own, without the index: the reference the index must agree with. */
export function evaluateAll(rules: readonly CompiledRule[], subject: DriftFinding): RuleMatch[] {
  return rules.filter((r) => r.check(subject)).map((r) => toMatch(r, subject));
}

function toMatch(rule: CompiledRule, subject: DriftFinding): RuleMatch {
  const fields: Record<string, JsonValue | null> = {};
  for (const [name, value] of Object.entries(rule.output.fields(subject)))
    fields[name] = value === null ? null : typeof value === 'object' ? [...value] : value;
  return {
    rule: rule.name,
    priority: rule.priority,
    output: rule.output.render(subject),
    tags: rule.tags,
    source: rule.source,
    outputFields: fields,
  };
}
