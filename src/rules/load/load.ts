import { atLeast, type Priority } from '../../model/priority.ts';
import type { Problem } from '../../model/problem.ts';
import type { Expr } from '../lang/ast.ts';
import { compileCondition, type CompiledCheck } from '../lang/compile.ts';
import { fieldRegistry } from '../lang/fields.ts';
import { equalityConstraints, eventIndexKeys, withoutIndexDecided } from '../lang/index.ts';
import { compileOutput } from '../lang/output.ts';
import { Collector } from './collector.ts';
import type { RuleDef } from './defs.ts';
import { withExceptions } from './exception-ast.ts';
import { readItems } from './items.ts';
import { warning } from './problems.ts';
import { parseText, resolve, type LocatedError, type ResolveContext } from './resolve.ts';
import { createRuleset, type CompiledRule, type Ruleset } from './ruleset.ts';

export interface LoadOptions {
  /** Rules less severe than this are not loaded (Falco's `priority` setting). */
  readonly minPriority?: Priority;
  /** evt.hostname: the host the rules run on (the caller knows it; loading is pure). */
  readonly hostname?: string;
}

export interface RuleFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Rules files, in order, to a compiled ruleset and EVERY problem of every file (Falco stops at the first).
 * Pure: the caller reads the files. Each problem has the file and the 1-based line and column of its cause.
 */
export function loadRules(
  files: readonly RuleFile[],
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
  const errors: LocatedError[] = [];
  // Every macro is parsed and its macro and list names resolved on its own, so such an error is reported once, where
  // it is written, even when no rule uses it. Its fields are compiled only as part of the rules that use it, as in
  // Falco: an unused macro may name another source's fields (`ka.*`) and is then only LOAD_UNUSED_MACRO.
  for (const macro of collector.macros.values()) {
    const parsed = parseText(macro.condition, ctx);
    ctx.parsedMacros.set(macro.name, parsed);
    if (!('kind' in parsed)) {
      errors.push({ error: parsed, text: macro.condition });
      continue;
    }
    resolve(parsed, macro.order, ctx, [macro.name], errors);
  }

  const compiled: CompiledRule[] = [];
  for (const rule of collector.rules.values()) {
    const result = compileRule(rule, ctx);
    if ('skipped' in result) {
      problems.push(result.skipped);
      continue;
    }
    problems.push(...result.outputWarnings);
    if ('errors' in result) {
      errors.push(...result.errors);
      problems.push(...result.outputProblems);
      continue;
    }
    // Disabled and below-threshold rules are still compiled and validated, as in Falco; they just do not run.
    if (!rule.enabled || (options.minPriority !== undefined && !atLeast(rule.priority, options.minPriority))) continue;
    compiled.push(result.rule);
  }

  for (const e of errors)
    problems.push(toProblem(e, isValidateError(e) ? 'LOAD_ERR_VALIDATE' : 'LOAD_ERR_COMPILE_CONDITION'));
  for (const macro of collector.macros.values()) {
    if (!ctx.usedMacros.has(macro.name))
      problems.push(
        warning('LOAD_UNUSED_MACRO', macro.pos, `Macro '${macro.name}' not referred to by any other rule/macro`),
      );
  }
  for (const list of collector.lists.values()) {
    if (!ctx.usedLists.has(list.name))
      problems.push(
        warning('LOAD_UNUSED_LIST', list.pos, `List '${list.name}' not referred to by any other rule/macro`),
      );
  }
  const ruleset = createRuleset(compiled, options.hostname === undefined ? {} : { hostname: options.hostname });
  return { ruleset, problems: inFileOrder(dedupe(problems), files) };
}

type RuleResult = { readonly outputWarnings: readonly Problem[] } & (
  | { readonly rule: CompiledRule }
  | { readonly skipped: Problem }
  | { readonly errors: readonly LocatedError[]; readonly outputProblems: readonly Problem[] }
);

function compileRule(rule: RuleDef, ctx: ResolveContext): RuleResult {
  const errors: LocatedError[] = [];
  const parsed = parseText(rule.condition, ctx);
  if (!('kind' in parsed))
    return { errors: [{ error: parsed, text: rule.condition }], outputProblems: [], outputWarnings: [] };
  const resolved = withExceptions(resolve(parsed, Infinity, ctx, [], errors), rule.exceptions, ctx, errors);
  const check = compileCondition(resolved, fieldRegistry);
  if (!check.ok)
    for (const e of check.errors) errors.push({ error: e, text: ctx.origins.get(e.pos) ?? rule.condition });
  const output = compileOutput(rule.output.text, fieldRegistry);
  const outputErrors: LocatedError[] = output.ok ? [] : output.errors.map((e) => ({ error: e, text: rule.output }));
  const outputWarnings = output.ok
    ? output.warnings.map((e) => ({
        ...toProblem({ error: e, text: rule.output }, 'LOAD_COMPILE_OUTPUT'),
        severity: 'warning' as const,
      }))
    : [];
  if (check.ok && output.ok && errors.length === 0) {
    return {
      outputWarnings,
      rule: {
        name: rule.name,
        priority: rule.priority,
        tags: [...rule.tags].sort(),
        source: rule.source,
        check: check.check,
        bucketCheck: bucketCheck(resolved, check.check),
        output: output.output,
        keys: eventIndexKeys(resolved),
        equalities: equalityConstraints(resolved),
        expr: resolved,
        order: rule.order,
      },
    };
  }
  const all = [...errors, ...outputErrors];
  if (rule.skipIfUnknownFilter && all.every((e) => UNKNOWN_FIELD.test(e.error.message))) {
    const first = all[0] as LocatedError;
    return { skipped: { ...toProblem(first, 'LOAD_UNKNOWN_FILTER'), severity: 'warning' }, outputWarnings: [] };
  }
  return { errors, outputProblems: outputErrors.map((e) => toProblem(e, 'LOAD_ERR_COMPILE_OUTPUT')), outputWarnings };
}

/** The check an event filed under a service and a name meets (CompiledRule.bucketCheck). */
function bucketCheck(resolved: Expr, full: CompiledCheck): CompiledCheck {
  const rest = withoutIndexDecided(resolved);
  if (rest === undefined) return () => true;
  if (rest === resolved) return full;
  // A part of a condition that compiled compiles; the full check stays right if it ever did not.
  const compiled = compileCondition(rest, fieldRegistry);
  return compiled.ok ? compiled.check : full;
}

// The language's wording for a field it does not know, in conditions and outputs.
const UNKNOWN_FIELD = /nonexistent field|unknown field|not a supported filter field/i;

/** Falco's LOAD_ERR_VALIDATE kind: names that do not resolve and bad exceptions, as opposed to parse/compile errors. */
function isValidateError(e: LocatedError): boolean {
  return e.validate === true || /^Undefined (macro|list) /.test(e.error.message);
}

function toProblem(e: LocatedError, code: Problem['code']): Problem {
  const at = e.text.posAt(e.error.pos.offset);
  return { code, severity: 'error', source: at.file, line: at.line, column: at.col, message: e.error.message };
}

/** Problems in the order of the files, then of their lines and columns: the order a user fixes them in. */
function inFileOrder(problems: readonly Problem[], files: readonly RuleFile[]): Problem[] {
  const rank = new Map(files.map((f, i) => [f.path, i]));
  const key = (p: Problem): [number, number, number] => [rank.get(p.source ?? '') ?? -1, p.line ?? 0, p.column ?? 0];
  return [...problems].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
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
