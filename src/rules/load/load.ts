import { atLeast, type Priority } from '../../model/priority.ts';
import type { Problem } from '../../model/problem.ts';
import { compileCondition } from '../lang/compile.ts';
import { fieldRegistry } from '../lang/fields.ts';
import { eventIndexKeys } from '../lang/index.ts';
import { compileOutput } from '../lang/output.ts';
import { Collector } from './collector.ts';
import { readItems } from './items.ts';
import { parseText, resolve, withExceptions, type Located, type ResolveContext } from './resolve.ts';
import { createRuleset, type CompiledRule, type Ruleset } from './ruleset.ts';
import type { SourceText } from './text.ts';

export interface LoadOptions {
  /** Rules less severe than this are not loaded (Falco's `priority` setting). */
  readonly minPriority?: Priority;
}

/**
 * Rules files, in order, to a compiled ruleset and EVERY problem of every file (Falco stops at the first).
 * Pure: the caller reads the files.
 */
export function loadRules(
  files: readonly { readonly path: string; readonly text: string }[],
  options: LoadOptions = {},
): { ruleset: Ruleset; problems: Problem[] } {
  const collector = new Collector();
  const problems: Problem[] = [];
  for (const file of files) for (const item of readItems(file.path, file.text, problems)) collector.add(item);
  problems.push(...collector.problems);

  const ctx: ResolveContext = {
    lists: collector.lists,
    macros: collector.macros,
    origins: new Map(),
    usedLists: new Set(),
    usedMacros: new Set(),
    parsedMacros: new Map(),
  };
  const located: Located[] = [];
  // Every macro is checked on its own, so an error inside one is reported once, where it is written.
  for (const macro of collector.macros.values()) {
    const parsed = parseText(macro.condition, ctx);
    ctx.parsedMacros.set(macro.name, parsed);
    if (!('kind' in parsed)) {
      located.push({ error: parsed, text: macro.condition });
      continue;
    }
    const resolved = resolve(parsed, macro.order, ctx, [macro.name], located);
    const compiled = compileCondition(resolved, fieldRegistry);
    if (!compiled.ok)
      for (const e of compiled.errors) located.push({ error: e, text: ctx.origins.get(e.pos) ?? macro.condition });
  }
  const macroErrors = located.length;

  const compiled: CompiledRule[] = [];
  for (const rule of collector.rules.values()) {
    const ruleErrors: Located[] = [];
    const parsed = parseText(rule.condition, ctx);
    if (!('kind' in parsed)) {
      located.push({ error: parsed, text: rule.condition });
      continue;
    }
    const resolved = withExceptions(resolve(parsed, Infinity, ctx, [], ruleErrors), rule.exceptions, ctx, ruleErrors);
    const check = compileCondition(resolved, fieldRegistry);
    const output = compileOutput(rule.output.text, fieldRegistry);
    if (!check.ok)
      for (const e of check.errors) ruleErrors.push({ error: e, text: ctx.origins.get(e.pos) ?? rule.condition });
    const outputErrors = output.ok ? [] : output.errors.map((e) => ({ error: e, text: rule.output }));
    const all = [...ruleErrors, ...outputErrors];
    if (all.length > 0) {
      if (rule.skipIfUnknownFilter && all.every((e) => /nonexistent field|unknown field/i.test(e.error.message))) {
        problems.push({ ...toProblem(all[0] as Located, 'LOAD_UNKNOWN_FILTER'), severity: 'warning' });
        continue;
      }
      for (const e of ruleErrors) located.push(e);
      for (const e of outputErrors) problems.push(toProblem(e, 'LOAD_ERR_COMPILE_OUTPUT'));
      continue;
    }
    // Disabled and below-threshold rules are still compiled and validated, as in Falco; they just do not run.
    if (!rule.enabled || (options.minPriority !== undefined && !atLeast(rule.priority, options.minPriority))) continue;
    if (!check.ok || !output.ok) continue;
    compiled.push({
      name: rule.name,
      priority: rule.priority,
      tags: [...rule.tags].sort(),
      source: rule.source,
      check: check.check,
      output: output.output,
      keys: eventIndexKeys(resolved),
      expr: resolved,
      order: rule.order,
    });
  }

  for (const [i, e] of located.entries()) {
    const undefinedName = /^Undefined (macro|list)/.test(e.error.message);
    problems.push(toProblem(e, undefinedName || i < macroErrors ? 'LOAD_ERR_VALIDATE' : 'LOAD_ERR_COMPILE_CONDITION'));
  }
  for (const macro of collector.macros.values()) {
    if (!ctx.usedMacros.has(macro.name))
      problems.push(
        unused('LOAD_UNUSED_MACRO', `Macro '${macro.name}' not referred to by any other rule/macro`, macro.pos),
      );
  }
  for (const list of collector.lists.values()) {
    if (!ctx.usedLists.has(list.name))
      problems.push(
        unused('LOAD_UNUSED_LIST', `List '${list.name}' not referred to by any other rule/macro`, list.pos),
      );
  }
  return { ruleset: createRuleset(compiled), problems: dedupe(problems) };
}

function toProblem(e: Located, code: Problem['code']): Problem {
  const at = (e.text as SourceText).posAt(e.error.pos.offset);
  return { code, severity: 'error', source: at.file, line: at.line, column: at.col, message: e.error.message };
}

function unused(code: Problem['code'], message: string, pos: { file: string; line: number; col: number }): Problem {
  return { code, severity: 'warning', source: pos.file, line: pos.line, column: pos.col, message };
}

/** A macro used by several rules would otherwise report its error once per rule. */
function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.source}:${p.line}:${p.column}:${p.code}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
