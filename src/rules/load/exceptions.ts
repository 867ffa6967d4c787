import { isMap, isSeq } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import type { ExceptionDef, ExceptionValue } from './defs.ts';
import { validate, type ItemValue } from './items.ts';
import { warning } from './problems.ts';

/** A rule's `exceptions:` list, in Falco's shape: `{name, fields, comps?, values?}`, tuple or scalar form. */
export function parseExceptions(value: ItemValue | undefined, rule: string, problems: Problem[]): ExceptionDef[] {
  if (value?.node === null || value?.node === undefined) return [];
  if (!isSeq(value.node)) {
    problems.push(validate(value.pos, 'exceptions must be a sequence'));
    return [];
  }
  const out: ExceptionDef[] = [];
  for (const node of value.node.items) {
    const at = value.pos;
    if (!isMap(node)) {
      problems.push(validate(at, 'an exception must be a map with name, fields, comps, values'));
      continue;
    }
    const js = node.toJSON() as Record<string, unknown>;
    const name = typeof js['name'] === 'string' ? js['name'] : undefined;
    if (name === undefined) {
      problems.push(validate(at, "Item has no mapping for key 'name'"));
      continue;
    }
    if (out.some((e) => e.name === name))
      problems.push(
        warning(
          'LOAD_EXCEPTION_NAME_NOT_UNIQUE',
          at,
          `Multiple definitions of exception '${name}' in the same rule '${rule}'`,
        ),
      );
    const fields = js['fields'];
    const comps = js['comps'];
    const values = js['values'];
    const fieldsOk =
      typeof fields === 'string' || (Array.isArray(fields) && fields.every((f) => typeof f === 'string'));
    if (!fieldsOk) {
      problems.push(validate(at, `exception '${name}': fields must be a field or a list of fields`));
      continue;
    }
    const valuesList = Array.isArray(values) ? values : [];
    out.push({
      name,
      fields: fields as string[] | string,
      comps: typeof comps === 'string' || Array.isArray(comps) ? (comps as string[] | string) : undefined,
      values: valuesList.map((v) => (Array.isArray(v) ? v.map(exceptionValue) : exceptionValue(v))) as
        ExceptionValue[][] | ExceptionValue[],
      pos: at,
    });
  }
  return out;
}

function exceptionValue(v: unknown): ExceptionValue {
  return Array.isArray(v) ? v.map(String) : String(v);
}
