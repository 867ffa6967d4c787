import type { DriftFinding } from '../../../model/finding.ts';
import type { JsonValue } from '../../../model/json.ts';

/**
 * What Falco's inspector knows of an event besides the event: its number in the capture, when the capture's first
 * event happened, the host. The ruleset sets it for each event it evaluates; without it an event is the first and
 * only one of its capture (`rules explain`, tests).
 */
export interface EventContext {
  /** 1-based (evt.num). */
  readonly num: number;
  /** Milliseconds since the epoch of the capture's first event (evt.reltime). */
  readonly firstTimeMs?: number;
  /** evt.hostname. */
  readonly hostname?: string;
}

/** What conditions and outputs are evaluated on: a finding, and where it sits in the capture. */
export type RuleSubject = DriftFinding & { readonly context?: EventContext };

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
  /**
   * Computing the value costs more than looking it up (a parse, an allocation, several reads): conditions and outputs
   * then read it once per event (compile/memo.ts). Only for fields without an argument; the value must depend on the
   * subject alone.
   */
  readonly memo?: boolean;
  /** `undefined` means the field has no value for this subject (Falco's `<NA>`). */
  extract(subject: RuleSubject, arg?: string): FieldResult | undefined;
  /** Rejects a bad argument at load time (e.g. a JSON pointer not starting with `/`); returns a message. */
  checkArg?(arg: string): string | undefined;
  /** How `%field` prints the value when it is not its plain text (Falco's time formats, zero padding). */
  render?(value: FieldResult): string;
  /** The value in `output_fields` when Falco types it otherwise (times as nanoseconds since the epoch). */
  outputValue?(value: FieldResult, subject: RuleSubject): JsonValue;
}

export type ResolveResult =
  { readonly ok: true; readonly def: FieldDef } | { readonly ok: false; readonly message: string };

export interface FieldRegistry {
  resolve(name: string, arg: string | undefined): ResolveResult;
  all(): readonly FieldDef[];
}
