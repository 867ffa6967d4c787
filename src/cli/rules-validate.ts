import { formatProblem } from '../model/problem.ts';
import type { CliIo } from './replay.ts';
import { checkRuleFiles } from './rules-check.ts';

/**
 * Every problem of every file at once, `file:line:col CODE message`; exit 1 when one is an error. The checks are
 * those of `rules test` (the `- test:` items included), so a file that validates is one `rules test` can run.
 */
export async function validateRules(paths: readonly string[], io: CliIo): Promise<number> {
  const { problems } = await checkRuleFiles(paths);
  for (const p of problems) io.out(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  io.err(`kms-drift rules validate: ${errors} error(s), ${problems.length - errors} warning(s)`);
  return errors > 0 ? 1 : 0;
}
