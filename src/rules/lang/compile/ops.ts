import type { Operator } from '../ast.ts';
import type { FieldType } from '../fields/types.ts';
import { bytesIndexOf, compilePmatch, compileRegex, globMatch, parseHex } from './match.ts';
import { order, type Key } from './literal.ts';

/** Operators that take one string and test a string (not typed comparison). */
export const STRING_OPS: ReadonlySet<Operator> = new Set<Operator>([
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
  'pmatch',
]);
export const ORDER_OPS: ReadonlySet<Operator> = new Set<Operator>(['<', '<=', '>', '>=']);
export const SET_OPS: ReadonlySet<Operator> = new Set<Operator>(['in', 'intersects']);

/** Which operators a field type accepts, besides `exists`. */
export function operatorAllowed(type: FieldType, op: Operator): boolean {
  switch (type) {
    case 'string':
      return true;
    case 'list':
      return SET_OPS.has(op);
    case 'boolean':
      return op === '=' || op === '==' || op === '!=' || SET_OPS.has(op);
    default:
      return !STRING_OPS.has(op);
  }
}

export type Test = (value: Key) => boolean;

/** A test against literal operands, built once: sets, lowercased needles, compiled regexes, byte strings. */
export function literalTest(op: Operator, keys: readonly Key[], raw: readonly string[]): Test | string {
  const k = keys[0];
  const r = raw[0] ?? '';
  switch (op) {
    case '=':
    case '==':
      return (v) => v === k;
    case '!=':
      return (v) => v !== k;
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (k === undefined) return 'missing value';
      return orderTest(op, k);
    case 'in':
    case 'intersects': {
      const set = new Set<Key>(keys);
      return (v) => set.has(v);
    }
    case 'contains':
      return (v) => String(v).includes(r);
    case 'icontains': {
      const lower = r.toLowerCase();
      return (v) => String(v).toLowerCase().includes(lower);
    }
    case 'startswith':
      return (v) => String(v).startsWith(r);
    case 'endswith':
      return (v) => String(v).endsWith(r);
    case 'glob':
      return (v) => globMatch(r, String(v));
    case 'iglob': {
      const lower = r.toLowerCase();
      return (v) => globMatch(lower, String(v).toLowerCase());
    }
    case 'regex': {
      const re = compileRegex(r);
      if (typeof re === 'string') return re;
      return (v) => re.test(String(v));
    }
    case 'pmatch': {
      const match = compilePmatch(raw);
      return (v) => match(String(v));
    }
    case 'bcontains':
    case 'bstartswith': {
      const needle = parseHex(r);
      if (typeof needle === 'string') return needle;
      const encoder = new TextEncoder();
      return op === 'bcontains'
        ? (v) => bytesIndexOf(encoder.encode(String(v)), needle) >= 0
        : (v) => bytesIndexOf(encoder.encode(String(v)).subarray(0, needle.length), needle) === 0;
    }
    case 'exists':
      return () => true;
  }
}

function orderTest(op: '<' | '<=' | '>' | '>=', k: Key): Test {
  switch (op) {
    case '<':
      return (v) => order(v, k) < 0;
    case '<=':
      return (v) => order(v, k) <= 0;
    case '>':
      return (v) => order(v, k) > 0;
    case '>=':
      return (v) => order(v, k) >= 0;
  }
}

/** Operators that can compare with another field's value (`val(field)` or a transformer on the right). */
export const FIELD_VALUE_OPS: ReadonlySet<Operator> = new Set<Operator>([
  '=',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'startswith',
  'endswith',
  'in',
  'intersects',
]);
