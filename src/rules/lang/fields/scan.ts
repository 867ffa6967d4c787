import type { FieldDef } from './types.ts';
import { findingField } from './define.ts';

/** Facts only `kms-drift scan` findings carry (evt.name = "Scan"). */
export const SCAN_FIELDS: readonly FieldDef[] = [
  findingField(
    'scan.missing',
    'string',
    'scan: why a declared resource is missing, not_found or pending_deletion; no value when it is there',
    'not_found',
    (f) => (f.driftType === 'deleted' ? f.event.missing?.reason : undefined),
  ),
];
