import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { scalarText, type SourcePos, type SourceText } from './text.ts';

/** One `- rule:` / `- macro:` / `- list:` / `- required_*` item of a rules file, with the places of its parts. */
export interface Item {
  readonly kind: 'rule' | 'macro' | 'list' | 'required_engine_version' | 'required_plugin_versions' | 'test';
  readonly pos: SourcePos;
  readonly file: string;
  /** Keys present on the item, with their values and places. */
  readonly keys: ReadonlyMap<string, ItemValue>;
}

export interface ItemValue {
  readonly node: Node | null;
  readonly pos: SourcePos;
  /** For scalars: the text with per-character positions. */
  readonly text?: SourceText;
}

// `test` is ours (`kms-drift rules test`); Falco warns about it as an unknown item and loads the rest.
const KINDS = ['required_engine_version', 'required_plugin_versions', 'list', 'macro', 'rule', 'test'] as const;

/** Alias expansion beyond this is a YAML bomb, not a rules file. */
const MAX_ALIAS_COUNT = 100;

export function readItems(file: string, source: string, problems: Problem[]): Item[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
  const posOf = (offset: number): SourcePos => ({ file, ...counter.linePos(offset) });
  const items: Item[] = [];
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const { line, col } = counter.linePos(e.pos[0]);
        problems.push({
          code: 'LOAD_ERR_YAML_PARSE',
          severity: 'error',
          source: file,
          line,
          column: col,
          message: e.message.split('\n')[0] ?? 'invalid YAML',
        });
      }
      continue;
    }
    let contents;
    try {
      contents = doc.contents;
      // Resolving aliases is where a billion-laughs document explodes; yaml bounds it with maxAliasCount.
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err: unknown) {
      problems.push({
        code: 'LOAD_ERR_YAML_PARSE',
        severity: 'error',
        source: file,
        line: 1,
        column: 1,
        message: err instanceof Error ? err.message : String(err),
      });
      continue;
    }
    if (contents === null || contents === undefined) continue;
    if (!isSeq(contents)) {
      const at = posOf(contents.range?.[0] ?? 0);
      problems.push(validate(at, 'Rules content is not yaml array of objects'));
      continue;
    }
    for (const node of contents.items) {
      if (node === null || (isScalar(node) && node.value === null)) continue;
      const at = posOf(isMap(node) || isScalar(node) || isSeq(node) ? (node.range?.[0] ?? 0) : 0);
      if (!isMap(node)) {
        problems.push(validate(at, 'Unexpected element type. Each element should be a yaml associative array.'));
        continue;
      }
      const item = toItem(file, source, counter, node, at, problems);
      if (item !== undefined) items.push(item);
    }
  }
  return items;
}

function toItem(
  file: string,
  source: string,
  counter: LineCounter,
  map: YAMLMap,
  at: SourcePos,
  problems: Problem[],
): Item | undefined {
  const keys = new Map<string, ItemValue>();
  for (const pair of map.items as Pair[]) {
    if (!isScalar(pair.key)) continue;
    const name = String(pair.key.value);
    const value = pair.value as Node | null;
    const offset = value !== null && 'range' in value && value.range ? value.range[0] : (pair.key.range?.[0] ?? 0);
    const pos: SourcePos = { file, ...counter.linePos(offset) };
    keys.set(name, {
      node: value,
      pos,
      ...(value !== null && isScalar(value) && value.value !== null
        ? { text: scalarText(file, source, counter, value as Scalar) }
        : {}),
    });
  }
  const kind = KINDS.find((k) => keys.has(k));
  if (kind === undefined) {
    problems.push({
      code: 'LOAD_UNKNOWN_ITEM',
      severity: 'warning',
      source: file,
      line: at.line,
      column: at.col,
      message: 'Unknown top level item',
    });
    return undefined;
  }
  return { kind, pos: at, file, keys };
}

export function validate(at: SourcePos, message: string): Problem {
  return { code: 'LOAD_ERR_YAML_VALIDATE', severity: 'error', source: at.file, line: at.line, column: at.col, message };
}

/** A scalar value as a string (numbers and booleans as written), or undefined for anything else. */
export function scalarString(value: ItemValue | undefined): string | undefined {
  if (value?.node === null || value?.node === undefined || !isScalar(value.node)) return undefined;
  const v = value.node.value;
  return v === null ? undefined : String(v);
}

/** A sequence of scalars as strings. */
export function scalarList(value: ItemValue | undefined): string[] | undefined {
  if (value?.node === null || value?.node === undefined || !isSeq(value.node)) return undefined;
  const out: string[] = [];
  for (const n of value.node.items) if (isScalar(n) && n.value !== null) out.push(String(n.value));
  return out;
}
