import type { FieldExpr, Transformer } from '../ast.ts';
import type { JsonValue } from '../../../model/json.ts';
import type { LangError } from '../error.ts';
import type { FieldRegistry, FieldResult, FieldType, RuleSubject } from '../fields/types.ts';
import { memoized } from './memo.ts';

export interface CompiledField {
  readonly type: FieldType;
  /** The field's name as written, for messages (`tolower(ct.user)`). */
  readonly label: string;
  /** True when a transformer wraps the field (Falco leaves these out of output_fields). */
  readonly transformed: boolean;
  readonly get: (subject: RuleSubject) => FieldResult | undefined;
  /** `%field`'s text of a value, when it is not the plain text (FieldDef.render). */
  readonly render?: (value: FieldResult) => string;
  /** The value in output_fields, when not the value itself (FieldDef.outputValue). */
  readonly outputValue?: (value: FieldResult, subject: RuleSubject) => JsonValue;
}

export function compileField(expr: FieldExpr, fields: FieldRegistry): CompiledField | LangError {
  if (expr.kind === 'field') {
    const r = fields.resolve(expr.name, expr.arg);
    if (!r.ok) return { message: r.message, pos: expr.pos };
    const { def } = r;
    const arg = expr.arg;
    const label = arg === undefined ? expr.name : `${expr.name}[${arg}]`;
    // Field definitions are plain objects whose hooks do not use `this`: `extract` is called as it is, without a
    // wrapper per read, or through its per-event memo (memo.ts).
    const { render, outputValue } = def;
    return {
      type: def.type,
      label,
      transformed: false,
      get: arg !== undefined ? (s) => def.extract(s, arg) : def.memo === true ? memoized(def) : def.extract,
      ...(render === undefined ? {} : { render }),
      ...(outputValue === undefined ? {} : { outputValue }),
    };
  }
  const inner = compileField(expr.operand, fields);
  if ('message' in inner) return inner;
  const label = `${expr.transformer}(${inner.label})`;
  const transformer = expr.transformer;
  if (transformer === 'len') {
    return {
      type: 'number',
      label,
      transformed: true,
      get: (s) => {
        const v = inner.get(s);
        return v === undefined ? undefined : Array.isArray(v) ? v.length : text(v as string | number | boolean).length;
      },
    };
  }
  const fn = TRANSFORMS[transformer];
  return {
    type: inner.type === 'list' ? 'list' : 'string',
    label,
    transformed: true,
    get: (s) => {
      const v = inner.get(s);
      if (v === undefined) return undefined;
      if (Array.isArray(v)) {
        const out: string[] = [];
        for (const item of v as readonly string[]) {
          const t = fn(item);
          if (t !== undefined) out.push(t);
        }
        return out.length === 0 ? undefined : out;
      }
      return fn(text(v as string | number | boolean));
    },
  };
}

/** The text form of a scalar value: what `%field` prints and what string operators see. */
export function text(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const TRANSFORMS: Readonly<Record<Exclude<Transformer, 'len'>, (s: string) => string | undefined>> = {
  tolower: (s) => s.toLowerCase(),
  toupper: (s) => s.toUpperCase(),
  basename: (s) => s.slice(s.lastIndexOf('/') + 1),
  // Invalid base64 is no value rather than garbage, so a comparison on it is false.
  b64: (s) => (BASE64.test(s) ? Buffer.from(s, 'base64').toString('utf8') : undefined),
};
