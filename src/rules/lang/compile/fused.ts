import type { Operator } from '../ast.ts';
import type { RuleSubject } from '../fields/types.ts';
import type { CompiledField } from './field.ts';
import { runtimeKey, type Key } from './literal.ts';
import { compileGlob, compilePmatch } from './glob.ts';
import { compileRegex } from './match.ts';

export type Predicate = (subject: RuleSubject) => boolean;

/** Up to this many operands, `in` compares one by one: cheaper than hashing the value into a Set. */
const LINEAR_IN_MAX = 8;

/**
 * The common checks of a string field against literals as one closure each: the field read and the test fused,
 * operands prepared at load (needles, globs split, small `in` lists as arrays). Each answers exactly as the generic
 * path (check.ts applyTest over ops.ts literalTest) does: false when the value is absent or not a string, then the
 * same string test. Undefined for what it does not cover (the generic path takes it).
 */
export function fusedStringCheck(lhs: CompiledField, op: Operator, keys: readonly Key[]): Predicate | undefined {
  if (lhs.type !== 'string') return undefined;
  const strings: string[] = [];
  for (const k of keys) if (typeof k === 'string') strings.push(k);
  // A string field's literals are strings (literalKey): anything else is left to the generic path.
  if (strings.length !== keys.length || strings.length === 0) return undefined;
  const get = lhs.get;
  const r = strings[0] as string;
  switch (op) {
    case '=':
    case '==':
      return (s) => get(s) === r;
    case '!=':
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && v !== r;
      };
    case 'in':
    case 'intersects': {
      if (strings.length === 1) return (s) => get(s) === r;
      if (strings.length <= LINEAR_IN_MAX) {
        return (s) => {
          const v = get(s);
          if (typeof v !== 'string') return false;
          for (let i = 0; i < strings.length; i++) if (strings[i] === v) return true;
          return false;
        };
      }
      const set = new Set<string>(strings);
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && set.has(v);
      };
    }
    case 'contains':
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && v.includes(r);
      };
    case 'startswith':
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && v.startsWith(r);
      };
    case 'endswith':
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && v.endsWith(r);
      };
    case 'icontains': {
      const lower = r.toLowerCase();
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && v.toLowerCase().includes(lower);
      };
    }
    case 'glob': {
      const glob = compileGlob(r);
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && glob(v);
      };
    }
    case 'regex': {
      const re = compileRegex(r);
      // An invalid pattern: the generic path reports it.
      if (typeof re === 'string') return undefined;
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'pmatch': {
      const match = compilePmatch(strings);
      return (s) => {
        const v = get(s);
        return typeof v === 'string' && match(v);
      };
    }
    default:
      return undefined;
  }
}

/**
 * `in`/`intersects` of a list field against string literals: every element in the set (`in`: subset), or one
 * (`intersects`); false when the value is absent or not a list. Exactly check.ts applyTest's list case with a
 * Set test, without the per-call closures of every/some.
 */
export function fusedListCheck(lhs: CompiledField, op: Operator, keys: readonly Key[]): Predicate | undefined {
  if (lhs.type !== 'list' || (op !== 'in' && op !== 'intersects')) return undefined;
  const set = new Set<Key>(keys);
  const get = lhs.get;
  if (op === 'in') {
    return (s) => {
      const v = get(s);
      if (!Array.isArray(v)) return false;
      const list = v as readonly string[];
      for (let i = 0; i < list.length; i++) if (!set.has(list[i] as string)) return false;
      return true;
    };
  }
  return (s) => {
    const v = get(s);
    if (!Array.isArray(v)) return false;
    const list = v as readonly string[];
    for (let i = 0; i < list.length; i++) if (set.has(list[i] as string)) return true;
    return false;
  };
}

/**
 * `=`, `!=` and the order operators on a number or boolean field against one literal, the read and the comparison
 * fused: the value is converted as check.ts applyTest converts it (runtimeKey: absent or unconvertible is false),
 * then compared as ops.ts does (`===`; order as literal.ts order, the difference of two numbers).
 */
export function fusedScalarCheck(lhs: CompiledField, op: Operator, keys: readonly Key[]): Predicate | undefined {
  const { type, get } = lhs;
  const key = keys[0];
  if (keys.length !== 1 || key === undefined) return undefined;
  if (type === 'boolean' && typeof key === 'boolean') {
    if (op === '=' || op === '==') {
      return (s) => {
        const v = get(s);
        return v !== undefined && runtimeKey('boolean', v) === key;
      };
    }
    if (op === '!=') {
      return (s) => {
        const v = get(s);
        if (v === undefined) return false;
        const k = runtimeKey('boolean', v);
        return k !== undefined && k !== key;
      };
    }
    return undefined;
  }
  if (type !== 'number' || typeof key !== 'number') return undefined;
  const num = (s: RuleSubject): number | undefined => {
    const v = get(s);
    if (v === undefined) return undefined;
    const k = runtimeKey('number', v);
    return typeof k === 'number' ? k : undefined;
  };
  switch (op) {
    case '=':
    case '==':
      return (s) => num(s) === key;
    case '!=':
      return (s) => {
        const k = num(s);
        return k !== undefined && k !== key;
      };
    case '<':
      return (s) => {
        const k = num(s);
        return k !== undefined && k - key < 0;
      };
    case '<=':
      return (s) => {
        const k = num(s);
        return k !== undefined && k - key <= 0;
      };
    case '>':
      return (s) => {
        const k = num(s);
        return k !== undefined && k - key > 0;
      };
    case '>=':
      return (s) => {
        const k = num(s);
        return k !== undefined && k - key >= 0;
      };
    default:
      return undefined;
  }
}
