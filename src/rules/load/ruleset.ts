import type { DriftFinding } from '../../model/finding.ts';
import type { JsonValue } from '../../model/json.ts';
import type { Priority } from '../../model/priority.ts';
import type { Expr } from '../lang/ast.ts';
import type { CompiledCheck } from '../lang/compile.ts';
import { shortSource, type EventIndexKeys } from '../lang/index.ts';
import { fieldRegistry } from '../lang/fields.ts';
import type { EventContext, FieldDef, RuleSubject } from '../lang/fields.ts';
import type { CompiledOutput } from '../lang/output.ts';
import type { ReadSet } from '../../normalize/read-set.ts';
import { readSetOf } from './read-set.ts';
import { beginEvent, endEvent } from '../lang/compile/memo.ts';

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
  /**
   * The check for an event the index files under both a service and a name: the condition without the conjuncts on
   * evt.name, ct.name, ct.shortsrc and cloud.service that the bucket already guarantees (lang/index.ts
   * withoutIndexDecided). Same answer as `check` there, fewer tests.
   */
  readonly bucketCheck: CompiledCheck;
  readonly output: CompiledOutput;
  readonly keys: EventIndexKeys;
  /** String fields the condition requires to equal one of some values (lang/index.ts equalityConstraints). */
  readonly equalities: ReadonlyMap<string, ReadonlySet<string>>;
  /** The condition with macros, lists and exceptions resolved: what `rules explain` walks. */
  readonly expr: Expr;
  /** Load order: matches are reported in it. */
  readonly order: number;
}

export interface Ruleset {
  /**
   * Every rule that matches, in load order (Falco's `rule_matching: all`, not the default `first`). Each call is one
   * more event of the capture: it numbers the events (evt.num) and remembers the first one's time (evt.reltime), as
   * Falco's inspector does; a new ruleset (a reload) starts a new capture, as a Falco restart does.
   */
  evaluate(subject: DriftFinding): RuleMatch[];
  readonly rules: readonly CompiledRule[];
  /** The records these rules can match: the others are skipped unread (read-set.ts). */
  readonly readSet: ReadSet;
}

/** Event names and sources come from records; past this many pairs we stop caching rather than grow without end. */
const MAX_CACHED_PAIRS = 4096;
/** A bucket this large gets a second index level when enough of its rules pin one string field. */
const SECOND_LEVEL_MIN_RULES = 16;
const SECOND_LEVEL_MIN_PINNED = 8;
/** Distinct values of the second-level field remembered per bucket (merged candidate lists). */
const MAX_CACHED_VALUES = 4096;

type Candidates = (subject: RuleSubject) => readonly CompiledRule[];

/**
 * Rules indexed by (service, event name) from their conditions, so an event is tested only against rules that can
 * match it. Rules whose condition names no event (or no service) sit in every bucket of that dimension. The
 * candidates of a (service, name) pair are computed on first sight, in load order, and reused. A large bucket is
 * split again on the string field most of its rules pin with `=`/`in` (say `user = "ci"`): an event then meets the
 * rules pinned to its value of that field plus the rules that do not pin it, still in load order — never a rule
 * that could match and is left out, because a pinned rule cannot match another value. An event filed under both a
 * service and a name meets each rule's `bucketCheck`: the `evt.name in (…)` its bucket decided is not tested again.
 */
export function createRuleset(rules: readonly CompiledRule[], options: { readonly hostname?: string } = {}): Ruleset {
  const sorted = [...rules].sort((a, b) => a.order - b.order);
  let num = 0;
  let firstTimeMs: number | undefined;
  const buckets = new Map<string, Candidates>();
  // `undefined` leaves that dimension unfiltered.
  const candidatesFor = (service: string | undefined, name: string | undefined): Candidates => {
    const key = `${service ?? '\u0001'}\u0000${name ?? '\u0001'}`;
    const cached = buckets.get(key);
    if (cached !== undefined) return cached;
    const list = sorted.filter(
      (r) =>
        (service === undefined || r.keys.sources === 'any' || r.keys.sources.has(service)) &&
        (name === undefined || r.keys.names === 'any' || r.keys.names.has(name)),
    );
    const bucket = secondLevel(list);
    if (buckets.size < MAX_CACHED_PAIRS) buckets.set(key, bucket);
    return bucket;
  };
  return {
    rules: sorted,
    readSet: readSetOf(sorted),
    evaluate(finding) {
      if (firstTimeMs === undefined) {
        const ms = Date.parse(finding.event.eventTime);
        if (!Number.isNaN(ms)) firstTimeMs = ms;
      }
      const context: EventContext = {
        num: ++num,
        ...(firstTimeMs === undefined ? {} : { firstTimeMs }),
        ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
      };
      const subject: RuleSubject = { ...finding, context };
      const matches: RuleMatch[] = [];
      // Derived fields (memo.ts) are computed once for this subject, whatever number of rules read them.
      beginEvent(subject);
      try {
        const [service, name] = indexKeys(subject);
        const candidates = candidatesFor(service, name)(subject);
        const decided = service !== undefined && name !== undefined;
        for (let i = 0; i < candidates.length; i++) {
          const rule = candidates[i] as CompiledRule;
          if (decided ? rule.bucketCheck(subject) : rule.check(subject)) matches.push(toMatch(rule, subject));
        }
      } finally {
        endEvent();
      }
      return matches;
    },
  };
}

