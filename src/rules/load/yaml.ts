import { isAlias, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { error } from './problems.ts';
import type { SourcePos } from './text.ts';

/**
 * Falco's own rules file is about 100 KB; a rules file a hundred times that is a mistake or an attack, and the
 * YAML parser's memory grows with it, so we refuse it before parsing.
 */
export const MAX_RULES_FILE_CHARS = 8 * 1024 * 1024;

/** Alias expansion beyond this is a YAML bomb, not a rules file (yaml's own default, made explicit). */
export const MAX_ALIAS_COUNT = 100;

/** One YAML document of a rules file, with what is needed to turn node ranges into `line:col`. */
export interface YamlDoc {
  readonly file: string;
  readonly source: string;
  readonly counter: LineCounter;
  readonly doc: Document.Parsed;
  /** The document's top-level node, or null for an empty document. */
  readonly contents: Node | null;
}

/**
 * Parses every document of a rules file, keeping node positions. A document with a syntax error is reported at the
 * error's position and skipped; the others are still returned, so problems of a whole file are seen at once.
 */
export function parseYaml(file: string, source: string, problems: Problem[]): YamlDoc[] {
  if (source.length > MAX_RULES_FILE_CHARS) {
    problems.push(
      error(
        'LOAD_ERR_YAML_PARSE',
        { file, line: 1, col: 1 },
        `rules file too large (limit ${MAX_RULES_FILE_CHARS} characters)`,
      ),
    );
    return [];
  }
  const counter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: false });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err: unknown) {
    // yaml reports syntax as data; a throw here is a resource limit (stack depth on absurd nesting).
    problems.push(error('LOAD_ERR_YAML_PARSE', { file, line: 1, col: 1 }, messageOf(err)));
    return [];
  }
  const out: YamlDoc[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at: SourcePos = { file, ...counter.linePos(e.pos[0]) };
        problems.push(error('LOAD_ERR_YAML_PARSE', at, firstLine(e.message)));
      }
      continue;
    }
    try {
      // Resolving aliases is where a billion-laughs document explodes; yaml bounds it with maxAliasCount.
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err: unknown) {
      const offset = doc.contents?.range?.[0] ?? 0;
      problems.push(error('LOAD_ERR_YAML_PARSE', { file, ...counter.linePos(offset) }, messageOf(err)));
      continue;
    }
    const contents = doc.contents;
    out.push({ file, source, counter, doc, contents: contents === null ? null : (contents as Node) });
  }
  return out;
}

/** The node an alias points to (the document was checked against alias bombs), or the node itself. */
export function deref(doc: YamlDoc, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  if (!isAlias(node)) return node;
  const target = node.resolve(doc.doc);
  return target === undefined ? null : target;
}

/** Where a node starts, 1-based. */
export function nodePos(doc: YamlDoc, node: Node | null | undefined, fallback = 0): SourcePos {
  const offset = node !== null && node !== undefined && node.range ? node.range[0] : fallback;
  return { file: doc.file, ...doc.counter.linePos(offset) };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? 'invalid YAML';
}

function messageOf(err: unknown): string {
  return firstLine(err instanceof Error ? err.message : String(err));
}
