/**
 * The condition AST. Every node carries its position in the condition text so that errors found after parsing
 * (undefined macro, unknown field, bad operator for a field type) still point at the right column.
 * Positions are relative to the condition string; the loader adds the YAML position of the string.
 */
export interface Pos {
  /** 0-based offset into the condition text. */
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export type Expr = AndExpr | OrExpr | NotExpr | CheckExpr | IdentifierExpr;

export interface AndExpr {
  readonly kind: 'and';
  readonly children: readonly Expr[];
  readonly pos: Pos;
}
export interface OrExpr {
  readonly kind: 'or';
  readonly children: readonly Expr[];
  readonly pos: Pos;
}
export interface NotExpr {
  readonly kind: 'not';
  readonly child: Expr;
  readonly pos: Pos;
}
/** A bare identifier in check position: a macro reference, resolved by the loader before compiling. */
export interface IdentifierExpr {
  readonly kind: 'identifier';
  readonly name: string;
  readonly pos: Pos;
}

export type Transformer = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len';

/** A field, optionally with an argument (`json.value[/a/b]`) and wrapped in transformers (`tolower(ct.user)`). */
export type FieldExpr =
  | { readonly kind: 'field'; readonly name: string; readonly arg?: string; readonly pos: Pos }
  | { readonly kind: 'transform'; readonly transformer: Transformer; readonly operand: FieldExpr; readonly pos: Pos };

export type Operator =
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'in'
  | 'intersects'
  | 'pmatch'
  | 'exists';

/** Every operator that compares (all but `exists`): the one list the parser, exceptions and docs agree on. */
export const COMPARISON_OPERATORS: readonly Exclude<Operator, 'exists'>[] = [
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
  'in',
  'intersects',
  'pmatch',
];
/** Operators whose right-hand side is a list. */
export const LIST_OPERATORS: ReadonlySet<Operator> = new Set<Operator>(['in', 'intersects', 'pmatch']);

export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
  /** Bare words inside a list literal may name a list; quoted strings never do. */
  readonly quoted: boolean;
  readonly pos: Pos;
}
/** `x in my_list` — the whole RHS names a list. Resolved by the loader. */
export interface ListRefValue {
  readonly kind: 'listref';
  readonly name: string;
  readonly pos: Pos;
}
export interface ListValue {
  readonly kind: 'list';
  /** Before resolution items may be bare names of lists; after resolution only strings. */
  readonly items: readonly StringValue[];
  readonly pos: Pos;
}
/** `val(field)` or a transformer on the right-hand side: compare field to field. */
export interface FieldValue {
  readonly kind: 'fieldvalue';
  readonly field: FieldExpr;
  readonly pos: Pos;
}
export type Value = StringValue | ListValue | ListRefValue | FieldValue;

export interface CheckExpr {
  readonly kind: 'check';
  readonly field: FieldExpr;
  readonly op: Operator;
  /** Absent only for `exists`. */
  readonly value?: Value;
  readonly pos: Pos;
}
