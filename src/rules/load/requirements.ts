import { isMap, isSeq, type Node } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { scalarString, validate, type Item } from './items.ts';
import { error, warning } from './problems.ts';
import { deref, nodePos } from './yaml.ts';

/**
 * The Falco rules-engine version whose file format and semantics we implement (falco commit 1307474, see
 * shared/reference/falco-rules-language.md). `required_engine_version: N` means 0.N.0, as in Falco; any requirement
 * up to this version loads.
 */
export const ENGINE_VERSION = '0.63.0';

export function checkEngineVersion(item: Item, problems: Problem[]): void {
  const v = item.keys.get('required_engine_version');
  const text = scalarString(v);
  const wanted =
    text === undefined ? undefined : /^\d+$/.test(text) ? [0, Number(text), 0] : text.split('.').map(Number);
  if (wanted === undefined || wanted.length !== 3 || wanted.some((n) => !Number.isInteger(n))) {
    problems.push(validate(v?.pos ?? item.pos, `Unable to parse engine version '${text ?? ''}' as a semver string`));
    return;
  }
  const have = ENGINE_VERSION.split('.').map(Number);
  const newer = wanted.findIndex((n, i) => n !== (have[i] ?? 0));
  if (newer >= 0 && (wanted[newer] ?? 0) > (have[newer] ?? 0)) {
    problems.push(
      error(
        'LOAD_ERR_VALIDATE',
        v?.pos ?? item.pos,
        `Rules require engine version ${wanted.join('.')}, but engine version is ${ENGINE_VERSION}`,
      ),
    );
  }
}

export function checkPluginVersions(item: Item, problems: Problem[]): void {
  const v = item.keys.get('required_plugin_versions');
  if (v?.node === null || v?.node === undefined || !isSeq(v.node)) {
    problems.push(validate(v?.pos ?? item.pos, 'required_plugin_versions must be a sequence of {name, version}'));
    return;
  }
  for (const raw of v.node.items as (Node | null)[]) {
    const entry = deref(item.doc, raw);
    const js: unknown = entry !== null && isMap(entry) ? entry.toJS(item.doc.doc) : undefined;
    const name = field(js, 'name');
    const alternatives = field(js, 'alternatives');
    const names = [name, ...(Array.isArray(alternatives) ? alternatives.map((a: unknown) => field(a, 'name')) : [])];
    // The cloudtrail and json plugins' fields are built in; an entry is met when it or one of its alternatives
    // names one of them (Falco's check_plugin_requirements).
    if (!names.some((n) => n === 'cloudtrail' || n === 'json')) {
      const message = `plugin '${String(name)}' is not provided by kms-drift (cloudtrail and json fields are built in)`;
      problems.push(warning('LOAD_UNKNOWN_ITEM', nodePos(item.doc, entry, v.node.range?.[0]), message));
    }
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
