import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../model/problem.ts';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One setting as written in the file: its value and where, and where each list item is (for list errors). */
export interface FileValue {
  readonly value: unknown;
  readonly at: Position;
  readonly items: readonly Position[];
}

export interface ConfigFile {
  readonly values: ReadonlyMap<string, FileValue>;
  readonly problems: readonly Problem[];
}

/** A YAML map of setting names (Config's camelCase field names) to values; positions come from the `yaml` package. */
export function parseConfigFile(path: string, text: string, known: ReadonlySet<string>): ConfigFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const at = (offset: number | undefined): Position => {
    const { line, col } = counter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const problem = (pos: Position, message: string): Problem => ({
    code: 'CONFIG_INVALID',
    severity: 'error',
    source: path,
    ...pos,
    message,
  });
  const values = new Map<string, FileValue>();
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => problem(at(e.pos[0]), yamlMessage(e.message)));
    return { values, problems };
  }
  if (doc.contents === null) return { values, problems: [] };
  if (!isMap(doc.contents)) {
    return { values, problems: [problem(at(rangeStart(doc.contents)), 'the config file must be a map of settings')] };
  }
  let js: unknown;
  try {
    // Resolves aliases once, with the package's limit on alias expansion (a billion-laughs file is a problem, not OOM).
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err: unknown) {
    return { values, problems: [problem(at(0), err instanceof Error ? err.message : String(err))] };
  }
  const resolved = typeof js === 'object' && js !== null ? js : {};
  const problems: Problem[] = [];
  const names = [...known].join(', ');
  for (const pair of doc.contents.items) {
    const keyAt = at(isScalar(pair.key) ? rangeStart(pair.key) : undefined);
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || !known.has(key)) {
      problems.push(problem(keyAt, `unknown setting ${JSON.stringify(String(key))} (known: ${names})`));
      continue;
    }
    const node = isNode(pair.value) ? pair.value : undefined;
    values.set(key, {
      // Scalars keep their YAML type (4, true) so the schema can say "expected a whole number" about `four`.
      value: Object.hasOwn(resolved, key) ? Reflect.get(resolved, key) : null,
      at: node === undefined ? keyAt : at(rangeStart(node)),
      items: isSeq(node) ? node.items.map((i) => at(isNode(i) ? rangeStart(i) : rangeStart(node))) : [],
    });
  }
  return { values, problems };
}

function rangeStart(node: { range?: readonly number[] | null | undefined }): number | undefined {
  return node.range?.[0];
}

/**
 * The `yaml` package's message without the text it quotes (`Unexpected … token in YAML stream: "<source>"`): the
 * position says where, and a config file can hold what should not reach a log.
 */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? 'invalid YAML').replace(/: ".*$/, '');
}
