import type { Problem } from '../../model/problem.ts';
import type { ListDef, MacroDef, RuleDef } from './defs.ts';
import { defineExceptions, readExceptions } from './exceptions.ts';
import { booleanValue, scalarList, scalarString, validate, type Item } from './items.ts';
import { LIST_POLICY, MACRO_POLICY, readOverrides, RULE_POLICY, type OverrideMode } from './overrides.ts';
import { error, warning } from './problems.ts';
import { checkEngineVersion, checkPluginVersions } from './requirements.ts';
import { applyRuleOverride, priorityValue, requiredText, tagsValue, trimmed } from './rule-values.ts';
import { concatText } from './text.ts';

const RULE_KEYS: ReadonlySet<string> = new Set([
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
const LIST_KEYS: ReadonlySet<string> = new Set(['list', 'items', 'override', 'append']);
const MACRO_KEYS: ReadonlySet<string> = new Set(['macro', 'condition', 'override', 'append']);

/**
 * Our default source is CloudTrail (Falco's is `syscall`): every rule here reads CloudTrail events, so a rule
 * without `source` is meant for us. Rules of any other source are skipped with a warning, as Falco does.
 */
export const DEFAULT_SOURCE = 'aws_cloudtrail';

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
    const name = this.name(item, 'list');
    if (name === undefined) return;
    if (!/^[^()"'\s=,]+$/.test(name))
      this.problems.push(warning('LOAD_INVALID_LIST_NAME', item.pos, `List has an invalid name '${name}'`));
    this.unknownKeys(item, LIST_KEYS);
    const overrides = readOverrides(item, 'list', LIST_POLICY, this.problems);
    if (overrides === 'error') return;
    const itemsValue = item.keys.get('items');
    const items = scalarList(itemsValue, item.doc);
    if (items === undefined) {
      const at = itemsValue?.pos ?? item.pos;
      return void this.problems.push(
        validate(at, itemsValue ? "Value for 'items' must be a sequence" : "Item has no mapping for key 'items'"),
      );
    }
    const previous = this.lists.get(name);
    if (overrides !== undefined) {
      const mode = overrides.get('items');
      if (mode === undefined) return;
      if (previous === undefined) return this.noPrevious(item, 'List', name, mode);
      previous.items = mode === 'append' ? [...previous.items, ...items] : items;
      return;
    }
    this.lists.set(name, { name, items, pos: item.pos, order: this.order++ });
  }

  private macro(item: Item): void {
    const name = this.name(item, 'macro');
    if (name === undefined) return;
    if (!/^[a-zA-Z]+[a-zA-Z0-9_]*$/.test(name))
      this.problems.push(warning('LOAD_INVALID_MACRO_NAME', item.pos, `Macro has an invalid name '${name}'`));
    this.unknownKeys(item, MACRO_KEYS);
    const overrides = readOverrides(item, 'macro', MACRO_POLICY, this.problems);
    if (overrides === 'error') return;
    const condition = requiredText(item, 'condition', this.problems);
    if (condition === undefined) return;
    const previous = this.macros.get(name);
    if (overrides !== undefined) {
      const mode = overrides.get('condition');
      if (mode === undefined) return;
      if (previous === undefined) return this.noPrevious(item, 'Macro', name, mode);
      previous.condition = mode === 'append' ? concatText(previous.condition, condition) : condition;
      return;
    }
    this.macros.set(name, { name, condition, pos: item.pos, order: this.order++ });
  }

  private rule(item: Item): void {
    const name = this.name(item, 'rule');
    if (name === undefined) return;
    this.unknownKeys(item, RULE_KEYS);
    const overrides = readOverrides(item, 'rule', RULE_POLICY, this.problems);
    if (overrides === 'error') return;
    const previous = this.rules.get(name);
    if (overrides !== undefined) {
      if (previous === undefined) {
        const modes = [...overrides.values()];
        return this.noPrevious(item, 'Rule', name, modes.includes('append') ? 'append' : 'replace');
      }
      for (const [key, mode] of overrides) applyRuleOverride(item, previous, key, mode, this.problems);
      return;
    }
    const hasBody = ['condition', 'output', 'desc', 'priority'].some((k) => item.keys.has(k));
    if (!hasBody && item.keys.has('enabled')) return this.enabledOnly(item, name, previous);
    const condition = requiredText(item, 'condition', this.problems);
    const output = requiredText(item, 'output', this.problems);
    const priority = priorityValue(item, item.keys.get('priority'), this.problems);
    const tags = tagsValue(item, item.keys.get('tags'), this.problems);
    const exceptions = defineExceptions(
      readExceptions(item.keys.get('exceptions'), item.doc, this.problems),
      name,
      this.problems,
    );
    const enabled = booleanValue(item.keys.get('enabled'), 'enabled', true, this.problems);
    const skip = booleanValue(item.keys.get('skip-if-unknown-filter'), 'skip-if-unknown-filter', false, this.problems);
    if (condition === undefined || output === undefined || priority === undefined) return;
    const desc = scalarString(item.keys.get('desc'));
    if (desc === undefined)
      this.problems.push(warning('LOAD_MISSING_DESC', item.pos, `Rule '${name}' has no desc; Falco requires one`));
    const sourceValue = item.keys.get('source');
    const source = scalarString(sourceValue) ?? DEFAULT_SOURCE;
    if (source !== DEFAULT_SOURCE) {
      const at = sourceValue?.pos ?? item.pos;
      return void this.problems.push(warning('LOAD_UNKNOWN_SOURCE', at, `Unknown source ${source}, skipping`));
    }
    this.rules.set(name, {
      name,
      pos: item.pos,
      condition,
      output: trimmed(output),
      desc: desc ?? '',
      priority,
      source,
      enabled,
      tags: new Set(tags ?? []),
      exceptions,
      skipIfUnknownFilter: skip,
      order: previous?.order ?? this.order++,
    });
  }

  /** Deprecated: an item with only `rule` and `enabled` switches an existing rule on or off. */
  private enabledOnly(item: Item, name: string, previous: RuleDef | undefined): void {
    if (previous === undefined) {
      const message = `Rule '${name}' has 'enabled' key but no other keys and no previous rule to enable or disable`;
      return void this.problems.push(error('LOAD_ERR_VALIDATE', item.pos, message));
    }
    const deprecation = "An enabled-only rule item is deprecated; use 'override: {enabled: replace}'";
    this.problems.push(warning('LOAD_DEPRECATED_ITEM', item.pos, deprecation));
    previous.enabled = booleanValue(item.keys.get('enabled'), 'enabled', previous.enabled, this.problems);
  }

  private noPrevious(item: Item, kind: 'List' | 'Macro' | 'Rule', name: string, mode: OverrideMode): void {
    const verb = mode === 'append' ? 'append to' : 'replace';
    const message = `${kind} '${name}' has 'override' but no previous ${kind.toLowerCase()} to ${verb}`;
    this.problems.push(error('LOAD_ERR_VALIDATE', item.pos, message));
  }

  private name(item: Item, key: 'list' | 'macro' | 'rule'): string | undefined {
    const name = scalarString(item.keys.get(key));
    if (name === undefined || name === '') {
      this.problems.push(validate(item.keys.get(key)?.pos ?? item.pos, `Mapping for key '${key}' is empty`));
      return undefined;
    }
    return name;
  }

  private unknownKeys(item: Item, allowed: ReadonlySet<string>): void {
    for (const [key, value] of item.keys) {
      if (!allowed.has(key))
        this.problems.push(warning('LOAD_UNKNOWN_KEY', value.keyPos, `Unknown key '${key}'. The key will be ignored.`));
    }
  }
}
