import { COMPARISON_OPERATORS, LIST_OPERATORS } from '../lang/ast.ts';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import type { ExceptionDef, ExceptionTuple, ExceptionValue, Located } from './defs.ts';
import { validate, type ItemValue } from './items.ts';
import { error, warning } from './problems.ts';
import type { SourcePos } from './text.ts';
import { deref, nodePos, type YamlDoc } from './yaml.ts';

// Falco's comparison operators (libs filter parser); `exists` takes no value, so it cannot be a comp.
const COMPS: ReadonlySet<string> = new Set<string>(COMPARISON_OPERATORS);
const LIST_COMPS: ReadonlySet<string> = LIST_OPERATORS;

/** An exception as written in one item, before it is merged into a rule (an appended one may lack fields). */
export interface RawException {
  readonly name: string;
  readonly pos: SourcePos;
  readonly fields?: readonly Located<string>[] | Located<string>;
  readonly comps?: readonly Located<string>[] | Located<string>;
  readonly values?: readonly ExceptionTuple[];
}

/** A rule's `exceptions:` list, in Falco's shape `{name, fields, comps?, values?}`, every part with its place. */
export function readExceptions(value: ItemValue | undefined, doc: YamlDoc, problems: Problem[]): RawException[] {
  if (value?.node === null || value?.node === undefined) return [];
  if (!isSeq(value.node)) {
    problems.push(validate(value.pos, 'exceptions must be a sequence'));
    return [];
  }
  const out: RawException[] = [];
  for (const raw of value.node.items as (Node | null)[]) {
    const node = deref(doc, raw);
    const at = nodePos(doc, node, value.node.range?.[0]);
    if (node === null || !isMap(node)) {
      problems.push(validate(at, 'an exception must be a map with name, fields, comps, values'));
      continue;
    }
    const get = (key: string): Node | null => deref(doc, node.get(key, true) as Node | undefined);
    const nameNode = get('name');
    if (nameNode === null || !isScalar(nameNode) || nameNode.value === null) {
      problems.push(validate(at, "Item has no mapping for key 'name'"));
      continue;
    }
    for (const pair of node.items) {
      const key = deref(doc, pair.key as Node | null);
      const k = key !== null && isScalar(key) ? String(key.value) : '';
      if (!['name', 'fields', 'comps', 'values'].includes(k))
        problems.push(
          warning(
            'LOAD_UNKNOWN_KEY',
            nodePos(doc, key, node.range?.[0]),
            `Unknown key '${k}'. The key will be ignored.`,
          ),
        );
    }
    const name = String(nameNode.value);
    const fields = strings(doc, get('fields'), 'fields', problems);
    const comps = strings(doc, get('comps'), 'comps', problems);
    const valuesNode = get('values');
    const form = fields === undefined ? undefined : Array.isArray(fields) ? 'list' : 'scalar';
    out.push({
      name,
      pos: at,
      ...(fields === undefined ? {} : { fields }),
      ...(comps === undefined ? {} : { comps }),
      ...(valuesNode === null ? {} : { values: tuples(doc, valuesNode, form, problems) }),
    });
  }
  return out;
}

/**
 * Falco's checks on a complete exception (collector `validate_exception_info`): fields and comps of equal length,
 * comps that are operators (a single field takes only list operators), every value tuple as long as the fields.
 */
export function defineException(raw: RawException, problems: Problem[]): ExceptionDef | undefined {
  const fail = (at: SourcePos, message: string): undefined =>
    void problems.push(error('LOAD_ERR_VALIDATE', at, `Exception '${raw.name}': ${message}`));
  if (raw.fields === undefined) return fail(raw.pos, "Item has no mapping for key 'fields'");
  const values = raw.values ?? [];
  if (!Array.isArray(raw.fields)) {
    const field = raw.fields as Located<string>;
    if (Array.isArray(raw.comps)) return fail(raw.pos, 'a single field takes a single comp');
    const comp = (raw.comps as Located<string> | undefined) ?? { value: 'in', pos: field.pos };
    if (!LIST_COMPS.has(comp.value))
      return fail(
        comp.pos,
        `'${comp.value}' is not a supported comparison operator for a single field (in, pmatch, intersects)`,
      );
    // A single field compares against a flat list of values; nested lists are flattened into it.
    const flat = values.flatMap((t) =>
      t.values.flatMap((v) => (typeof v === 'string' ? [v] : v)).map((v) => ({ values: [v], pos: t.pos })),
    );
    return { name: raw.name, pos: raw.pos, form: 'scalar', fields: [field], comps: [comp], values: flat };
  }
  const fields = raw.fields as readonly Located<string>[];
  if (raw.comps !== undefined && !Array.isArray(raw.comps))
    return fail(raw.pos, 'comps must be a list when fields is a list');
  const comps =
    (raw.comps as readonly Located<string>[] | undefined) ?? fields.map((f) => ({ value: '=', pos: f.pos }));
  if (comps.length !== fields.length)
    return fail(
      raw.pos,
      `fields and comps lists must have equal length (${fields.length} fields, ${comps.length} comps)`,
    );
  const bad = comps.find((c) => !COMPS.has(c.value));
  if (bad !== undefined) return fail(bad.pos, `'${bad.value}' is not a supported comparison operator`);
  const ok: ExceptionTuple[] = [];
  for (const tuple of values) {
    if (tuple.values.length === fields.length) ok.push(tuple);
    else fail(tuple.pos, `value tuple has ${tuple.values.length} elements, fields has ${fields.length}`);
  }
  return { name: raw.name, pos: raw.pos, form: 'list', fields, comps, values: ok };
}

