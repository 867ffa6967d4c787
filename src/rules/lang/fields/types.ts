import type { DriftFinding } from '../../../model/finding.ts';

export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'list';

/**
 * A typed field value. `date` fields yield their ISO 8601 text (compared as instants, rendered as written);
 * `list` fields yield a non-empty array (an empty list is no value, as in Falco).
 * Every FieldResult is also a JSON value, so it goes into `output_fields` unchanged.
 */
export type FieldResult = string | number | boolean | readonly string[];

export type FieldArgument = 'required' | 'optional' | 'none';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly description: string;
  /** An example value, for `rules fields` and docs. */
  readonly example: string;
  readonly argument: FieldArgument;
  /** `undefined` means the field has no value for this subject (Falco's `<NA>`). */
  extract(subject: DriftFinding, arg?: string): FieldResult | undefined;
  /** Rejects a bad argument at load time (e.g. a JSON pointer not starting with `/`); returns a message. */
  checkArg?(arg: string): string | undefined;
}

export type ResolveResult =
  { readonly ok: true; readonly def: FieldDef } | { readonly ok: false; readonly message: string };

export interface FieldRegistry {
  resolve(name: string, arg: string | undefined): ResolveResult;
  all(): readonly FieldDef[];
}
