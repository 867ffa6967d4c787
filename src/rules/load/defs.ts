import type { Priority } from '../../model/priority.ts';
import type { SourcePos, SourceText } from './text.ts';

export interface ListDef {
  readonly name: string;
  items: string[];
  readonly pos: SourcePos;
  /** Definition order: a list sees only lists defined before it (Falco's visibility). */
  order: number;
}

export interface MacroDef {
  readonly name: string;
  condition: SourceText;
  readonly pos: SourcePos;
  order: number;
}

export type ExceptionValue = string | readonly string[];

export interface ExceptionDef {
  readonly name: string;
  /** A list of fields (tuple form) or one field (scalar form). */
  readonly fields: readonly string[] | string;
  readonly comps: readonly string[] | string | undefined;
  values: ExceptionValue[][] | ExceptionValue[];
  readonly pos: SourcePos;
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
  order: number;
}
