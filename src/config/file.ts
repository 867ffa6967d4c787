import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../model/problem.ts';

/** A YAML config file: setting name (as in Config, camelCase) → value, with where each value is written. */
export interface ConfigFile {
  readonly values: ReadonlyMap<string, { readonly value: unknown; readonly where: string }>;
  readonly problems: Problem[];
}

export function parseConfigFile(path: string, text: string, known: ReadonlySet<string>): ConfigFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const problems: Problem[] = [];
  const values = new Map<string, { value: unknown; where: string }>();
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  for (const e of doc.errors) {
    problems.push({
      code: 'CONFIG_INVALID',
      severity: 'error',
      source: path,
      ...at(e.pos[0]),
      message: e.message.split('\n')[0] ?? 'invalid YAML',
    });
  }
  if (problems.length > 0) return { values, problems };
  if (doc.contents === null) return { values, problems };
  if (!isMap(doc.contents)) {
    return {
      values,
      problems: [
        {
          code: 'CONFIG_INVALID',
          severity: 'error',
          source: path,
          line: 1,
          column: 1,
          message: 'the config file must be a map of settings',
        },
      ],
    };
  }
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const pos = at(pair.key.range?.[0] ?? 0);
    if (!known.has(key)) {
      problems.push({
        code: 'CONFIG_INVALID',
        severity: 'error',
        source: path,
        ...pos,
        message: `unknown setting '${key}' (${[...known].join(', ')})`,
      });
      continue;
    }
    const node = pair.value;
    const value = isSeq(node)
      ? node.items.map((i) => (isScalar(i) ? String(i.value) : ''))
      : isScalar(node)
        ? node.value
        : undefined;
    const valuePos = at((isScalar(node) || isSeq(node) ? node.range?.[0] : undefined) ?? pair.key.range?.[0] ?? 0);
    values.set(key, {
      value: typeof value === 'number' || typeof value === 'boolean' ? String(value) : value,
      where: `${path}:${valuePos.line}:${valuePos.column}`,
    });
  }
  return { values, problems };
}
