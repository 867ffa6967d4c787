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
  // `extract` itself: no wrapper call per read (its argument is always undefined: the field takes none).
  return { name, type, description, example, argument: 'none', extract };
}

/** The same field, read once per event (FieldDef.memo): for values derived with a parse, an allocation, a search. */
export function memo(def: FieldDef): FieldDef {
  return { ...def, memo: true };
}
