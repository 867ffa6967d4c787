import { isMap, isSeq, type Node } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { scalarString, validate, type Item } from './items.ts';
import { error } from './problems.ts';
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

/**
 * The plugins whose fields are built in, at the release whose extract code they follow (falcosecurity/plugins tags
 * plugins/cloudtrail/v0.17.1 and plugins/json/v0.7.4).
 */
export const EMULATED_PLUGINS: ReadonlyMap<string, string> = new Map([
  ['cloudtrail', '0.17.1'],
  ['json', '0.7.4'],
]);

interface Requirement {
  readonly name: string;
  readonly version: string;
}

/**
 * Falco's check (falco_engine::check_plugin_requirements and rule_loader::collector): each entry is met when its
 * first alternative that names a loaded plugin has the same major version and is not newer than that plugin; an
 * entry that names no loaded plugin is not met. Versions are read as libs' sinsp_version reads them (`%u.%u.%u`).
 */
export function checkPluginVersions(item: Item, problems: Problem[]): void {
  const v = item.keys.get('required_plugin_versions');
  if (v?.node === null || v?.node === undefined || !isSeq(v.node)) {
    problems.push(validate(v?.pos ?? item.pos, 'Value of required_plugin_versions must be a sequence'));
    return;
  }
  for (const raw of v.node.items as (Node | null)[]) {
    const entry = deref(item.doc, raw);
    const at = nodePos(item.doc, entry, v.node.range?.[0]);
    const js: unknown = entry !== null && isMap(entry) ? entry.toJS(item.doc.doc) : undefined;
    if (js === undefined) {
      problems.push(validate(at, 'Plugin version must be a mapping'));
      continue;
    }
    const alternatives = field(js, 'alternatives');
    if (alternatives !== undefined && !Array.isArray(alternatives)) {
      problems.push(validate(at, 'Value of plugin version alternatives must be a sequence'));
      continue;
    }
    const reqs = [js, ...((alternatives as unknown[] | undefined) ?? [])].map((r): Requirement => ({
      name: text(field(r, 'name')),
      version: text(field(r, 'version')),
    }));
    const message = requirementProblem(reqs);
    if (message !== undefined) problems.push(error('LOAD_ERR_VALIDATE', at, message));
  }
}

function requirementProblem(reqs: readonly Requirement[]): string | undefined {
  const names = new Set<string>();
  for (const r of reqs) {
    if (parseVersion(r.version) === undefined) return `Invalid required version '${r.version}' for plugin '${r.name}'`;
    if (names.has(r.name)) return `Defined multiple alternative version requirements for plugin '${r.name}'`;
    names.add(r.name);
  }
  for (const r of reqs) {
    const have = EMULATED_PLUGINS.get(r.name);
    if (have === undefined) continue;
    const [hm, hn, hp] = parseVersion(have) as readonly [number, number, number];
    const [rm, rn, rp] = parseVersion(r.version) as readonly [number, number, number];
    const newer = hm !== rm || hn < rn || (hn === rn && hp < rp);
    return newer
      ? `Plugin '${r.name}' version '${have}' is not compatible with required plugin version '${r.version}'`
      : undefined;
  }
  const wanted = reqs.map((r) => `${r.name} (>= ${r.version})`).join(', ');
  return `Plugin requirement not satisfied, must load one of: ${wanted} (kms-drift provides ${[...EMULATED_PLUGINS].map(([n, ver]) => `${n} ${ver}`).join(', ')})`;
}

/** sscanf("%u.%u.%u") == 3: leading blanks skipped, anything after the third number ignored. */
function parseVersion(version: string): readonly [number, number, number] | undefined {
  const m = /^\s*\+?(\d+)\.\+?(\d+)\.\+?(\d+)/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
