import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { error, warning } from './problems.ts';
import { scalarText, type SourcePos, type SourceText } from './text.ts';
import { deref, nodePos, parseYaml, type YamlDoc } from './yaml.ts';

/** One `- rule:` / `- macro:` / `- list:` / `- required_*` item of a rules file, with the places of its parts. */
export interface Item {
  readonly kind: ItemKind;
  readonly pos: SourcePos;
  readonly file: string;
  /** Keys present on the item, with their values and places. */
  readonly keys: ReadonlyMap<string, ItemValue>;
  readonly doc: YamlDoc;
}

export type ItemKind = (typeof KINDS)[number];

export interface ItemValue {
  /** The value, aliases resolved. */
  readonly node: Node | null;
  /** Where the value starts (the key's place when the value is empty). */
  readonly pos: SourcePos;
  readonly keyPos: SourcePos;
  /** For scalars: the text with per-character positions. */
  readonly text?: SourceText;
}

// Falco's order: an item is what its first key in this list says. `test` is ours (`kms-drift rules test`); Falco
// warns about it as an unknown item and loads the rest.
const KINDS = ['required_engine_version', 'required_plugin_versions', 'list', 'macro', 'rule', 'test'] as const;

export function readItems(file: string, source: string, problems: Problem[]): Item[] {
  const items: Item[] = [];
  for (const doc of parseYaml(file, source, problems)) {
    const contents = deref(doc, doc.contents);
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    if (!isSeq(contents)) {
      problems.push(validate(nodePos(doc, contents), 'Rules content is not yaml array of objects'));
      continue;
    }
    for (const raw of contents.items as (Node | null)[]) {
      const node = deref(doc, raw);
      if (node === null || (isScalar(node) && node.value === null)) continue;
      const at = nodePos(doc, node);
      if (!isMap(node)) {
        problems.push(validate(at, 'Unexpected element type. Each element should be a yaml associative array.'));
        continue;
      }
      const item = toItem(doc, node, at, problems);
      if (item !== undefined) items.push(item);
    }
  }
  return items;
}

function toItem(doc: YamlDoc, map: YAMLMap, at: SourcePos, problems: Problem[]): Item | undefined {
  const keys = new Map<string, ItemValue>();
  for (const pair of map.items) {
    const key = deref(doc, pair.key as Node | null);
    if (key === null || !isScalar(key)) continue;
    const name = String(key.value);
    const keyPos = nodePos(doc, key);
    const value = deref(doc, pair.value as Node | null);
    const pos = value?.range ? nodePos(doc, value) : keyPos;
    const text =
      value !== null && isScalar(value) && value.value !== null && typeof value.value !== 'object'
        ? scalarText(doc.file, doc.source, doc.counter, value as Scalar)
        : undefined;
    keys.set(name, { node: value, pos, keyPos, ...(text === undefined ? {} : { text }) });
  }
  const kind = KINDS.find((k) => keys.has(k));
  if (kind === undefined) {
    problems.push(warning('LOAD_UNKNOWN_ITEM', at, 'Unknown top level item'));
    return undefined;
  }
  return { kind, pos: at, file: doc.file, keys, doc };
}

export function validate(at: SourcePos, message: string): Problem {
  return error('LOAD_ERR_YAML_VALIDATE', at, message);
}

/** A scalar value as a string (numbers and booleans as written), or undefined for anything else. */
export function scalarString(value: ItemValue | undefined): string | undefined {
  const node = value?.node;
  if (node === null || node === undefined || !isScalar(node)) return undefined;
  const v = node.value;
  return v === null || typeof v === 'object' ? undefined : String(v);
}

/** A sequence of scalars as strings (aliases resolved); undefined when the value is not a sequence. */
export function scalarList(value: ItemValue | undefined, doc?: YamlDoc): string[] | undefined {
  const node = value?.node;
  if (node === null || node === undefined || !isSeq(node)) return undefined;
  const out: string[] = [];
  for (const raw of node.items as (Node | null)[]) {
    const n = doc === undefined ? raw : deref(doc, raw);
    if (n !== null && isScalar(n) && n.value !== null && typeof n.value !== 'object') out.push(String(n.value));
  }
  return out;
}

const TRUE = new Set(['true', 'yes', 'on', 'y']);
const FALSE = new Set(['false', 'no', 'off', 'n']);

/**
 * A boolean as yaml-cpp reads one for Falco (`true/false/yes/no/on/off/y/n`, any case); a non-boolean value is
 * reported at its place and `fallback` is kept.
 */
export function booleanValue(
  value: ItemValue | undefined,
  key: string,
  fallback: boolean,
  problems: Problem[],
): boolean {
  if (value === undefined) return fallback;
  const text = scalarString(value)?.toLowerCase();
  if (text !== undefined && TRUE.has(text)) return true;
  if (text !== undefined && FALSE.has(text)) return false;
  problems.push(validate(value.pos, `Value for '${key}' must be a boolean (true or false)`));
  return fallback;
}
