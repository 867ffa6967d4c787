import { readFile, realpath } from 'node:fs/promises';
import { createCore, fixedState } from '../app.ts';
import type { DeclaredIndex } from '../model/declared.ts';
import type { JsonValue } from '../model/json.ts';
import { formatProblem } from '../model/problem.ts';
import type { Ruleset } from '../rules/load/ruleset.ts';
import { inside, type RuleTestCase } from '../rules/testing/cases.ts';
import { loadStates } from '../terraform/load-states.ts';
import type { CliIo } from './replay.ts';
import { checkRuleFiles, notEvaluated } from './rules-check.ts';
import { READ_ALL } from '../normalize/read-set.ts';

/**
 * `kms-drift rules test PATH…`: loads the rules of PATH… and runs the `- test:` items found in the same files.
 * Prints PASS/FAIL per case (with the expected and actual output when they differ); exit 1 on a failure. A case
 * whose event the pipeline did not evaluate (a skipped or invalid record) fails, whatever it expects.
 */
export async function testRules(paths: readonly string[], io: CliIo): Promise<number> {
  const checked = await checkRuleFiles(paths);
  const errors = checked.problems.filter((p) => p.severity === 'error');
  for (const p of errors) io.out(formatProblem(p));
  if (errors.length > 0) return 1;
  const states = new Map<string, DeclaredIndex>();
  let passed = 0;
  let failed = 0;
  for (const c of checked.cases) {
    const verdict = await runCase(c, checked.ruleset, states);
    if (verdict.length === 0) {
      passed++;
      io.out(`PASS ${c.name}`);
    } else {
      failed++;
      io.out(`FAIL ${c.name} (${c.where})`);
      for (const line of verdict) io.out(`     ${line}`);
    }
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 || checked.cases.length === 0 ? 1 : 0;
}

async function runCase(c: RuleTestCase, ruleset: Ruleset, states: Map<string, DeclaredIndex>): Promise<string[]> {
  const base = c.dir;
  let index: DeclaredIndex | undefined = c.state === undefined ? undefined : states.get(c.state);
  if (index === undefined) {
    const escape = c.state === undefined ? undefined : await leaves(base, c.state);
    if (escape !== undefined) return [`state ${escape}`];
    const loaded = await loadStates(c.state === undefined ? [] : [c.state]);
    if (loaded.problems.some((p) => p.severity === 'error')) return loaded.problems.map(formatProblem);
    index = loaded.index;
    if (c.state !== undefined) states.set(c.state, index);
  }
  const event = 'inline' in c.event ? { value: c.event.inline } : await readEvent(base, c.event.file);
  if ('error' in event) return [`cannot read the event: ${event.error}`];
  // Every record is read, not only the rules' read set: a case shows what the rule makes of its record (no rule
  // can match a record outside the read set, so this changes no verdict).
  const core = createCore({ ruleset, terraformPrincipals: [], readSet: READ_ALL, ...c.settings }, fixedState(index));
  const outcome = core.processPayload(event.value);
  if (outcome.events.length === 0) return notEvaluated(outcome);
  const hits = outcome.logs.filter((l) => l.log['rule'] === c.rule);
  const errors = outcome.problems.map(formatProblem);
  if (!c.expect)
    return hits.length === 0 ? [] : [`expected rule ${c.rule} not to match; it did: ${hits[0]?.msg ?? ''}`, ...errors];
  if (hits.length === 0)
    return [
      `expected rule ${c.rule} to match; it did not (rules that matched: ${outcome.logs.map((l) => String(l.log['rule'])).join(', ') || 'none'})`,
      ...errors,
    ];
  if (c.output !== undefined && !hits.some((h) => h.msg === c.output)) {
    return ['output differs:', `- expected: ${c.output}`, `+ actual:   ${hits[0]?.msg ?? ''}`];
  }
  return [];
}

/**
 * A message when `path`, followed through symbolic links, is outside `base` (the rules file's directory, also
 * resolved); the loader already refused paths that leave it as written.
 */
async function leaves(base: string, path: string): Promise<string | undefined> {
  try {
    const [realBase, real] = await Promise.all([realpath(base), realpath(path)]);
    return inside(realBase, real) ? undefined : `${path} leads outside the rules file's directory`;
  } catch {
    return undefined; // a missing file is reported by whoever reads it, with its own message
  }
}

async function readEvent(base: string, file: string): Promise<{ value: JsonValue } | { error: string }> {
  const escape = await leaves(base, file);
  if (escape !== undefined) return { error: escape };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err: unknown) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    // Not the parser's message: it quotes the file's first bytes, and the file may hold anything.
    return { error: `${file} is not valid JSON` };
  }
}
