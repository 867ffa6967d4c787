import type { CheckExpr, Expr, FieldExpr, Operator, Pos, Value } from '../lang/ast.ts';
import { parseCondition } from '../lang/parser.ts';
import type { ExceptionDef, ExceptionValue, Located } from './defs.ts';
import { registerField, resolveCheck, type LocatedError, type ResolveContext } from './resolve.ts';
import { fixedText, type SourcePos } from './text.ts';

const LIST_OPS: ReadonlySet<string> = new Set(['in', 'intersects', 'pmatch']);

/**
 * `(condition) and not exc1 and not exc2`, built as AST: Falco writes the exceptions as text and quotes values by
 * hand ("breaks string escaping"); here a value is always exactly the string in the YAML. Every built node points at
 * the YAML node it came from (the field, the value tuple), so a compile error lands there.
 */
export function withExceptions(
  expr: Expr,
  exceptions: readonly ExceptionDef[],
  ctx: ResolveContext,
  errors: LocatedError[],
): Expr {
  const nots: Expr[] = [];
  for (const exc of exceptions) {
    if (exc.values.length === 0) continue;
    const fields = exc.fields.map((f) => fieldOf(f, exc.name, ctx, errors));
    if (fields.some((f) => f === undefined)) continue;
    const ops = exc.comps.map((c) => c.value as Operator);
    const excPos = posFor(exc.pos, 0, ctx);
    let child: Expr;
    if (exc.form === 'scalar') {
      // Falco: `field op (v1, v2, …)` with the values unquoted, so a value that names a list is that list's items.
      const values = exc.values.flatMap((t) => t.values.flatMap((v) => (typeof v === 'string' ? [v] : v)));
      const valuePos = posFor(exc.pos, 1, ctx);
      const value: Value = { kind: 'list', items: values.map((v) => bare(v, valuePos)), pos: valuePos };
      child = check(fields[0] as FieldExpr, ops[0] ?? 'in', value, excPos, ctx, errors);
    } else {
      const tuples = exc.values.map((tuple): Expr => {
        const at = posFor(tuple.pos, 0, ctx);
        const valuePos = posFor(tuple.pos, 1, ctx);
        const checks = tuple.values.map((v, i) =>
          check(fields[i] as FieldExpr, ops[i] ?? '=', valueOf(v, ops[i] ?? '=', valuePos), at, ctx, errors),
        );
        return checks.length === 1 ? (checks[0] as Expr) : { kind: 'and', children: checks, pos: at };
      });
      child = tuples.length === 1 ? (tuples[0] as Expr) : { kind: 'or', children: tuples, pos: excPos };
    }
    nots.push({ kind: 'not', child, pos: excPos });
  }
  return nots.length === 0 ? expr : { kind: 'and', children: [expr, ...nots], pos: expr.pos };
}

function check(
  field: FieldExpr,
  op: Operator,
  value: Value,
  pos: Pos,
  ctx: ResolveContext,
  errors: LocatedError[],
): Expr {
  const built: CheckExpr = { kind: 'check', field, op, value, pos };
  return resolveCheck(built, ctx, errors);
}

/** A nested list is a list literal; a scalar with a list operator is a one-item list (or the list it names). */
function valueOf(v: ExceptionValue, op: Operator, pos: Pos): Value {
  if (typeof v !== 'string') return { kind: 'list', items: v.map((x) => bare(x, pos)), pos };
  if (LIST_OPS.has(op)) return { kind: 'list', items: [bare(v, pos)], pos };
  return { kind: 'string', value: v, quoted: true, pos };
}

function bare(value: string, pos: Pos): { kind: 'string'; value: string; quoted: boolean; pos: Pos } {
  return { kind: 'string', value, quoted: false, pos };
}

/** The field as the condition grammar reads it (`json.value[/a]`, `tolower(ct.user)`), placed at its YAML scalar. */
function fieldOf(
  field: Located<string>,
  exception: string,
  ctx: ResolveContext,
  errors: LocatedError[],
): FieldExpr | undefined {
  const parsed = parseCondition(`${field.value} exists`);
  const text = fixedText(field.value, field.pos);
  if (!parsed.ok || parsed.expr.kind !== 'check' || parsed.expr.op !== 'exists') {
    const pos = posFor(field.pos, 0, ctx);
    const message = `Exception '${exception}': '${field.value}' is not a supported filter field`;
    errors.push({ error: { message, pos }, text, validate: true });
    return undefined;
  }
  registerField(parsed.expr.field, text, ctx.origins);
  return parsed.expr.field;
}

/**
 * A fresh position for a built node, remembered as coming from `at`. Offsets differ between a check (0) and its
 * value (1): the compiler reads a value at the check's own offset as a lone boolean field.
 */
function posFor(at: SourcePos, offset: number, ctx: ResolveContext): Pos {
  const pos: Pos = { offset, line: 1, col: offset + 1 };
  ctx.origins.set(pos, fixedText('', at));
  return pos;
}
