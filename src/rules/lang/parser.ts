/*
 * The condition grammar: Falco's (libs userspace/libsinsp/filter/parser.h), with positions on every node.
 *
 *   Expr       := OrExpr
 *   OrExpr     := AndExpr ( 'or' AndExpr )*                       n-ary
 *   AndExpr    := NotExpr ( 'and' NotExpr )*                      n-ary
 *   NotExpr    := 'not' NotExpr | Primary                         'not' needs a following blank or '('
 *   Primary    := '(' Expr ')' | Check
 *   Check      := FieldExpr Condition | Identifier                an Identifier alone is a macro reference
 *   FieldExpr  := Transformer '(' FieldExpr ')' | FieldName [ '[' Arg ']' ]
 *   Transformer:= 'tolower' | 'toupper' | 'b64' | 'basename' | 'len'
 *   Condition  := 'exists'
 *               | NumOp ( NumValue | RhsField )
 *               | StrOp ( StrValue | RhsField )
 *               | ListOp ( ListValue | RhsField )
 *   RhsField   := 'val(' FieldExpr ')' | Transformer '(' FieldExpr ')'
 *   ListValue  := '(' [ StrValue ( ',' StrValue )* ] ')' | ListName
 *   NumOp      := '<=' | '<' | '>=' | '>'
 *   StrOp      := '==' | '=' | '!=' | 'contains' | 'icontains' | 'bcontains' | 'startswith' | 'bstartswith'
 *               | 'endswith' | 'glob' | 'iglob' | 'regex'
 *   ListOp     := 'in' | 'intersects' | 'pmatch'
 *   FieldName  := [a-zA-Z][a-zA-Z0-9_]* ( '.' [a-zA-Z0-9_]+ )*
 *   Arg        := QuotedStr | [^\]"'\s]+
 *   StrValue   := QuotedStr | BareStr        BareStr := [^()"'\s=,]+
 *   NumValue   := a StrValue that is a number, a hex number or an ISO date, or any quoted string
 *   QuotedStr  := '"' … '"' | "'" … "'"     escapes \b \f \n \r \t \\ \/ \xHH and the quote itself
 *
 * Extension: a dot-less name followed by an operator is a field (`user = x`); Falco requires a dot.
 * Extension: a boolean field alone is a check (`not drift.by_terraform`); it is parsed as `field = true` whose
 * value has the field's own position, and the compiler rejects it on a field that is not boolean.
 * Extension: a numeric operator also takes an ISO date or a quoted string, for our typed date fields; the compiler
 * checks the literal against the field's type.
 */
import type { CheckExpr, Expr, FieldExpr, ListValue, Operator, Pos, StringValue, Transformer, Value } from './ast.ts';
import { LIST_OPERATORS } from './ast.ts';
import { ParseFailure, type LangError } from './error.ts';
import { Scanner, isBlank } from './lexer.ts';

export type { LangError } from './error.ts';

export type ParseResult =
  { readonly ok: true; readonly expr: Expr } | { readonly ok: false; readonly error: LangError };

/** Falco sets this for rule conditions (the libs default is 100). */
export const MAX_DEPTH = 1000;

export const TRANSFORMERS: ReadonlySet<string> = new Set<Transformer>(['tolower', 'toupper', 'b64', 'basename', 'len']);

const SYMBOL_OPS: readonly Operator[] = ['==', '=', '!=', '<=', '<', '>=', '>'];
const NUM_OPS: ReadonlySet<Operator> = new Set<Operator>(['<', '<=', '>', '>=']);
const LIST_OPS = LIST_OPERATORS;
const WORD_OPS: readonly Operator[] = [
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
  'intersects',
  'in',
  'pmatch',
];
const NUMERIC =
  /^(?:[+-]?[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|0[xX][0-9a-fA-F]+|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-][0-9:]+)?)?)$/;

export function parseCondition(text: string): ParseResult {
  const parser = new Parser(new Scanner(text));
  try {
    return { ok: true, expr: parser.parseAll() };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.langError };
    throw e;
  }
}

class Parser {
  private readonly s: Scanner;
  private depth = 0;

  constructor(scanner: Scanner) {
    this.s = scanner;
  }

  parseAll(): Expr {
    this.s.skipBlanks();
    if (this.s.atEnd()) this.s.fail('empty condition');
    const expr = this.parseOr();
    this.s.skipBlanks();
    if (!this.s.atEnd()) this.s.fail(`unexpected token after '${this.s.last}', expecting 'or', 'and'`);
    return expr;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.s.fail(`exceeded max depth limit of ${MAX_DEPTH}`);
  }

