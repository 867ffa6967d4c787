import { hostname } from 'node:os';
import { readRuleFiles } from '../rules/load/files.ts';
import { loadRules } from '../rules/load/load.ts';
import type { Priority } from '../model/priority.ts';
import { BUNDLED_RULES } from './paths.ts';

/** `--rules` replaces the bundled rules; without it, the bundled `rules/` directory is loaded. */
export async function loadRuleFiles(paths: readonly string[], minPriority?: Priority) {
  const files = await readRuleFiles(paths.length > 0 ? paths : [BUNDLED_RULES]);
  const loaded = loadRules(files.files, {
    hostname: hostname(),
    ...(minPriority === undefined ? {} : { minPriority }),
  });
  return { ruleset: loaded.ruleset, problems: [...files.problems, ...loaded.problems] };
}
