import type { AndExpr, Expr, OrExpr } from './ast.ts';
import type { LangError } from './error.ts';
import type { FieldRegistry, RuleSubject } from './fields/types.ts';
import { compileCheck, type Predicate } from './compile/check.ts';

export type CompiledCheck = (subject: RuleSubject) => boolean;

export type CompileResult =
  { readonly ok: true; readonly check: CompiledCheck } | { readonly ok: false; readonly errors: readonly LangError[] };

/**
 * AST → closures, once at load. `expr` must be resolved (macros and list names substituted by the loader);
 * every error of the whole expression is reported, each at its node's position.
 */
export function compileCondition(expr: Expr, fields: FieldRegistry): CompileResult {
  const errors: LangError[] = [];
  const check = compileExpr(expr, fields, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, check };
}

const FALSE: Predicate = () => false;

function compileExpr(expr: Expr, fields: FieldRegistry, errors: LangError[]): Predicate {
  switch (expr.kind) {
    case 'identifier':
      errors.push({ message: `Undefined macro '${expr.name}' used in filter.`, pos: expr.pos });
      return FALSE;
    case 'check': {
      const p = compileCheck(expr, fields);
      if (typeof p === 'function') return p;
      errors.push(...p);
      return FALSE;
    }
    case 'not': {
      // `not not x` is x: the children are booleans.
      if (expr.child.kind === 'not') return compileExpr(expr.child.child, fields, errors);
      const child = compileExpr(expr.child, fields, errors);
      return (s) => !child(s);
    }
    case 'and':
      return all(flatten(expr).map((c) => compileExpr(c, fields, errors)));
    case 'or':
      return any(flatten(expr).map((c) => compileExpr(c, fields, errors)));
  }
}

/** The operands of an `and` (`or`) with nested ones of the same kind inlined, in order: `a and (b and c)` is a, b, c. */
function flatten(expr: AndExpr | OrExpr): Expr[] {
  const out: Expr[] = [];
  for (const c of expr.children) {
    if (c.kind === expr.kind) out.push(...flatten(c));
    else out.push(c);
  }
  return out;
}

// Short chains, the common case, are unrolled: no loop, no array read per operand.
function all(ps: readonly Predicate[]): Predicate {
  const [a, b, c] = ps;
  if (a === undefined) return () => true;
  if (ps.length === 1) return a;
  if (ps.length === 2 && b !== undefined) return (s) => a(s) && b(s);
  if (ps.length === 3 && b !== undefined && c !== undefined) return (s) => a(s) && b(s) && c(s);
  return (s) => {
    for (let i = 0; i < ps.length; i++) if (!(ps[i] as Predicate)(s)) return false;
    return true;
  };
}

function any(ps: readonly Predicate[]): Predicate {
  const [a, b, c] = ps;
  if (a === undefined) return () => false;
  if (ps.length === 1) return a;
  if (ps.length === 2 && b !== undefined) return (s) => a(s) || b(s);
  if (ps.length === 3 && b !== undefined && c !== undefined) return (s) => a(s) || b(s) || c(s);
  return (s) => {
    for (let i = 0; i < ps.length; i++) if ((ps[i] as Predicate)(s)) return true;
    return false;
  };
}
