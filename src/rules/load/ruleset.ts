import type { DriftFinding } from '../../model/finding.ts';
import type { JsonValue } from '../../model/json.ts';
import type { Priority } from '../../model/priority.ts';
import type { RuleHit } from '../../sinks/drift-log.ts';
import type { CompiledCheck } from '../lang/compile.ts';
import type { CompiledOutput } from '../lang/output.ts';
import type { Expr } from '../lang/ast.ts';
import { shortSource, type EventIndexKeys } from '../lang/index.ts';

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
  /** Every rule that matches, in load order (Falco's `rule_matching: all`). */
  evaluate(subject: DriftFinding): RuleHit[];
  readonly rules: readonly CompiledRule[];
}

/**
 * Rules indexed by (service, event name) from their conditions, so an event is tested only against rules that can
 * match it; the candidate list of each (service, name) pair is built once, on first sight, in load order.
 */
export function createRuleset(rules: readonly CompiledRule[]): Ruleset {
  const sorted = [...rules].sort((a, b) => a.order - b.order);
  const candidates = new Map<string, readonly CompiledRule[]>();
  const candidatesFor = (service: string, name: string): readonly CompiledRule[] => {
    const key = `${service}\u0000${name}`;
    let list = candidates.get(key);
    if (list === undefined) {
      list = sorted.filter(
        (r) =>
          (r.keys.sources === 'any' || r.keys.sources.has(service)) &&
          (r.keys.names === 'any' || r.keys.names.has(name)),
      );
      candidates.set(key, list);
    }
    return list;
  };
  return {
    rules: sorted,
    evaluate(subject) {
      const hits: RuleHit[] = [];
      for (const rule of candidatesFor(shortSource(subject.event.eventSource), subject.event.name)) {
        if (!rule.check(subject)) continue;
        hits.push({
          rule: rule.name,
          priority: rule.priority,
          output: rule.output.render(subject),
          tags: rule.tags,
          source: rule.source,
          outputFields: rule.output.fields(subject) as Record<string, JsonValue | null>,
        });
      }
      return hits;
    },
  };
}
