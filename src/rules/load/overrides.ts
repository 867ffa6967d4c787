import { isMap, isScalar, type Node } from 'yaml';
import type { Problem } from '../../model/problem.ts';
import { booleanValue, validate, type Item } from './items.ts';
import { warning } from './problems.ts';
import type { SourcePos } from './text.ts';
import { deref, nodePos } from './yaml.ts';

export type OverrideMode = 'append' | 'replace';

/** What each kind of item lets `override` touch (Falco's collector). */
export interface OverridePolicy {
  readonly append: ReadonlySet<string>;
  readonly replace: ReadonlySet<string>;
}

export const LIST_POLICY: OverridePolicy = { append: new Set(['items']), replace: new Set(['items']) };
export const MACRO_POLICY: OverridePolicy = { append: new Set(['condition']), replace: new Set(['condition']) };
export const RULE_POLICY: OverridePolicy = {
  append: new Set(['condition', 'output', 'desc', 'tags', 'exceptions']),
  replace: new Set([
    'condition',
    'output',
    'desc',
    'priority',
    'tags',
    'exceptions',
    'enabled',
    'warn_evttypes',
    'skip-if-unknown-filter',
    'capture',
    'capture_duration',
  ]),
};

/**
 * The keys an item overrides and how, from `override: {key: append|replace}` or the deprecated `append: true`
 * (which appends every key it carries). `undefined`: the item is a definition. `'error'`: reported, skip the item.
 * Keys that are not allowed are reported and left out, so the rest of the override still applies.
 */
export function readOverrides(
  item: Item,
  nameKey: string,
  policy: OverridePolicy,
  problems: Problem[],
): Map<string, OverrideMode> | 'error' | undefined {
  const spec = item.keys.get('override');
  const legacy = item.keys.get('append');
  if (spec !== undefined && legacy !== undefined) {
    problems.push(validate(legacy.keyPos, "Keys 'override' and 'append' cannot be used together."));
    return 'error';
  }
  const modes = new Map<string, { mode: OverrideMode; at: SourcePos }>();
  if (legacy !== undefined) {
    if (!booleanValue(legacy, 'append', false, problems)) return undefined;
    problems.push(warning('LOAD_DEPRECATED_ITEM', legacy.keyPos, "'append' is deprecated; use 'override'"));
    for (const [key, value] of item.keys)
      if (key !== nameKey && key !== 'append') modes.set(key, { mode: 'append', at: value.keyPos });
  } else if (spec !== undefined) {
    if (spec.node === null || !isMap(spec.node)) {
      problems.push(validate(spec.pos, "'override' must be a map of key: append|replace"));
      return 'error';
    }
    for (const pair of spec.node.items) {
      const key = deref(item.doc, pair.key as Node | null);
      const value = deref(item.doc, pair.value as Node | null);
      const at = nodePos(item.doc, value ?? key);
      const name = key !== null && isScalar(key) ? String(key.value) : '';
      const mode = value !== null && isScalar(value) ? String(value.value) : '';
      if (mode !== 'append' && mode !== 'replace') {
        problems.push(validate(at, `Invalid override '${mode}' for key '${name}': use append or replace`));
        continue;
      }
      modes.set(name, { mode, at });
    }
    for (const [key, value] of item.keys) {
      if (key !== nameKey && key !== 'override' && !modes.has(key))
        problems.push(
          validate(value.keyPos, `Unexpected key '${key}': no corresponding entry under 'override' is defined.`),
        );
    }
  } else {
    return undefined;
  }
  const out = new Map<string, OverrideMode>();
  for (const [key, { mode, at }] of modes) {
    if (mode === 'append' && !policy.append.has(key))
      problems.push(validate(at, `Key '${key}' cannot be appended to, use 'replace' instead`));
    else if (mode === 'replace' && !policy.replace.has(key))
      problems.push(validate(at, `Key '${key}' cannot be replaced`));
    else if (!item.keys.has(key)) problems.push(validate(at, `Key '${key}' is overridden but not given`));
    else out.set(key, mode);
  }
  return out;
}
