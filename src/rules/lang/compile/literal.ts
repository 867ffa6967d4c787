import type { FieldType } from '../fields/types.ts';
import type { FieldResult } from '../fields/types.ts';

/** A value in the form a scalar field type compares: strings, numbers (numbers and dates as ms), booleans. */
export type Key = string | number | boolean;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A literal from the condition text, for a field of `type`; a string is the reason it does not fit. */
export function literalKey(type: FieldType, literal: string): { key: Key } | string {
  switch (type) {
    case 'number': {
      const n = parseNumber(literal);
      return n === undefined ? `'${literal}' is not a number` : { key: n };
    }
    case 'boolean':
      if (literal === 'true') return { key: true };
      if (literal === 'false') return { key: false };
      return `'${literal}' is not a boolean (true or false)`;
    case 'date': {
      const ms = ISO_DATE.test(literal) ? Date.parse(literal) : Number.NaN;
      return Number.isNaN(ms) ? `'${literal}' is not an ISO 8601 date (e.g. 2026-01-31T00:00:00Z)` : { key: ms };
    }
    default:
      return { key: literal };
  }
}

function parseNumber(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** A value extracted at run time (either side of a comparison) in the form `type` compares; undefined if it cannot be. */
export function runtimeKey(type: FieldType, v: FieldResult): Key | undefined {
  if (Array.isArray(v)) return undefined;
  const scalar = v as Key;
  switch (type) {
    case 'number':
      return typeof scalar === 'number' ? scalar : typeof scalar === 'string' ? parseNumber(scalar) : undefined;
    case 'boolean':
      return typeof scalar === 'boolean' ? scalar : scalar === 'true' ? true : scalar === 'false' ? false : undefined;
    case 'date': {
      if (typeof scalar !== 'string') return undefined;
      const ms = Date.parse(scalar);
      return Number.isNaN(ms) ? undefined : ms;
    }
    default:
      return typeof scalar === 'string' ? scalar : String(scalar);
  }
}

/** strcmp-like order for strings (Falco compares string fields lexicographically), numeric order for numbers. */
export function order(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
