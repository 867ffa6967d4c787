import { field, isJsonObject, type JsonObject, type JsonValue } from '../model/json.ts';
import type { Problem } from '../model/problem.ts';

/**
 * Typed reads from one record that remember the first wrong type as a located Problem instead of throwing:
 * a record from the wire can hold anything, and the user needs the JSON path of what was wrong.
 */
export class RecordReader {
  readonly path: string;
  /** The first error: the record cannot become an event. */
  problem: Problem | undefined;
  /** Problems that leave the event usable (an unparsable deletionDate, say). */
  readonly warnings: Problem[] = [];

  constructor(path: string) {
    this.path = path;
  }

  object(obj: JsonObject | undefined, key: string, at: string): JsonObject | undefined {
    const v = obj === undefined ? undefined : field(obj, key);
    if (v === undefined || v === null) return undefined;
    if (isJsonObject(v)) return v;
    return this.wrong(`${at}.${key}`, 'an object', v);
  }

  string(obj: JsonObject | undefined, key: string, at: string): string | undefined {
    const v = obj === undefined ? undefined : field(obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    return this.wrong(`${at}.${key}`, 'a string', v);
  }

  boolean(obj: JsonObject | undefined, key: string, at: string): boolean | undefined {
    const v = obj === undefined ? undefined : field(obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.wrong(`${at}.${key}`, 'a boolean', v);
  }

  number(obj: JsonObject | undefined, key: string, at: string): number | undefined {
    const v = obj === undefined ? undefined : field(obj, key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    return this.wrong(`${at}.${key}`, 'a number', v);
  }

  array(obj: JsonObject | undefined, key: string, at: string): readonly JsonValue[] | undefined {
    const v = obj === undefined ? undefined : field(obj, key);
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v as readonly JsonValue[];
    return this.wrong(`${at}.${key}`, 'an array', v);
  }

  fail(problem: Problem): undefined {
    if (problem.severity === 'warning') this.warnings.push(problem);
    else this.problem ??= problem;
    return undefined;
  }

  private wrong(at: string, expected: string, got: JsonValue): undefined {
    const kind = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
    return this.fail({
      code: 'RECORD_SHAPE',
      severity: 'error',
      path: this.join(at),
      message: `expected ${expected}, got ${kind}`,
    });
  }

  join(at: string): string {
    return this.path === '' ? at.replace(/^\./, '') : `${this.path}${at}`;
  }
}

/** A value from the record described by its shape, never its bytes: problems reach logs that outlive the input. */
export function textShape(text: string): string {
  return `a string of ${text.length} character${text.length === 1 ? '' : 's'}`;
}
