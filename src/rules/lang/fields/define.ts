import type { JsonObject } from '../../../model/json.ts';
import type { FieldDef, FieldResult, RuleSubject } from './types.ts';

/** A string field of the CloudTrail record, without argument. */
export function ctField(
  name: string,
  description: string,
  example: string,
  read: (rec: JsonObject) => string | undefined,
): FieldDef {
  return { name, type: 'string', description, example, argument: 'none', extract: (f) => read(f.event.record) };
}

export function findingField(
  name: string,
  type: FieldDef['type'],
  description: string,
  example: string,
  extract: (f: RuleSubject) => FieldResult | undefined,
): FieldDef {
  return { name, type, description, example, argument: 'none', extract: (f) => extract(f) };
}
