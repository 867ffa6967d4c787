import { createCore, type Core } from '../app.ts';
import type { Priority } from '../model/priority.ts';
import type { Problem } from '../model/problem.ts';
import { loadStates, type S3StateReader } from '../terraform/load-states.ts';
import { ReloadingState } from '../terraform/reloading-state.ts';
import { loadRuleFiles } from './load-rule-files.ts';
import type { Ruleset } from '../rules/load/ruleset.ts';
import type { ComplianceSettings } from '../model/compliance.ts';
import type { ReadSet } from '../normalize/read-set.ts';

export interface SetupOptions extends Partial<ComplianceSettings> {
  readonly states: readonly string[];
  readonly rules: readonly string[];
  readonly terraformPrincipals: readonly string[];
  readonly minPriority?: Priority;
  /** The daemon classifies break-glass over its store: the core holds those events (app.ts `holdBreakGlass`). */
  readonly holdBreakGlass?: boolean;
  /** Which records become events; default the loaded rules' read set (app.ts `readSet`). */
  readonly readSet?: ReadSet;
}

/** Rules and states loaded, the core built: what replay and the daemon share. Errors mean: do not start. */
export async function setupCore(
  options: SetupOptions,
  s3?: S3StateReader,
): Promise<{ core: Core; ruleset: Ruleset; state: ReloadingState; problems: Problem[]; ok: boolean }> {
  const rules = await loadRuleFiles(options.rules, options.minPriority);
  const loaded = await loadStates(options.states, s3);
  const problems = [...rules.problems, ...loaded.problems];
  const state = new ReloadingState(loaded, options.states, s3);
  const core = createCore(
    {
      ruleset: rules.ruleset,
      terraformPrincipals: options.terraformPrincipals,
      ...(options.minPriority === undefined ? {} : { minPriority: options.minPriority }),
      ...(options.holdBreakGlass === true ? { holdBreakGlass: true } : {}),
      ...(options.readSet === undefined ? {} : { readSet: options.readSet }),
      ...compliance(options),
    },
    state,
  );
  return { core, ruleset: rules.ruleset, state, problems, ok: !problems.some((p) => p.severity === 'error') };
}

/** Only the compliance settings that are set (a Config carries all of them; replay's options only those given). */
function compliance(options: Partial<ComplianceSettings>): Partial<ComplianceSettings> {
  const out: { -readonly [K in keyof ComplianceSettings]?: ComplianceSettings[K] } = {};
  if (options.allowedAccounts !== undefined) out.allowedAccounts = options.allowedAccounts;
  if (options.emergencyPrincipals !== undefined) out.emergencyPrincipals = options.emergencyPrincipals;
  if (options.recoveryPrincipals !== undefined) out.recoveryPrincipals = options.recoveryPrincipals;
  if (options.recoveryWindowDays !== undefined) out.recoveryWindowDays = options.recoveryWindowDays;
  return out;
}