  private parseOr(): Expr {
    this.enter();
    const first = this.parseAnd();
    const children: Expr[] = [first];
    for (;;) {
      this.s.skipBlanks();
      if (!this.s.eatKeyword('or', true, true)) break;
      children.push(this.parseAnd());
    }
    this.depth--;
    return children.length === 1 ? first : { kind: 'or', children, pos: first.pos };
  }

  private parseAnd(): Expr {
    const first = this.parseNot();
    const children: Expr[] = [first];
    for (;;) {
      this.s.skipBlanks();
      if (!this.s.eatKeyword('and', true, true)) break;
      children.push(this.parseNot());
    }
    return children.length === 1 ? first : { kind: 'and', children, pos: first.pos };
  }

  private parseNot(): Expr {
    this.s.skipBlanks();
    const pos = this.s.pos();
    if (this.s.eatKeyword('not', true, true)) {
      this.enter();
      const child = this.parseNot();
      this.depth--;
      return { kind: 'not', child, pos };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const s: Scanner = this.s;
    s.skipBlanks();
    if (s.atEnd()) s.fail(s.last === '' ? 'empty condition' : `unexpected end of condition after '${s.last}'`);
    const open = s.offset;
    if (s.eat('(')) {
      const inner = this.parseOr();
      s.skipBlanks();
      if (s.eat(')')) return inner;
      if (s.atEnd()) s.fail('missing closing parenthesis', open);
      s.fail(`unexpected token after '${s.last}', expecting 'or', 'and', ')'`);
    }
    return this.parseCheck();
  }

  private parseCheck(): Expr {
    const s: Scanner = this.s;
    const pos = s.pos();
    const name = s.readName();
    if (name === undefined) s.fail(`unexpected token '${s.peek()}', expecting a field, a macro, 'not' or '('`);
    let field: FieldExpr;
    if (TRANSFORMERS.has(name) && s.peek() === '(') {
      field = this.finishTransformer(name, pos);
    } else {
      const arg = this.readArg();
      field = arg === undefined ? { kind: 'field', name, pos } : { kind: 'field', name, arg, pos };
      const isMacro = arg === undefined && !name.includes('.');
      const save = s.offset;
      s.skipBlanks();
      const op = this.peekOperator();
      if (op === undefined && isMacro) {
        s.offset = save;
        return { kind: 'identifier', name, pos };
      }
      if (op === undefined && this.atCheckEnd()) {
        s.offset = save;
        return { kind: 'check', field, op: '=', value: { kind: 'string', value: 'true', quoted: false, pos }, pos };
      }
    }
    return this.parseCondition(field, pos);
  }

  /** After a check: the end, `)`, `and` or `or`. */
  private atCheckEnd(): boolean {
    const rest = this.s.text.slice(this.s.offset, this.s.offset + 4);
    return rest === '' || rest.startsWith(')') || /^(?:and|or)(?:[\s(]|$)/.test(rest);
  }

  private finishTransformer(name: string, pos: Pos): FieldExpr {
    const s: Scanner = this.s;
    s.eat('(');
    this.enter();
    s.skipBlanks();
    const operand = this.parseField();
    s.skipBlanks();
    if (!s.eat(')')) s.fail(`expected ')' to close ${name}(`);
    this.depth--;
    return { kind: 'transform', transformer: name as Transformer, operand, pos };
  }

  /** A field, optionally wrapped in transformers, where only a field may stand (inside `tolower(` or `val(`). */
  private parseField(): FieldExpr {
    const s: Scanner = this.s;
    const pos = s.pos();
    const name = s.readName();
    if (name === undefined) s.fail(`expected a field name`);
    if (TRANSFORMERS.has(name) && s.peek() === '(') return this.finishTransformer(name, pos);
    const arg = this.readArg();
    return arg === undefined ? { kind: 'field', name, pos } : { kind: 'field', name, arg, pos };
  }

  private readArg(): string | undefined {
    const s: Scanner = this.s;
    if (s.peek() !== '[') return undefined;
    const open = s.offset;
    s.eat('[');
    let arg: string;
    if (s.peek() === '"' || s.peek() === "'") {
      arg = s.readQuoted();
    } else {
      const start = s.offset;
      while (!s.atEnd() && !']"\''.includes(s.peek()) && !isBlank(s.peek())) s.offset++;
      arg = s.text.slice(start, s.offset);
      if (arg === '') s.fail('empty field argument', open);
    }
    if (!s.eat(']')) s.fail("missing ']' after field argument", open);
    return arg;
  }

  /** The operator at the cursor, without consuming it. */
  private peekOperator(): Operator | undefined {
    const s: Scanner = this.s;
    const save = s.offset;
    const op = this.readOperator();
    s.offset = save;
    return op;
  }

  private readOperator(): Operator | undefined {
    const s: Scanner = this.s;
    for (const op of SYMBOL_OPS) if (s.eat(op)) return op;
    if (s.eatKeyword('exists', false, true, true)) return 'exists';
    for (const op of WORD_OPS) if (s.eatKeyword(op, true)) return op;
    return undefined;
  }

  private parseCondition(field: FieldExpr, pos: Pos): CheckExpr {
    const s: Scanner = this.s;
    s.skipBlanks();
    const after = s.last;
    const op = this.readOperator();
    if (op === undefined) {
      if (s.atEnd()) s.fail(`unexpected end of condition after '${after}', expecting an operator`);
      s.fail(`unexpected token after '${after}', expecting an operator`);
    }
    if (op === 'exists') return { kind: 'check', field, op, pos };
    s.skipBlanks();
    if (s.atEnd()) s.fail(`unexpected end of condition after '${op}', expecting a value`);
    const value = LIST_OPS.has(op) ? this.parseListSide(op) : this.parseScalarSide(op);
    return { kind: 'check', field, op, value, pos };
  }

  /** `val(f)` or `tolower(f)`… on the right-hand side, if the cursor is at one. */
  private tryRhsField(): Value | undefined {
    const s: Scanner = this.s;
    const m = /^([a-z0-9]+)\(/.exec(s.text.slice(s.offset, s.offset + 16));
    if (m === null || m[1] === undefined) return undefined;
    const word = m[1];
    if (word !== 'val' && !TRANSFORMERS.has(word)) return undefined;
    const pos = s.pos();
    if (word !== 'val') return { kind: 'fieldvalue', field: this.parseField(), pos };
    s.eat('val(');
    s.skipBlanks();
    const field = this.parseField();
    s.skipBlanks();
    if (!s.eat(')')) s.fail(`expected ')' to close val(`);
    return { kind: 'fieldvalue', field, pos };
  }

  private parseScalarSide(op: Operator): Value {
    const s: Scanner = this.s;
    const rhs = this.tryRhsField();
    if (rhs !== undefined) return rhs;
    if (s.peek() === '(') s.fail(`unexpected '(' after '${op}': a list needs 'in', 'intersects' or 'pmatch'`);
    const value = this.parseString();
    if (NUM_OPS.has(op) && !value.quoted && !NUMERIC.test(value.value)) {
      s.fail(`expected a number after '${op}'`, value.pos.offset);
    }
    return value;
  }

  private parseString(): StringValue {
    const s: Scanner = this.s;
    const pos = s.pos();
    if (s.peek() === '"' || s.peek() === "'") return { kind: 'string', value: s.readQuoted(), quoted: true, pos };
    const bare = s.readBare();
    if (bare === undefined) s.fail(`unexpected token after '${s.last}', expecting a value`);
    return { kind: 'string', value: bare, quoted: false, pos };
  }

  private parseListSide(op: Operator): Value {
    const s: Scanner = this.s;
    const rhs = this.tryRhsField();
    if (rhs !== undefined) return rhs;
    const pos = s.pos();
    if (s.eat('(')) return this.finishList(pos);
    if (s.peek() === '"' || s.peek() === "'") s.fail(`expected a list or a list name after '${op}'`);
    const name = s.readBare();
    if (name === undefined) s.fail(`expected a list or a list name after '${op}'`);
    return { kind: 'listref', name, pos };
  }

  private finishList(pos: Pos): ListValue {
    const s: Scanner = this.s;
    const items: StringValue[] = [];
    s.skipBlanks();
    if (s.eat(')')) return { kind: 'list', items, pos };
    for (;;) {
      s.skipBlanks();
      if (s.atEnd()) s.fail('missing closing parenthesis', pos.offset);
      items.push(this.parseString());
      s.skipBlanks();
      if (s.eat(')')) return { kind: 'list', items, pos };
      if (s.atEnd()) s.fail('missing closing parenthesis', pos.offset);
      if (!s.eat(',')) s.fail(`unexpected token after '${s.last}', expecting ',' or ')'`);
    }
  }
}
