import { hostname } from 'node:os';
import { formatProblem, type Problem, type SkipReason } from '../model/problem.ts';
import { readRuleFiles } from '../rules/load/files.ts';
import { loadRules } from '../rules/load/load.ts';
import type { Ruleset } from '../rules/load/ruleset.ts';
import { readTestCases, type RuleTestCase } from '../rules/testing/cases.ts';

export interface CheckedRuleFiles {
  readonly ruleset: Ruleset;
  readonly cases: readonly RuleTestCase[];
  /** Reading, loading and the `- test:` items, in that order: what `rules validate` prints. */
  readonly problems: readonly Problem[];
}

/**
 * The one set of checks of `rules validate` and `rules test`: read the files, load the rules, read the test items.
 * So a file `rules validate` accepts is one `rules test` can run.
 */
export async function checkRuleFiles(paths: readonly string[]): Promise<CheckedRuleFiles> {
  const files = await readRuleFiles(paths);
  const loaded = loadRules(files.files, { hostname: hostname() });
  const caseProblems: Problem[] = [];
  const cases = files.files.flatMap((f) => readTestCases(f, caseProblems));
  return { ruleset: loaded.ruleset, cases, problems: [...files.problems, ...loaded.problems, ...caseProblems] };
}

/** Why no rule saw the event: the skip reasons and problems the pipeline reported. */
export function notEvaluated(outcome: {
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly problems: readonly Problem[];
}): string[] {
  const skipped = Object.entries(outcome.skipped).map(([reason, n]) => (n === 1 ? reason : `${reason} ×${n}`));
  const why = skipped.length > 0 ? `the record was skipped (${skipped.join(', ')})` : 'the record was not usable';
  return [`not evaluated: ${why}; no rule saw it`, ...outcome.problems.map(formatProblem)];
}
