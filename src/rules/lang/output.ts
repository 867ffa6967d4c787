import type { FieldExpr, Transformer } from './ast.ts';
import type { DriftFinding } from '../../model/finding.ts';
import type { LangError } from './error.ts';
import type { FieldRegistry, FieldResult } from './fields/types.ts';
import { Scanner } from './lexer.ts';
import { ParseFailure } from './error.ts';
import { TRANSFORMERS } from './parser.ts';
import { compileField, text, type CompiledField } from './compile/field.ts';

export interface CompiledOutput {
  render(subject: DriftFinding): string;
  /** Falco's `output_fields`: every `%field` (not transformed ones) with its typed value, null when absent. */
  fields(subject: DriftFinding): Record<string, FieldResult | null>;
  /** `render` and `fields` together, each field read once (the evaluator needs both for every match). */
  both(subject: DriftFinding): { readonly text: string; readonly fields: Record<string, FieldResult | null> };
}

export type OutputResult =
  | { readonly ok: true; readonly output: CompiledOutput }
  | { readonly ok: false; readonly errors: readonly LangError[] };

/** Falco prefixes rule outputs with `*`, so a missing value prints this rather than failing. */
export const NA = '<NA>';

type Part = string | { readonly field: CompiledField; readonly width: number | undefined };

/**
 * `%field`, `%field[arg]`, `%NNfield` (pad or cut to NN characters), `%tolower(field)`. The longest registered
 * field name is taken, so `%ct.user,` stops before the comma. `%(field)` and a trailing `%` are errors, as in Falco.
 */
export function compileOutput(format: string, fields: FieldRegistry): OutputResult {
  const names = namesOf(fields);
  const s = new Scanner(format);
  const parts: Part[] = [];
  const errors: LangError[] = [];
  let literal = '';
  while (!s.atEnd()) {
    const c = s.peek();
    if (c !== '%') {
      literal += c;
      s.offset++;
      continue;
    }
    const start = s.offset;
    s.offset++;
    try {
      const width = readWidth(s);
      const expr = readFieldRef(s, names, start);
      const field = compileField(expr, fields);
      if ('message' in field) {
        errors.push(field);
        continue;
      }
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push({ field, width });
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      errors.push(e.langError);
      // Skip to the next `%` so one bad token does not hide the others.
      while (!s.atEnd() && s.peek() !== '%') s.offset++;
    }
  }
  if (literal !== '') parts.push(literal);
  if (errors.length > 0) return { ok: false, errors };
  const fieldParts = parts.filter((p): p is Exclude<Part, string> => typeof p !== 'string' && !p.field.transformed);
  return {
    ok: true,
    output: {
      render(subject) {
        let out = '';
        for (const p of parts) out += typeof p === 'string' ? p : renderField(p.field.get(subject), p.width);
        return out;
      },
      fields(subject) {
        const out: Record<string, FieldResult | null> = {};
        for (const p of fieldParts) out[p.field.label] = p.field.get(subject) ?? null;
        return out;
      },
      both(subject) {
        let text = '';
        const fields: Record<string, FieldResult | null> = {};
        for (const p of parts) {
          if (typeof p === 'string') {
            text += p;
            continue;
          }
          const v = p.field.get(subject);
          text += renderField(v, p.width);
          // Arrays are copied: the value may be the finding's own list, and a log must not share it.
          if (!p.field.transformed) fields[p.field.label] = v === undefined ? null : Array.isArray(v) ? [...v] : v;
        }
        return { text, fields };
      },
    },
  };
}

const namesCache = new WeakMap<FieldRegistry, ReadonlySet<string>>();
function namesOf(fields: FieldRegistry): ReadonlySet<string> {
  let names = namesCache.get(fields);
  if (names === undefined) {
    names = new Set(fields.all().map((d) => d.name));
    namesCache.set(fields, names);
  }
  return names;
}

function readWidth(s: Scanner): number | undefined {
  const start = s.offset;
  while (/[0-9]/.test(s.peek())) s.offset++;
  return s.offset === start ? undefined : Number(s.text.slice(start, s.offset));
}

function readFieldRef(s: Scanner, names: ReadonlySet<string>, percent: number): FieldExpr {
  if (s.atEnd()) s.fail("trailing '%' in output", percent);
  if (s.peek() === '(') s.fail("'%(' is not valid: write %field or %tolower(field)", percent);
  const pos = s.pos();
  const run = /^[a-zA-Z][a-zA-Z0-9_.]*/.exec(s.text.slice(s.offset, s.offset + 256))?.[0];
  if (run === undefined) s.fail("'%' must be followed by a field name", percent);
  if (TRANSFORMERS.has(run) && s.peek(run.length) === '(') {
    s.offset += run.length + 1;
    const operand = readFieldRef(s, names, percent);
    if (!s.eat(')')) s.fail(`expected ')' to close ${run}(`);
    return { kind: 'transform', transformer: run as Transformer, operand, pos };
  }
  let len = run.length;
  while (len > 0 && !names.has(run.slice(0, len))) len--;
  if (len === 0) s.fail(`unknown field '${run.replace(/\.+$/, '')}' in output`, pos.offset);
  const name = run.slice(0, len);
  s.offset += len;
  if (s.peek() !== '[') return { kind: 'field', name, pos };
  const close = s.text.indexOf(']', s.offset);
  if (close < 0) s.fail("missing ']' after field argument", s.offset);
  const arg = s.text.slice(s.offset + 1, close);
  s.offset = close + 1;
  return { kind: 'field', name, arg, pos };
}

function renderField(v: FieldResult | undefined, width: number | undefined): string {
  const out =
    v === undefined
      ? NA
      : Array.isArray(v)
        ? `(${(v as readonly string[]).join(',')})`
        : text(v as string | number | boolean);
  if (width === undefined) return out;
  return out.length > width ? out.slice(0, width) : out.padEnd(width);
}
