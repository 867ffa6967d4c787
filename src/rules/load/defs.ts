import type { Priority } from '../../model/priority.ts';
import type { SourcePos, SourceText } from './text.ts';

export interface Located<T> {
  readonly value: T;
  readonly pos: SourcePos;
}

export interface ListDef {
  readonly name: string;
  items: string[];
  readonly pos: SourcePos;
  /** Visibility: a list sees only lists defined before it (Falco). A redefinition gets a new one. */
  order: number;
}

export interface MacroDef {
  readonly name: string;
  condition: SourceText;
  readonly pos: SourcePos;
  /** Visibility: a macro sees only macros defined before it (Falco). A redefinition gets a new one. */
  order: number;
}

/** One value of an exception tuple: a string, or a list of strings (`[a, b]`, compared with a list operator). */
export type ExceptionValue = string | readonly string[];

/** One row of `values`: one value per field (scalar form: exactly one). */
export interface ExceptionTuple {
  readonly values: readonly ExceptionValue[];
  readonly pos: SourcePos;
}

export interface ExceptionDef {
  readonly name: string;
  readonly pos: SourcePos;
  /** `fields: [a, b]` (tuples, comps default `=`) or `fields: a` (a flat value list, comp default `in`). */
  readonly form: 'list' | 'scalar';
  readonly fields: readonly Located<string>[];
  /** As many as fields; defaults filled in. */
  readonly comps: readonly Located<string>[];
  readonly values: ExceptionTuple[];
}

export interface RuleDef {
  readonly name: string;
  readonly pos: SourcePos;
  condition: SourceText;
  output: SourceText;
  desc: string;
  priority: Priority;
  readonly source: string;
  enabled: boolean;
  tags: Set<string>;
  exceptions: ExceptionDef[];
  skipIfUnknownFilter: boolean;
  /** Place in load order; a redefinition keeps it (Falco's `define_info` keeps the index). */
  readonly order: number;
}
