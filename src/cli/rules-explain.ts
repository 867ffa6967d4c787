import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DriftFinding } from '../model/finding.ts';
import type { JsonValue } from '../model/json.ts';
import { parseJson } from '../model/json-error.ts';
import { formatProblem } from '../model/problem.ts';
import type { Expr } from '../rules/lang/ast.ts';
import { compileCondition } from '../rules/lang/compile.ts';
import { fieldRegistry } from '../rules/lang/fields.ts';
import { printExpr } from '../rules/lang/print.ts';
import type { CliIo } from './replay.ts';
import { setupCore } from './setup.ts';
import { READ_ALL } from '../normalize/read-set.ts';
import { COMPLIANCE_OPTIONS, complianceSettings } from './compliance-options.ts';
import { notEvaluated } from './rules-check.ts';

/**
 * `kms-drift rules explain RULE --event FILE [--state PATH]… [--rules PATH]…`: evaluates RULE's condition (macros,
 * lists and exceptions expanded) on each event of FILE and prints every part with ✓ or ✗, so the part that was false
 * is the first ✗ under a ✗.
 */
export async function explainRule(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      event: { type: 'string' },
      state: { type: 'string', multiple: true, default: [] },
      rules: { type: 'string', multiple: true, default: [] },
      ...COMPLIANCE_OPTIONS,
    },
  });
  const compliance = complianceSettings(values);
  if (typeof compliance === 'string') {
    io.err(`kms-drift rules explain: ${compliance}`);
    return 2;
  }
  const name = positionals[0];
  if (name === undefined || values.event === undefined) {
    io.err('usage: kms-drift rules explain RULE --event FILE [--state PATH]… [--rules PATH]…');
    return 2;
  }
  // Every record is read: what each rule makes of it is the point, whether or not the rules' read set includes it.
  const setup = await setupCore({
    states: values.state,
    rules: values.rules,
    terraformPrincipals: [],
    readSet: READ_ALL,
    ...compliance,
  });
  for (const p of setup.problems) io.err(formatProblem(p));
  if (!setup.ok) return 1;
  const rule = setup.ruleset.rules.find((r) => r.name === name);
  if (rule === undefined) {
    io.err(`kms-drift rules explain: no enabled rule named '${name}'`);
    return 1;
  }
  let text: string;
  try {
    text = await readFile(values.event, 'utf8');
  } catch (err: unknown) {
    io.err(`kms-drift rules explain: ${values.event}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const parsed = parseJson<JsonValue>(text);
  if (!parsed.ok) {
    const at = parsed.error;
    io.err(`kms-drift rules explain: ${values.event}:${at.line}:${at.column}: not valid JSON: ${at.reason}`);
    return 1;
  }
  const event = parsed.value;
  const findings = setup.core.findings(event);
  if (findings.length === 0) {
    // Nothing reached the rules: say why (the pipeline's skip reasons and problems) and fail, as `rules test` does.
    const [first = '', ...rest] = notEvaluated(setup.core.processPayload(event, values.event));
    io.out(`${rule.name} on ${values.event}: ${first}`);
    for (const line of rest) io.out(`  ${line}`);
    return 1;
  }
  for (const finding of findings) {
    io.out(
      `${rule.name} on ${finding.event.name} ${finding.event.eventId}: ${rule.check(finding) ? 'MATCH' : 'no match'}`,
    );
    explain(rule.expr, finding, 1, io);
  }
  return 0;
}

function explain(expr: Expr, finding: DriftFinding, depth: number, io: CliIo): void {
  const compiled = compileCondition(expr, fieldRegistry);
  const result = compiled.ok ? (compiled.check(finding) ? '✓' : '✗') : '?';
  const pad = '  '.repeat(depth);
  if (expr.kind === 'and' || expr.kind === 'or') {
    io.out(`${pad}${result} ${expr.kind}`);
    for (const child of expr.children) explain(child, finding, depth + 1, io);
  } else if (expr.kind === 'not' && expr.child.kind !== 'check') {
    io.out(`${pad}${result} not`);
    explain(expr.child, finding, depth + 1, io);
  } else {
    io.out(`${pad}${result} ${printExpr(expr)}`);
  }
}
