import { isMap, isScalar } from 'yaml';
import { parsePriority, PRIORITIES } from '../../model/priority.ts';
import type { Problem } from '../../model/problem.ts';
import type { ListDef, MacroDef, RuleDef } from './defs.ts';
import { parseExceptions } from './exceptions.ts';
import { scalarList, scalarString, validate, type Item, type ItemValue } from './items.ts';
import { error, warning } from './problems.ts';
import { checkEngineVersion, checkPluginVersions } from './requirements.ts';
import { concatText } from './text.ts';

const RULE_KEYS = new Set([
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'source',
  'enabled',
  'tags',
  'exceptions',
  'override',
  'append',
  'skip-if-unknown-filter',
  'warn_evttypes',
  'capture',
  'capture_duration',
]);
const APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const REPLACEABLE = new Set([
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
]);
const SOURCES = new Set(['aws_cloudtrail']);

/** Lists, macros and rules of every file, in order, with Falco's define / append / override semantics. */
export class Collector {
  readonly lists = new Map<string, ListDef>();
  readonly macros = new Map<string, MacroDef>();
  readonly rules = new Map<string, RuleDef>();
  readonly problems: Problem[] = [];
  private order = 0;

  add(item: Item): void {
    switch (item.kind) {
      case 'required_engine_version':
        return checkEngineVersion(item, this.problems);
      case 'required_plugin_versions':
        return checkPluginVersions(item, this.problems);
      case 'list':
        return this.list(item);
      case 'macro':
        return this.macro(item);
      case 'rule':
        return this.rule(item);
      case 'test':
        return; // run by `kms-drift rules test`, not part of the ruleset
    }
  }

