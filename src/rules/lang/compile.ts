import type { Expr } from './ast.ts';
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
      const child = compileExpr(expr.child, fields, errors);
      return (s) => !child(s);
    }
    case 'and': {
      const children = expr.children.map((c) => compileExpr(c, fields, errors));
      const [a, b] = children;
      if (children.length === 2 && a !== undefined && b !== undefined) return (s) => a(s) && b(s);
      return (s) => {
        for (const c of children) if (!c(s)) return false;
        return true;
      };
    }
    case 'or': {
      const children = expr.children.map((c) => compileExpr(c, fields, errors));
      const [a, b] = children;
      if (children.length === 2 && a !== undefined && b !== undefined) return (s) => a(s) || b(s);
      return (s) => {
        for (const c of children) if (c(s)) return true;
        return false;
      };
    }
  }
}
