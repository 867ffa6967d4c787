import { isScalar, isSeq } from 'yaml';
import { parsePriority, PRIORITIES, type Priority } from '../../model/priority.ts';
import type { Problem } from '../../model/problem.ts';
import type { ListDef, MacroDef, RuleDef } from './defs.ts';
import { appendExceptions, defineExceptions, readExceptions } from './exceptions.ts';
import { booleanValue, scalarList, scalarString, validate, type Item, type ItemValue } from './items.ts';
import { LIST_POLICY, MACRO_POLICY, readOverrides, RULE_POLICY, type OverrideMode } from './overrides.ts';
import { error, warning } from './problems.ts';
import { checkEngineVersion, checkPluginVersions } from './requirements.ts';
import { concatText, type SourceText } from './text.ts';

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
    const condition = this.text(item, 'condition');
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
      for (const [key, mode] of overrides) this.override(item, previous, key, mode);
      return;
    }
    const hasBody = ['condition', 'output', 'desc', 'priority'].some((k) => item.keys.has(k));
    if (!hasBody && item.keys.has('enabled')) return this.enabledOnly(item, name, previous);
    const condition = this.text(item, 'condition');
    const output = this.text(item, 'output');
    const priority = this.priority(item, item.keys.get('priority'));
    const tags = this.tags(item, item.keys.get('tags'));
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

  private override(item: Item, rule: RuleDef, key: string, mode: OverrideMode): void {
    const value = item.keys.get(key);
    const append = mode === 'append';
    switch (key) {
      case 'condition':
      case 'output': {
        const text = this.text(item, key);
        if (text === undefined) return;
        const next = key === 'output' ? trimmed(text) : text;
        rule[key] = append ? concatText(rule[key], next) : next;
        return;
      }
      case 'desc': {
        const desc = scalarString(value) ?? '';
        rule.desc = append ? `${rule.desc} ${desc}` : desc;
        return;
      }
      case 'tags': {
        const tags = this.tags(item, value) ?? [];
        rule.tags = append ? new Set([...rule.tags, ...tags]) : new Set(tags);
        return;
      }
      case 'priority': {
        const p = this.priority(item, value);
        if (p !== undefined) rule.priority = p;
        return;
      }
      case 'enabled':
        rule.enabled = booleanValue(value, key, rule.enabled, this.problems);
        return;
      case 'skip-if-unknown-filter':
        rule.skipIfUnknownFilter = booleanValue(value, key, rule.skipIfUnknownFilter, this.problems);
        return;
      case 'exceptions': {
        const raws = readExceptions(value, item.doc, this.problems);
        if (append) appendExceptions(rule.exceptions, raws, this.problems);
        else rule.exceptions = defineExceptions(raws, rule.name, this.problems);
        return;
      }
      default:
        return; // capture, capture_duration, warn_evttypes: accepted, no effect on CloudTrail rules
    }
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

  /** A required string value (condition, output) with the place of each of its characters. */
  private text(item: Item, key: string): SourceText | undefined {
    const value = item.keys.get(key);
    if (value === undefined) return void this.problems.push(validate(item.pos, `Item has no mapping for key '${key}'`));
    if (value.text === undefined)
      return void this.problems.push(validate(value.pos, `Value for '${key}' is not a scalar value`));
    return value.text;
  }

  private priority(item: Item, value: ItemValue | undefined): Priority | undefined {
    if (value === undefined)
      return void this.problems.push(validate(item.pos, "Item has no mapping for key 'priority'"));
    const text = scalarString(value);
    const p = text === undefined ? undefined : parsePriority(text);
    if (p === undefined) {
      const message = `Invalid priority '${text ?? ''}' (one of ${PRIORITIES.join(', ')})`;
      this.problems.push(error('LOAD_ERR_VALIDATE', value.pos, message));
    }
    return p;
  }

  private tags(item: Item, value: ItemValue | undefined): string[] | undefined {
    if (value === undefined || value.node === null) return undefined;
    if (!isSeq(value.node) && !(isScalar(value.node) && value.node.value === null)) {
      this.problems.push(validate(value.pos, "Value for 'tags' must be a sequence"));
      return undefined;
    }
    return scalarList(value, item.doc);
  }

  private unknownKeys(item: Item, allowed: ReadonlySet<string>): void {
    for (const [key, value] of item.keys) {
      if (!allowed.has(key))
        this.problems.push(warning('LOAD_UNKNOWN_KEY', value.keyPos, `Unknown key '${key}'. The key will be ignored.`));
    }
  }
}

/** Falco trims an output; offsets into the trimmed text still map to the YAML source. */
function trimmed(text: SourceText): SourceText {
  const lead = text.text.length - text.text.trimStart().length;
  return { text: text.text.trim(), posAt: (o) => text.posAt(o + lead) };
}
