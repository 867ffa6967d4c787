import { readFile } from 'node:fs/promises';
import { createCore, fixedState } from '../app.ts';
import type { DeclaredIndex } from '../model/declared.ts';
import type { JsonValue } from '../model/json.ts';
import { formatProblem, type Problem } from '../model/problem.ts';
import { readRuleFiles } from '../rules/load/files.ts';
import { loadRules } from '../rules/load/load.ts';
import { readTestCases, type RuleTestCase } from '../rules/testing/cases.ts';
import { loadStates } from '../terraform/load-states.ts';
import type { CliIo } from './replay.ts';

/**
 * `kms-drift rules test PATH…`: loads the rules of PATH… and runs the `- test:` items found in the same files.
 * Prints PASS/FAIL per case (with the expected and actual output when they differ); exit 1 on a failure.
 */
export async function testRules(paths: readonly string[], io: CliIo): Promise<number> {
  const files = await readRuleFiles(paths);
  const loaded = loadRules(files.files);
  const problems: Problem[] = [...files.problems, ...loaded.problems.filter((p) => p.severity === 'error')];
  const cases = files.files.flatMap((f) => readTestCases(f, problems));
  for (const p of problems) io.out(formatProblem(p));
  if (problems.length > 0) return 1;
  const states = new Map<string, DeclaredIndex>();
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    const verdict = await runCase(c, loaded.ruleset, states);
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
  return failed > 0 || cases.length === 0 ? 1 : 0;
}

async function runCase(
  c: RuleTestCase,
  ruleset: Parameters<typeof createCore>[0]['ruleset'],
  states: Map<string, DeclaredIndex>,
): Promise<string[]> {
  let index: DeclaredIndex | undefined = c.state === undefined ? undefined : states.get(c.state);
  if (index === undefined) {
    const loaded = await loadStates(c.state === undefined ? [] : [c.state]);
    if (loaded.problems.some((p) => p.severity === 'error')) return loaded.problems.map(formatProblem);
    index = loaded.index;
    if (c.state !== undefined) states.set(c.state, index);
  }
  let event: JsonValue;
  try {
    event = 'inline' in c.event ? c.event.inline : (JSON.parse(await readFile(c.event.file, 'utf8')) as JsonValue);
  } catch (err: unknown) {
    return [`cannot read the event: ${err instanceof Error ? err.message : String(err)}`];
  }
  const core = createCore({ ruleset, terraformPrincipals: [], ...c.settings }, fixedState(index));
  const outcome = core.processPayload(event);
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