/**
 * The (service, name) an event is filed under. evt.name reads the event's name and ct.name the record's eventName;
 * they agree for every CloudTrail event, and when they do not (a scan finding, a record whose name the event does
 * not carry) that dimension is not used, so no rule that could match is left out. Likewise for the service.
 */
function indexKeys(subject: RuleSubject): [string | undefined, string | undefined] {
  const { event } = subject;
  const recordName = event.record['eventName'];
  const recordSource = event.record['eventSource'];
  const source = typeof recordSource === 'string' ? recordSource : event.eventSource;
  return [
    source === event.eventSource ? shortSource(source) : undefined,
    recordName === event.name ? event.name : undefined,
  ];
}

function secondLevel(list: readonly CompiledRule[]): Candidates {
  const all: Candidates = () => list;
  if (list.length < SECOND_LEVEL_MIN_RULES) return all;
  const pinned = new Set<string>();
  for (const r of list) for (const field of r.equalities.keys()) pinned.add(field);
  // The field that leaves the fewest rules to test in the worst case: those that do not pin it, plus the most
  // rules pinned to one value. Only string fields: their `=`/`in` is exact string equality, so the value decides.
  let best: { def: FieldDef; unpinned: CompiledRule[]; byValue: Map<string, CompiledRule[]> } | undefined;
  let bestCost = list.length / 2;
  for (const field of pinned) {
    const resolved = fieldRegistry.resolve(field, undefined);
    if (!resolved.ok || resolved.def.type !== 'string') continue;
    const unpinned = list.filter((r) => !r.equalities.has(field));
    if (list.length - unpinned.length < SECOND_LEVEL_MIN_PINNED) continue;
    const byValue = new Map<string, CompiledRule[]>();
    for (const r of list) for (const v of r.equalities.get(field) ?? []) byValue.set(v, [...(byValue.get(v) ?? []), r]);
    const cost = unpinned.length + Math.max(0, ...[...byValue.values()].map((rules) => rules.length));
    if (cost < bestCost) {
      best = { def: resolved.def, unpinned, byValue };
      bestCost = cost;
    }
  }
  if (best === undefined) return all;
  const { def, unpinned, byValue } = best;
  const merged = new Map<string, readonly CompiledRule[]>();
  return (subject) => {
    const value = def.extract(subject, undefined);
    if (typeof value !== 'string') return unpinned;
    const cached = merged.get(value);
    if (cached !== undefined) return cached;
    const rules = mergeByOrder(unpinned, byValue.get(value) ?? []);
    if (merged.size < MAX_CACHED_VALUES) merged.set(value, rules);
    return rules;
  };
}

/** Two lists sorted by load order, as one. */
function mergeByOrder(a: readonly CompiledRule[], b: readonly CompiledRule[]): CompiledRule[] {
  const out: CompiledRule[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.order < y.order)) {
      out.push(x as CompiledRule);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** Every rule tested on its own, without the index: the reference the index must agree with. */
export function evaluateAll(rules: readonly CompiledRule[], subject: RuleSubject): RuleMatch[] {
  return rules.filter((r) => r.check(subject)).map((r) => toMatch(r, subject));
}

function toMatch(rule: CompiledRule, subject: RuleSubject): RuleMatch {
  const { text, fields } = rule.output.both(subject);
  return {
    rule: rule.name,
    priority: rule.priority,
    output: text,
    tags: rule.tags,
    source: rule.source,
    outputFields: fields,
  };
}