  private list(item: Item): void {
    const name = scalarString(item.keys.get('list'));
    if (name === undefined || name === '')
      return void this.problems.push(validate(item.pos, "Mapping for key 'list' is empty"));
    if (!/^[^()"'\s=,]+$/.test(name))
      this.problems.push(warning('LOAD_INVALID_LIST_NAME', item.pos, `List has an invalid name '${name}'`));
    const items = scalarList(item.keys.get('items'));
    if (items === undefined)
      return void this.problems.push(
        validate(item.keys.get('items')?.pos ?? item.pos, "Item has no mapping for key 'items'"),
      );
    this.unknownKeys(item, new Set(['list', 'items', 'override', 'append']));
    const previous = this.lists.get(name);
    const mode = this.overrideMode(item, 'items', previous !== undefined);
    if (mode === 'error') return;
    if (mode === 'append' && previous) previous.items.push(...items);
    else if (previous && mode === 'replace') previous.items = items;
    else if (previous) {
      previous.items = items;
      previous.order = this.order++;
    } else this.lists.set(name, { name, items, pos: item.pos, order: this.order++ });
  }

  private macro(item: Item): void {
    const name = scalarString(item.keys.get('macro'));
    if (name === undefined || name === '')
      return void this.problems.push(validate(item.pos, "Mapping for key 'macro' is empty"));
    if (!/^[a-zA-Z]+[a-zA-Z0-9_]*$/.test(name))
      this.problems.push(warning('LOAD_INVALID_MACRO_NAME', item.pos, `Macro has an invalid name '${name}'`));
    const condition = item.keys.get('condition')?.text;
    if (condition === undefined)
      return void this.problems.push(validate(item.pos, "Item has no mapping for key 'condition'"));
    this.unknownKeys(item, new Set(['macro', 'condition', 'override', 'append']));
    const previous = this.macros.get(name);
    const mode = this.overrideMode(item, 'condition', previous !== undefined);
    if (mode === 'error') return;
    if (mode === 'append' && previous) previous.condition = concatText(previous.condition, condition);
    else if (previous && mode === 'replace') previous.condition = condition;
    else if (previous) {
      previous.condition = condition;
      previous.order = this.order++;
    } else this.macros.set(name, { name, condition, pos: item.pos, order: this.order++ });
  }

  private rule(item: Item): void {
    const name = scalarString(item.keys.get('rule'));
    if (name === undefined || name === '')
      return void this.problems.push(validate(item.pos, "Mapping for key 'rule' is empty"));
    this.unknownKeys(item, RULE_KEYS);
    const previous = this.rules.get(name);
    const override = item.keys.get('override');
    const legacyAppend = scalarString(item.keys.get('append')) === 'true';
    if (override !== undefined && item.keys.has('append')) {
      return void this.problems.push(validate(item.pos, "Keys 'override' and 'append' cannot be used together."));
    }
    if (override !== undefined || legacyAppend) return this.overrideRule(item, name, previous, legacyAppend);
    const hasBody = ['condition', 'output', 'desc', 'priority'].some((k) => item.keys.has(k));
    if (!hasBody && item.keys.has('enabled')) {
      // Deprecated enable/disable-only item.
      if (previous === undefined)
        return void this.problems.push(
          error(
            'LOAD_ERR_VALIDATE',
            item.pos,
            `Rule '${name}' has 'enabled' key but no other keys and no previous rule to enable or disable`,
          ),
        );
      this.problems.push(
        warning(
          'LOAD_DEPRECATED_ITEM',
          item.pos,
          "An enabled-only rule item is deprecated; use 'override: {enabled: replace}'",
        ),
      );
      previous.enabled = scalarString(item.keys.get('enabled')) !== 'false';
      return;
    }
    const condition = item.keys.get('condition')?.text;
    const output = item.keys.get('output')?.text;
    const priorityValue = item.keys.get('priority');
    const missing = [
      condition === undefined && 'condition',
      output === undefined && 'output',
      priorityValue === undefined && 'priority',
    ].filter(Boolean);
    for (const key of missing) this.problems.push(validate(item.pos, `Item has no mapping for key '${String(key)}'`));
    const priority = this.priority(priorityValue);
    if (condition === undefined || output === undefined || priority === undefined) return;
    const desc = scalarString(item.keys.get('desc'));
    if (desc === undefined)
      this.problems.push(warning('LOAD_MISSING_DESC', item.pos, `Rule '${name}' has no desc; Falco requires one`));
    const source = scalarString(item.keys.get('source')) ?? 'aws_cloudtrail';
    if (!SOURCES.has(source)) {
      this.problems.push(
        warning('LOAD_UNKNOWN_SOURCE', item.keys.get('source')?.pos ?? item.pos, `Unknown source ${source}, skipping`),
      );
      return;
    }
    const def: RuleDef = {
      name,
      pos: item.pos,
      condition,
      output: {
        text: output.text.trim(),
        posAt: (o) => output.posAt(o + (output.text.length - output.text.trimStart().length)),
      },
      desc: desc ?? '',
      priority,
      source,
      enabled: scalarString(item.keys.get('enabled')) !== 'false',
      tags: new Set(scalarList(item.keys.get('tags')) ?? []),
      exceptions: parseExceptions(item.keys.get('exceptions'), name, this.problems),
      skipIfUnknownFilter: scalarString(item.keys.get('skip-if-unknown-filter')) === 'true',
      order: previous?.order ?? this.order++,
    };
    this.rules.set(name, def);
  }

  private overrideRule(item: Item, name: string, previous: RuleDef | undefined, legacyAppend: boolean): void {
    const spec = item.keys.get('override');
    const modes = new Map<string, string>();
    if (legacyAppend) {
      this.problems.push(warning('LOAD_DEPRECATED_ITEM', item.pos, "'append' is deprecated; use 'override'"));
      for (const k of ['condition', 'output', 'desc', 'tags', 'exceptions'])
        if (item.keys.has(k)) modes.set(k, 'append');
    } else if (spec?.node && isMap(spec.node)) {
      for (const pair of spec.node.items)
        if (isScalar(pair.key) && isScalar(pair.value)) modes.set(String(pair.key.value), String(pair.value.value));
    } else {
      return void this.problems.push(
        validate(spec?.pos ?? item.pos, "'override' must be a map of key: append|replace"),
      );
    }
    if (previous === undefined) {
      const verb = [...modes.values()].includes('append') ? 'append to' : 'replace';
      return void this.problems.push(
        error('LOAD_ERR_VALIDATE', item.pos, `Rule '${name}' has 'override' but no previous rule to ${verb}`),
      );
    }
    for (const key of item.keys.keys()) {
      if (key !== 'rule' && key !== 'override' && key !== 'append' && !modes.has(key)) {
        this.problems.push(
          validate(
            item.keys.get(key)?.pos ?? item.pos,
            `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
          ),
        );
      }
    }
    for (const [key, mode] of modes) {
      const value = item.keys.get(key);
      const at = value?.pos ?? item.pos;
      if (mode === 'append' && !APPENDABLE.has(key)) {
        this.problems.push(validate(at, `Key '${key}' cannot be appended to, use 'replace' instead`));
        continue;
      }
      if (mode === 'replace' && !REPLACEABLE.has(key)) {
        this.problems.push(validate(at, `Key '${key}' cannot be replaced`));
        continue;
      }
      if (mode !== 'append' && mode !== 'replace') {
        this.problems.push(validate(at, `Invalid override '${mode}' for key '${key}' (append or replace)`));
        continue;
      }
      if (value === undefined) {
        this.problems.push(validate(item.pos, `An override for '${key}' needs the key '${key}'`));
        continue;
      }
      this.applyOverride(previous, key, mode, value, name);
    }
  }

  private applyOverride(rule: RuleDef, key: string, mode: 'append' | 'replace', value: ItemValue, name: string): void {
    const append = mode === 'append';
    switch (key) {
      case 'condition':
      case 'output':
        if (value.text === undefined)
          return void this.problems.push(validate(value.pos, `Value for '${key}' must be a string`));
        rule[key] = append ? concatText(rule[key], value.text) : value.text;
        return;
      case 'desc':
        rule.desc = append ? `${rule.desc} ${scalarString(value) ?? ''}` : (scalarString(value) ?? '');
        return;
      case 'tags': {
        const tags = scalarList(value) ?? [];
        rule.tags = append ? new Set([...rule.tags, ...tags]) : new Set(tags);
        return;
      }
      case 'priority': {
        const p = this.priority(value);
        if (p !== undefined) rule.priority = p;
        return;
      }
      case 'enabled':
        rule.enabled = scalarString(value) !== 'false';
        return;
      case 'skip-if-unknown-filter':
        rule.skipIfUnknownFilter = scalarString(value) === 'true';
        return;
      case 'exceptions': {
        const incoming = parseExceptions(value, name, this.problems);
        if (!append) return void (rule.exceptions = incoming);
        for (const exc of incoming) {
          const existing = rule.exceptions.find((e) => e.name === exc.name);
          if (existing === undefined) rule.exceptions.push(exc);
          else existing.values = [...existing.values, ...exc.values] as typeof existing.values;
        }
        return;
      }
      default:
        return; // capture, warn_evttypes: accepted, no effect on cloud sources
    }
  }

  private priority(value: ItemValue | undefined): RuleDef['priority'] | undefined {
    if (value === undefined) return undefined;
    const text = scalarString(value);
    const p = text === undefined ? undefined : parsePriority(text);
    if (p === undefined) {
      this.problems.push(
        error('LOAD_ERR_VALIDATE', value.pos, `Invalid priority '${text ?? ''}' (one of ${PRIORITIES.join(', ')})`),
      );
    }
    return p;
  }

  private overrideMode(item: Item, key: string, exists: boolean): 'define' | 'append' | 'replace' | 'error' {
    const spec = item.keys.get('override');
    const legacy = scalarString(item.keys.get('append')) === 'true';
    let mode: string | undefined;
    if (spec?.node && isMap(spec.node)) mode = String(spec.node.get(key) ?? '');
    else if (legacy) {
      this.problems.push(warning('LOAD_DEPRECATED_ITEM', item.pos, "'append' is deprecated; use 'override'"));
      mode = 'append';
    }
    if (mode === undefined) return 'define';
    if (mode !== 'append' && mode !== 'replace') {
      this.problems.push(validate(spec?.pos ?? item.pos, `Invalid override for '${key}' (append or replace)`));
      return 'error';
    }
    if (!exists) {
      this.problems.push(
        error(
          'LOAD_ERR_VALIDATE',
          item.pos,
          `${item.kind} has 'override' but no previous ${item.kind} to ${mode === 'append' ? 'append to' : 'replace'}`,
        ),
      );
      return 'error';
    }
    return mode;
  }

  private unknownKeys(item: Item, allowed: ReadonlySet<string>): void {
    for (const [key, value] of item.keys) {
      if (!allowed.has(key))
        this.problems.push(warning('LOAD_UNKNOWN_KEY', value.pos, `Unknown key '${key}'. The key will be ignored.`));
    }
  }
}
