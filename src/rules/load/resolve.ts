import type { CheckExpr, Expr, FieldExpr, Pos, StringValue, Value } from '../lang/ast.ts';
import type { LangError } from '../lang/error.ts';
import { parseCondition } from '../lang/parser.ts';
import type { ListDef, MacroDef } from './defs.ts';
import type { SourceText } from './text.ts';

/** Which text every AST position came from, so errors found later still point into the right YAML scalar. */
export type Origins = Map<Pos, SourceText>;

export interface ResolveContext {
  readonly lists: ReadonlyMap<string, ListDef>;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly origins: Origins;
  readonly usedLists: Set<string>;
  readonly usedMacros: Set<string>;
  /** Parsed macro bodies, parsed once however many rules use them. */
  readonly parsedMacros: Map<string, Expr | LangError>;
}

/** A language error with the text its position is relative to; `validate` marks Falco's LOAD_ERR_VALIDATE kind. */
export interface LocatedError {
  readonly error: LangError;
  readonly text: SourceText;
  readonly validate?: true;
}

/** Parses condition text and remembers the origin of each node position. */
export function parseText(text: SourceText, ctx: ResolveContext): Expr | LangError {
  const parsed = parseCondition(text.text);
  if (!parsed.ok) {
    ctx.origins.set(parsed.error.pos, text);
    return parsed.error;
  }
  register(parsed.expr, text, ctx.origins);
  return parsed.expr;
}

/**
 * Macros and lists are resolved on the AST, not by substituting text as Falco does, so every node keeps its real
 * position. Visibility is Falco's: a macro sees macros defined before it, a rule sees every macro, conditions see
 * every list. `visibleBefore` is the definition order a macro reference must be below.
 */
export function resolve(
  expr: Expr,
  visibleBefore: number,
  ctx: ResolveContext,
  stack: readonly string[],
  errors: LocatedError[],
): Expr {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, children: expr.children.map((c) => resolve(c, visibleBefore, ctx, stack, errors)) };
    case 'not':
      return { ...expr, child: resolve(expr.child, visibleBefore, ctx, stack, errors) };
    case 'check':
      return resolveCheck(expr, ctx, errors);
    case 'identifier': {
      const macro = ctx.macros.get(expr.name);
      const origin = ctx.origins.get(expr.pos);
      if (macro === undefined || macro.order >= visibleBefore) {
        if (origin)
          errors.push({
            error: { message: `Undefined macro '${expr.name}' used in filter.`, pos: expr.pos },
            text: origin,
            validate: true,
          });
        return expr;
      }
      if (stack.includes(expr.name)) {
        if (origin)
          errors.push({
            error: {
              message: `Macro '${expr.name}' refers to itself (${[...stack, expr.name].join(' → ')})`,
              pos: expr.pos,
            },
            text: origin,
            validate: true,
          });
        return expr;
      }
      ctx.usedMacros.add(expr.name);
      let body = ctx.parsedMacros.get(expr.name);
      if (body === undefined) {
        body = parseText(macro.condition, ctx);
        ctx.parsedMacros.set(expr.name, body);
      }
      // A macro whose text does not parse was reported when the macro itself was checked.
      if (!('kind' in body)) return expr;
      return resolve(body, macro.order, ctx, [...stack, expr.name], errors);
    }
  }
}

export function resolveCheck(check: CheckExpr, ctx: ResolveContext, errors: LocatedError[]): CheckExpr {
  const value = check.value;
  if (value === undefined) return check;
  if (value.kind === 'listref') {
    const list = ctx.lists.get(value.name);
    if (list === undefined) {
      const origin = ctx.origins.get(value.pos);
      if (origin)
        errors.push({
          error: { message: `Undefined list '${value.name}' used in filter.`, pos: value.pos },
          text: origin,
          validate: true,
        });
      return check;
    }
    ctx.usedLists.add(value.name);
    return {
      ...check,
      value: { kind: 'list', items: listItems(list, ctx, Infinity).map((v) => str(v, value.pos)), pos: value.pos },
    };
  }
  if (value.kind === 'list') {
    const items: StringValue[] = [];
    for (const item of value.items) {
      const list = item.quoted ? undefined : ctx.lists.get(item.value);
      if (list === undefined) items.push(item);
      else {
        ctx.usedLists.add(item.value);
        for (const v of listItems(list, ctx, Infinity)) items.push(str(v, item.pos));
      }
    }
    return { ...check, value: { ...value, items } };
  }
  return check;
}

/** A list's items with names of lists defined before it expanded (Falco leaves later ones as literal strings). */
function listItems(list: ListDef, ctx: ResolveContext, visibleBefore: number, depth = 0): string[] {
  const out: string[] = [];
  for (const item of list.items) {
    const inner = ctx.lists.get(item);
    if (inner !== undefined && inner !== list && inner.order < Math.min(list.order, visibleBefore) && depth < 32) {
      ctx.usedLists.add(item);
      out.push(...listItems(inner, ctx, inner.order, depth + 1));
    } else out.push(item);
  }
  return out;
}

export function str(value: string, pos: Pos): StringValue {
  return { kind: 'string', value, quoted: true, pos };
}

function register(expr: Expr, text: SourceText, origins: Origins): void {
  origins.set(expr.pos, text);
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const c of expr.children) register(c, text, origins);
      return;
    case 'not':
      return register(expr.child, text, origins);
    case 'identifier':
      return;
    case 'check':
      registerField(expr.field, text, origins);
      if (expr.value !== undefined) registerValue(expr.value, text, origins);
  }
}

export function registerField(field: FieldExpr, text: SourceText, origins: Origins): void {
  origins.set(field.pos, text);
  if (field.kind === 'transform') registerField(field.operand, text, origins);
}

function registerValue(value: Value, text: SourceText, origins: Origins): void {
  origins.set(value.pos, text);
  if (value.kind === 'list') for (const item of value.items) origins.set(item.pos, text);
  if (value.kind === 'fieldvalue') registerField(value.field, text, origins);
}
