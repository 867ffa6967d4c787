// Generated rules that the KMS stream really evaluates, and a count of what the rules did on a stream. The rule
// index (src/rules/load/ruleset.ts) files a rule under the event names and services its condition pins, and splits
// a large bucket again on a string field its rules pin with `=`/`in`: a rule pinned to a value no event has (the
// old `user = "user-N"`) is never tested, so its cost is the index's lookup, not the rule's. These rules name events
// of the KMS corpus (or none: every KMS event meets them) and test fields whose values vary from event to event, with
// operators the index cannot use (`regex`, `pmatch`, `glob`, `contains`, `startswith`, `endswith`, `icontains`,
// numeric ranges, `intersects`, `not`, lists and `or`), and a share of them match: outputs are rendered, logs built.
import { prng } from './corpus.ts';
import type { RuleSubject } from '../src/rules/lang/fields.ts';
import { createRuleset, type CompiledRule, type Ruleset } from '../src/rules/load/ruleset.ts';

/** The KMS corpus's event names (bench/corpus.ts, AWS's samples). */
const CORPUS_EVENTS = [
  'CreateKey',
  'CreateAlias',
  'DeleteAlias',
  'UpdateAlias',
  'TagResource',
  'UntagResource',
  'EnableKey',
  'DisableKey',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'PutKeyPolicy',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
/** The KMS corpus's first record is at this time (bench/corpus.ts), one record a second. */
const CORPUS_START_S = Date.parse('2026-01-01T00:00:00Z') / 1000;
/** Shapes of rule: rule i has shape i % SHAPES, so the first 10 rules hold one of each. */
export const SHAPES = 10;

/**
 * `n` rules; rule i is the same whatever `n` (its parameters come from a generator seeded with i). Of the ten shapes,
 * three name no event (every KMS event meets them: `cloud.service = kms`) and seven name 1–3 of the corpus's 13
 * events; six can match (about 1% of the events they meet each: a key id's digits, an eventID's prefix, a window of
 * event times), four never do on this corpus (a user, role, agent or Region it does not have) but are still tested.
 * `corpusEvents` is the number of records of the stream (one a second from CORPUS_START_S): the time windows fall in it.
 */
export function generatedRules(n: number, corpusEvents = 18_000): string {
  let text = '- list: bench_admins\n  items: [terraform-ci, break-glass-admin, platform-oncall]\n';
  text +=
    '- macro: bench_console_or_cli\n  condition: (ct.useragent icontains "console" or ct.useragent startswith "aws-cli/")\n';
  for (let i = 0; i < n; i++) {
    const random = prng(i + 1);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const digits = (k: number): string => Array.from({ length: k }, () => String(Math.floor(random() * 10))).join('');
    const names = (): string => {
      const chosen = new Set<string>();
      const k = 1 + Math.floor(random() * 3);
      while (chosen.size < k) chosen.add(pick(CORPUS_EVENTS));
      return `evt.name in (${[...chosen].join(', ')})`;
    };
    // eventIDs start with the record's number in 8 hex digits: "0000" + 2 hex digits is 256 records.
    const idPrefix = `0000${Math.floor(random() * Math.max(1, Math.floor(corpusEvents / 256)))
      .toString(16)
      .padStart(2, '0')}`;
    const word = pick(WORDS);
    let condition: string;
    switch (i % SHAPES) {
      case 0: // 1% of the keys: the last two digits of the key id
        condition = `${names()} and not drift.by_terraform and resource endswith "${digits(2)}"`;
        break;
      case 1: // a role or user the corpus does not have
        condition = `${names()} and not drift.by_terraform and ct.user.arn regex "arn:aws:iam::[0-9]{12}:(user|role)/(ops|sec)-${word}-[a-z0-9]+"`;
        break;
      case 2: // every event; 1% of the keys, by a glob in one component of the ARN
        condition = `cloud.service = kms and resource pmatch (arn:aws:kms:us-west-2:111122223333:key/*-00000000${digits(2)}[0-9][0-9], arn:aws:kms:eu-west-1:*:key/${word}-*)`;
        break;
      case 3: // Regions and identity types the corpus does not have
        condition = `${names()} and (ct.region in (eu-west-1, eu-central-1, ap-southeast-2) or ct.user.identitytype = AssumedRole) and not tf.address exists`;
        break;
      case 4: // 256 of the stream's records, among those that changed one of these attributes
        condition = `${names()} and drift.changed intersects (policy, tags, description, key_state, enable_key_rotation, alias_name) and ct.id startswith "${idPrefix}"`;
        break;
      case 5: {
        // a window of 200 seconds of event time: 200 records of the stream
        const from = CORPUS_START_S + Math.floor(random() * Math.max(1, corpusEvents - 200));
        condition = `${names()} and evt.rawtime.s >= ${from} and evt.rawtime.s < ${from + 200}`;
        break;
      }
      case 6: // every event; a user agent the corpus does not have
        condition = `cloud.service = kms and not ct.user.identitytype in (AssumedRole, AWSService) and bench_console_or_cli and ct.useragent icontains "terraform-${word}"`;
        break;
      case 7: // 1% of the keys: the first two digits of the key id's number
        condition = `${names()} and not user in (bench_admins) and resource contains "-00000000${digits(2)}"`;
        break;
      case 8: // a service user the corpus does not have
        condition = `${names()} and ct.user glob "*-svc-${word}" and drift.detected = true`;
        break;
      default: // every event that changed or deleted something; 256 records by a regex on the eventID
        condition = `cloud.service = kms and drift.type in (modified, deleted) and ct.id regex "${idPrefix}[0-9a-f]{2}-[0-9a-f-]+"`;
    }
    text +=
      `- rule: generated_${i}\n  desc: generated\n  condition: >\n    ${condition}\n` +
      `  output: "generated ${i}: %evt.name by %user (%ct.user.arn) on %resource (%tf.address) in %ct.region, changed %drift.changed at %ct.time"\n` +
      `  priority: ${i % 2 === 0 ? 'notice' : 'warning'}\n`;
  }
  return text;
}

/** What the rules did: condition checks (one rule's condition tested on one event) and matches, in all and by rule. */
export interface RuleCounts {
  checks: number;
  matches: number;
  readonly checked: Set<string>;
  readonly matched: Set<string>;
}

/**
 * The same rules with each condition counted: a ruleset of its own (createRuleset indexes it exactly as the loaded
 * one), used for one uncounted pass beside the timed ones, so the timed path runs the rules as production does.
 */
export function countingRuleset(ruleset: Ruleset): { ruleset: Ruleset; counts: RuleCounts } {
  const counts: RuleCounts = { checks: 0, matches: 0, checked: new Set(), matched: new Set() };
  // Both checks are counted: the ruleset tests an event the index filed by service and name with bucketCheck.
  const counted =
    (rule: CompiledRule, check: CompiledRule['check']): CompiledRule['check'] =>
    (subject: RuleSubject) => {
      counts.checks++;
      counts.checked.add(rule.name);
      const hit = check(subject);
      if (hit) {
        counts.matches++;
        counts.matched.add(rule.name);
      }
      return hit;
    };
  const rules = ruleset.rules.map((rule): CompiledRule => ({
    ...rule,
    check: counted(rule, rule.check),
    bucketCheck: counted(rule, rule.bucketCheck),
  }));
  return { ruleset: createRuleset(rules), counts };
}
