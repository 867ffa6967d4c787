import type { Expr, FieldExpr, Value } from './ast.ts';

/** A condition node back as text, for `rules explain` (macros and lists already expanded). */
export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.children
        .map((c) => (c.kind === 'and' || c.kind === 'or' ? `(${printExpr(c)})` : printExpr(c)))
        .join(` ${expr.kind} `);
    case 'not':
      return `not ${expr.child.kind === 'check' || expr.child.kind === 'identifier' ? printExpr(expr.child) : `(${printExpr(expr.child)})`}`;
    case 'identifier':
      return expr.name;
    case 'check':
      return expr.value === undefined
        ? `${printField(expr.field)} ${expr.op}`
        : `${printField(expr.field)} ${expr.op} ${printValue(expr.value)}`;
  }
}

function printField(field: FieldExpr): string {
  if (field.kind === 'transform') return `${field.transformer}(${printField(field.operand)})`;
  return field.arg === undefined ? field.name : `${field.name}[${field.arg}]`;
}

function printValue(value: Value): string {
  switch (value.kind) {
    case 'string':
      return /^[^()"'\s=,]+$/.test(value.value) ? value.value : JSON.stringify(value.value);
    case 'list':
      return `(${value.items.map((i) => printValue(i)).join(', ')})`;
    case 'listref':
      return value.name;
    case 'fieldvalue':
      return `val(${printField(value.field)})`;
  }
}
