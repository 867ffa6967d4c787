import type { FieldExpr, Transformer } from './ast.ts';
import type { JsonValue } from '../../model/json.ts';
import type { LangError } from './error.ts';
import type { FieldRegistry, FieldResult, RuleSubject } from './fields/types.ts';
import { Scanner } from './lexer.ts';
import { ParseFailure } from './error.ts';
import { TRANSFORMERS } from './parser.ts';
import { compileField, text, type CompiledField } from './compile/field.ts';

export interface CompiledOutput {
  render(subject: RuleSubject): string;
  /** Falco's `output_fields`: every `%field` (not transformed ones) with its typed value, null when absent. */
  fields(subject: RuleSubject): Record<string, JsonValue | null>;
  /** `render` and `fields` together, each field read once (the evaluator needs both for every match). */
  both(subject: RuleSubject): { readonly text: string; readonly fields: Record<string, JsonValue | null> };
}

export type OutputResult =
  | {
      readonly ok: true;
      readonly output: CompiledOutput;
      /** Tokens Falco accepts but that likely do not print what was meant (`%ct.username`: ct.user, then "name"). */
      readonly warnings: readonly LangError[];
    }
  | { readonly ok: false; readonly errors: readonly LangError[] };

/** Falco prefixes rule outputs with `*`, so a missing value prints this rather than failing. */
export const NA = '<NA>';

type Part = string | { readonly field: CompiledField; readonly width: number | undefined };

/**
 * `%field`, `%field[arg]`, `%NNfield` (pad or cut to NN characters), `%tolower(field)`. The longest registered
 * field name is taken, so `%ct.user,` stops before the comma. `%(field)` and a trailing `%` are errors, as in Falco.
 * A name that only begins with a field (`%ct.username`) is that field followed by text, as in Falco (libs
 * eventformatter.cpp shortens the token until a field compiles), and a warning here: it is rarely what was meant.
 */
export function compileOutput(format: string, fields: FieldRegistry): OutputResult {
  const names = namesOf(fields);
  const s = new Scanner(format);
  const parts: Part[] = [];
  const errors: LangError[] = [];
  const warnings: LangError[] = [];
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
      const expr = readFieldRef(s, names, start, warnings);
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
    warnings,
    output: {
      render(subject) {
        let out = '';
        for (const p of parts) out += typeof p === 'string' ? p : renderField(p.field, p.field.get(subject), p.width);
        return out;
      },
      fields(subject) {
        const out: Record<string, JsonValue | null> = {};
        for (const p of fieldParts) out[p.field.label] = outputValue(p.field, p.field.get(subject), subject);
        return out;
      },
      both(subject) {
        let text = '';
        const fields: Record<string, JsonValue | null> = {};
        for (const p of parts) {
          if (typeof p === 'string') {
            text += p;
            continue;
          }
          const v = p.field.get(subject);
          text += renderField(p.field, v, p.width);
          if (!p.field.transformed) fields[p.field.label] = outputValue(p.field, v, subject);
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

function readFieldRef(s: Scanner, names: ReadonlySet<string>, percent: number, warnings: LangError[]): FieldExpr {
  if (s.atEnd()) s.fail("trailing '%' in output", percent);
  if (s.peek() === '(') s.fail("'%(' is not valid: write %field or %tolower(field)", percent);
  const pos = s.pos();
  const run = /^[a-zA-Z][a-zA-Z0-9_.]*/.exec(s.text.slice(s.offset, s.offset + 256))?.[0];
  if (run === undefined) s.fail("'%' must be followed by a field name", percent);
  if (TRANSFORMERS.has(run) && s.peek(run.length) === '(') {
    s.offset += run.length + 1;
    const operand = readFieldRef(s, names, percent, warnings);
    if (!s.eat(')')) s.fail(`expected ')' to close ${run}(`);
    return { kind: 'transform', transformer: run as Transformer, operand, pos };
  }
  let len = run.length;
  while (len > 0 && !names.has(run.slice(0, len))) len--;
  if (len === 0) s.fail(`unknown field '${run.replace(/\.+$/, '')}' in output`, pos.offset);
  const name = run.slice(0, len);
  const rest = /^\.?[a-zA-Z0-9_]+/.exec(run.slice(len))?.[0];
  if (rest !== undefined) {
    warnings.push({
      message: `'%${name}${rest}' is no field: Falco prints ${name} followed by '${rest}'`,
      pos,
    });
  }
  s.offset += len;
  if (s.peek() !== '[') return { kind: 'field', name, pos };
  const close = s.text.indexOf(']', s.offset);
  if (close < 0) s.fail("missing ']' after field argument", s.offset);
  const arg = s.text.slice(s.offset + 1, close);
  s.offset = close + 1;
  return { kind: 'field', name, arg, pos };
}

/** Arrays are copied: the value may be the finding's own list, and a log must not share it. */
function outputValue(field: CompiledField, v: FieldResult | undefined, subject: RuleSubject): JsonValue | null {
  if (v === undefined) return null;
  if (field.outputValue !== undefined) return field.outputValue(v, subject);
  return Array.isArray(v) ? [...(v as readonly string[])] : (v as JsonValue);
}

function renderField(field: CompiledField, v: FieldResult | undefined, width: number | undefined): string {
  const out =
    v === undefined
      ? NA
      : field.render !== undefined
        ? field.render(v)
        : Array.isArray(v)
          ? `(${(v as readonly string[]).join(',')})`
          : text(v as string | number | boolean);
  if (width === undefined) return out;
  return out.length > width ? out.slice(0, width) : out.padEnd(width);
}
