import { createCore, fixedState, type Core } from '../app.ts';
import type { DeclaredIndex } from '../model/declared.ts';
import type { Priority } from '../model/priority.ts';
import type { Problem } from '../model/problem.ts';
import { loadStates } from '../terraform/load-states.ts';
import { loadRuleFiles } from './load-rule-files.ts';

export interface SetupOptions {
  readonly states: readonly string[];
  readonly rules: readonly string[];
  readonly terraformPrincipals: readonly string[];
  readonly minPriority?: Priority;
}

/** Rules and states loaded, the core built: what replay and the daemon share. Errors mean: do not start. */
export async function setupCore(
  options: SetupOptions,
): Promise<{ core: Core; index: DeclaredIndex; problems: Problem[]; ok: boolean }> {
  const rules = await loadRuleFiles(options.rules, options.minPriority);
  const states = await loadStates(options.states);
  const problems = [...rules.problems, ...states.problems];
  const core = createCore(
    {
      ruleset: rules.ruleset,
      terraformPrincipals: options.terraformPrincipals,
      ...(options.minPriority === undefined ? {} : { minPriority: options.minPriority }),
    },
    fixedState(states.index),
  );
  return { core, index: states.index, problems, ok: !problems.some((p) => p.severity === 'error') };
}