/** `override: {exceptions: append}`: values join an exception of the same name; a new name is a new exception. */
export function appendExceptions(
  existing: ExceptionDef[],
  incoming: readonly RawException[],
  problems: Problem[],
): void {
  for (const raw of incoming) {
    if (raw.values === undefined || raw.values.length === 0)
      problems.push(
        warning('LOAD_APPEND_NO_VALUES', raw.pos, `Overriding/appending exception '${raw.name}' with no values`),
      );
    const target = existing.find((e) => e.name === raw.name);
    if (target === undefined) {
      const def = defineException(raw, problems);
      if (def !== undefined) existing.push(def);
      continue;
    }
    if (raw.fields !== undefined || raw.comps !== undefined) {
      problems.push(
        error(
          'LOAD_ERR_VALIDATE',
          raw.pos,
          `Can not append exception fields or comps to existing exception '${raw.name}', only values`,
        ),
      );
      continue;
    }
    const scalar = target.form === 'scalar';
    const shape = {
      fields: scalar ? (target.fields[0] as Located<string>) : target.fields,
      comps: scalar ? (target.comps[0] as Located<string>) : target.comps,
    };
    const checked = defineException({ ...raw, ...shape }, problems);
    if (checked !== undefined) target.values.push(...checked.values);
  }
}

/** Exceptions of a rule definition; a repeated name is Falco's LOAD_EXCEPTION_NAME_NOT_UNIQUE warning. */
export function defineExceptions(raws: readonly RawException[], rule: string, problems: Problem[]): ExceptionDef[] {
  const out: ExceptionDef[] = [];
  for (const raw of raws) {
    if (out.some((e) => e.name === raw.name))
      problems.push(
        warning(
          'LOAD_EXCEPTION_NAME_NOT_UNIQUE',
          raw.pos,
          `Multiple definitions of exception '${raw.name}' in the same rule '${rule}'`,
        ),
      );
    const def = defineException(raw, problems);
    if (def !== undefined) out.push(def);
  }
  return out;
}

function strings(
  doc: YamlDoc,
  node: Node | null,
  key: string,
  problems: Problem[],
): readonly Located<string>[] | Located<string> | undefined {
  if (node === null) return undefined;
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object')
    return { value: String(node.value), pos: nodePos(doc, node) };
  if (isSeq(node)) {
    const out: Located<string>[] = [];
    for (const raw of node.items as (Node | null)[]) {
      const n = deref(doc, raw);
      if (n !== null && isScalar(n) && n.value !== null && typeof n.value !== 'object')
        out.push({ value: String(n.value), pos: nodePos(doc, n) });
      else problems.push(validate(nodePos(doc, n, node.range?.[0]), `exception ${key} must be strings`));
    }
    return out;
  }
  problems.push(validate(nodePos(doc, node), `exception ${key} must be a string or a list of strings`));
  return undefined;
}

/** List form: a sequence of tuples; scalar form: a flat sequence, each value a tuple of one. */
function tuples(doc: YamlDoc, node: Node, form: 'list' | 'scalar' | undefined, problems: Problem[]): ExceptionTuple[] {
  if (!isSeq(node)) {
    problems.push(validate(nodePos(doc, node), 'exception values must be a sequence'));
    return [];
  }
  const out: ExceptionTuple[] = [];
  for (const raw of node.items as (Node | null)[]) {
    const n = deref(doc, raw);
    const pos = nodePos(doc, n, node.range?.[0]);
    if (form !== 'scalar' && n !== null && isSeq(n)) {
      out.push({ values: (n.items as (Node | null)[]).map((v) => value(doc, deref(doc, v))), pos });
    } else if (form !== 'list') {
      // Scalar form, or an append whose form is the existing exception's: one value.
      out.push({ values: [value(doc, n)], pos });
    } else {
      problems.push(validate(pos, 'an exception value must be a list with one value per field'));
    }
  }
  return out;
}

function value(doc: YamlDoc, node: Node | null): ExceptionValue {
  if (node !== null && isSeq(node))
    return (node.items as (Node | null)[]).map((v) => {
      const d = deref(doc, v);
      return d !== null && isScalar(d) ? String(d.value ?? '') : '';
    });
  return node !== null && isScalar(node) ? String(node.value ?? '') : '';
}
