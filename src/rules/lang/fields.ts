import type { FieldDef, FieldRegistry, ResolveResult } from './fields/types.ts';
import { S3_EC2_FIELDS } from './fields/s3-ec2.ts';
import { CLOUDTRAIL_FIELDS } from './fields/cloudtrail.ts';
import { EVT_FIELDS } from './fields/evt.ts';
import { DRIFT_FIELDS } from './fields/drift.ts';
import { SCAN_FIELDS } from './fields/scan.ts';

export type {
  EventContext,
  FieldArgument,
  FieldDef,
  FieldRegistry,
  FieldResult,
  FieldType,
  ResolveResult,
  RuleSubject,
} from './fields/types.ts';

/** A registry over a fixed set of definitions; names are unique (a duplicate is a programming error). */
export function createFieldRegistry(defs: readonly FieldDef[]): FieldRegistry {
  const byName = new Map<string, FieldDef>();
  for (const def of defs) {
    if (byName.has(def.name)) throw new Error(`duplicate field ${def.name}`);
    byName.set(def.name, def);
  }
  const sorted = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    resolve(name, arg): ResolveResult {
      const def = byName.get(name);
      if (def === undefined) return { ok: false, message: `nonexistent field ${name}` };
      if (def.argument === 'required' && arg === undefined) {
        return { ok: false, message: `field ${name} requires an argument, e.g. ${def.example}` };
      }
      if (def.argument === 'none' && arg !== undefined) {
        return { ok: false, message: `field ${name} does not take an argument` };
      }
      const bad = arg === undefined ? undefined : def.checkArg?.(arg);
      if (bad !== undefined) return { ok: false, message: bad };
      return { ok: true, def };
    },
    all: () => sorted,
  };
}

export const fieldRegistry: FieldRegistry = createFieldRegistry([
  ...CLOUDTRAIL_FIELDS,
  ...S3_EC2_FIELDS,
  ...EVT_FIELDS,
  ...DRIFT_FIELDS,
  ...SCAN_FIELDS,
]);
