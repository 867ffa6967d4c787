import { isScalar, isSeq } from 'yaml';
import { parsePriority, PRIORITIES, type Priority } from '../../model/priority.ts';
import type { Problem } from '../../model/problem.ts';
import type { RuleDef } from './defs.ts';
import { appendExceptions, defineExceptions, readExceptions } from './exceptions.ts';
import { booleanValue, scalarList, scalarString, validate, type Item, type ItemValue } from './items.ts';
import type { OverrideMode } from './overrides.ts';
import { error } from './problems.ts';
import { concatText, type SourceText } from './text.ts';

/** A required string value (condition, output) with the place of each of its characters. */
export function requiredText(item: Item, key: string, problems: Problem[]): SourceText | undefined {
  const value = item.keys.get(key);
  if (value === undefined) return void problems.push(validate(item.pos, `Item has no mapping for key '${key}'`));
  if (value.text === undefined)
    return void problems.push(validate(value.pos, `Value for '${key}' is not a scalar value`));
  return value.text;
}

/** Falco's priority names, any case, plus `info`; a bad one is reported at the value. */
export function priorityValue(item: Item, value: ItemValue | undefined, problems: Problem[]): Priority | undefined {
  if (value === undefined) return void problems.push(validate(item.pos, "Item has no mapping for key 'priority'"));
  const text = scalarString(value);
  const p = text === undefined ? undefined : parsePriority(text);
  if (p === undefined) {
    const message = `Invalid priority '${text ?? ''}' (one of ${PRIORITIES.join(', ')})`;
    problems.push(error('LOAD_ERR_VALIDATE', value.pos, message));
  }
  return p;
}

export function tagsValue(item: Item, value: ItemValue | undefined, problems: Problem[]): string[] | undefined {
  if (value === undefined || value.node === null) return undefined;
  if (!isSeq(value.node) && !(isScalar(value.node) && value.node.value === null)) {
    problems.push(validate(value.pos, "Value for 'tags' must be a sequence"));
    return undefined;
  }
  return scalarList(value, item.doc);
}

/** Falco trims an output; offsets into the trimmed text still map to the YAML source. */
export function trimmed(text: SourceText): SourceText {
  const lead = text.text.length - text.text.trimStart().length;
  return { text: text.text.trim(), posAt: (o) => text.posAt(o + lead) };
}

/** One `override` entry applied to an existing rule: append concatenates with one space, as Falco does. */
export function applyRuleOverride(
  item: Item,
  rule: RuleDef,
  key: string,
  mode: OverrideMode,
  problems: Problem[],
): void {
  const value = item.keys.get(key);
  const append = mode === 'append';
  switch (key) {
    case 'condition':
    case 'output': {
      const text = requiredText(item, key, problems);
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
      const tags = tagsValue(item, value, problems) ?? [];
      rule.tags = append ? new Set([...rule.tags, ...tags]) : new Set(tags);
      return;
    }
    case 'priority': {
      const p = priorityValue(item, value, problems);
      if (p !== undefined) rule.priority = p;
      return;
    }
    case 'enabled':
      rule.enabled = booleanValue(value, key, rule.enabled, problems);
      return;
    case 'skip-if-unknown-filter':
      rule.skipIfUnknownFilter = booleanValue(value, key, rule.skipIfUnknownFilter, problems);
      return;
    case 'exceptions': {
      const raws = readExceptions(value, item.doc, problems);
      if (append) appendExceptions(rule.exceptions, raws, problems);
      else rule.exceptions = defineExceptions(raws, rule.name, problems);
      return;
    }
    default:
      return; // capture, capture_duration, warn_evttypes: accepted, no effect on CloudTrail rules
  }
}
