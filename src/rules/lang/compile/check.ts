import type { CheckExpr, Operator } from '../ast.ts';
import type { LangError } from '../error.ts';
import type { FieldRegistry, FieldResult, FieldType } from '../fields/types.ts';
import { compileField, type CompiledField } from './field.ts';
import { fusedListCheck, fusedScalarCheck, fusedStringCheck } from './fused.ts';
import { literalKey, runtimeKey, type Key } from './literal.ts';
import { FIELD_VALUE_OPS, SET_OPS, literalTest, operatorAllowed, type Test } from './ops.ts';

export type { Predicate } from './fused.ts';
import type { Predicate } from './fused.ts';

/** One field check. Every comparison on an absent field is false (Falco); only `exists` looks at absence. */
export function compileCheck(check: CheckExpr, fields: FieldRegistry): Predicate | LangError[] {
  const lhs = compileField(check.field, fields);
  if ('message' in lhs) return [lhs];
  const { op, value } = check;
  if (op === 'exists') return (s) => lhs.get(s) !== undefined;
  if (!operatorAllowed(lhs.type, op)) {
    return [{ message: `operator '${op}' is not supported on ${lhs.type} field ${lhs.label}`, pos: check.pos }];
  }
  if (value?.kind === 'string' && value.pos.offset === check.pos.offset && lhs.type !== 'boolean') {
    return [
      {
        message: `${lhs.label} is a ${lhs.type} field: alone it is no condition (write '${lhs.label} exists')`,
        pos: check.pos,
      },
    ];
  }
  if (value === undefined) return [{ message: `operator '${op}' needs a value`, pos: check.pos }];
  switch (value.kind) {
    case 'listref':
      return [{ message: `undefined list '${value.name}'`, pos: value.pos }];
    case 'fieldvalue': {
      if (!FIELD_VALUE_OPS.has(op)) {
        return [{ message: `operator '${op}' cannot compare with another field`, pos: value.pos }];
      }
      const rhs = compileField(value.field, fields);
      if ('message' in rhs) return [rhs];
      return fieldToField(lhs, op, rhs);
    }
    case 'string':
    case 'list': {
      const items = value.kind === 'string' ? [value] : value.items;
      const keys: Key[] = [];
      const errors: LangError[] = [];
      for (const item of items) {
        const k = literalKey(lhs.type === 'list' ? 'string' : lhs.type, item.value);
        if (typeof k === 'string') errors.push({ message: k, pos: item.pos });
        else keys.push(k.key);
      }
      if (errors.length > 0) return errors;
      // The common checks as one closure each, operands prepared (fused.ts); the rest below, generically.
      const fused = fusedStringCheck(lhs, op, keys) ?? fusedListCheck(lhs, op, keys) ?? fusedScalarCheck(lhs, op, keys);
      if (fused !== undefined) return fused;
      const test = literalTest(
        op,
        keys,
        items.map((i) => i.value),
      );
      if (typeof test === 'string') return [{ message: test, pos: value.pos }];
      return applyTest(lhs, op, test);
    }
  }
}

function applyTest(lhs: CompiledField, op: Operator, test: Test): Predicate {
  const { get, type } = lhs;
  if (type === 'list') {
    // `in` on a list field: every element is in the set (subset); `intersects`: at least one is.
    return op === 'in'
      ? (s) => {
          const v = get(s);
          return Array.isArray(v) && (v as readonly string[]).every(test);
        }
      : (s) => {
          const v = get(s);
          return Array.isArray(v) && (v as readonly string[]).some(test);
        };
  }
  if (type === 'string') {
    return (s) => {
      const v = get(s);
      return typeof v === 'string' && test(v);
    };
  }
  return (s) => {
    const v = get(s);
    if (v === undefined) return false;
    const k = runtimeKey(type, v);
    return k !== undefined && test(k);
  };
}

function keysOf(type: FieldType, v: FieldResult): Key[] {
  const scalarType = type === 'list' ? 'string' : type;
  const values = Array.isArray(v) ? (v as readonly string[]) : [v as Key];
  const keys: Key[] = [];
  for (const x of values) {
    const k = runtimeKey(scalarType, x);
    if (k !== undefined) keys.push(k);
  }
  return keys;
}

/** `a = val(b)`: both sides are read per event and compared as the left-hand field's type. */
function fieldToField(lhs: CompiledField, op: Operator, rhs: CompiledField): Predicate {
  return (s) => {
    const b = rhs.get(s);
    if (b === undefined) return false;
    const keys = SET_OPS.has(op) ? keysOf(lhs.type, b) : Array.isArray(b) ? [] : keysOf(lhs.type, b);
    if (keys.length === 0) return false;
    const test = literalTest(op, keys, keys.map(String));
    return typeof test !== 'string' && applyTest(lhs, op, test)(s);
  };
}
