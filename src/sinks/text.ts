import type { JsonValue } from '../model/json.ts';
import { isJsonObject } from '../model/json.ts';
import type { Priority } from '../model/priority.ts';
import type { DriftLog } from './drift-log.ts';
import type { DriftLogWriter } from './stdout.ts';

/**
 * The drift log for people (`--format text`): one line that reads as a sentence — priority, rule, who did what to
 * which resource, its Terraform address, and each attribute as expected → actual. Built from the same DriftLog as the
 * JSON line, so both formats say the same thing; the JSON line stays the contract for machines.
 */
export function textDriftLogWriter(out: (line: string) => void, colour: boolean): DriftLogWriter {
  return {
    write(priority, log) {
      out(formatDriftLine(priority, log, colour));
    },
    flush: () => Promise.resolve(),
  };
}

const PRIORITY_STYLE: Readonly<Record<Priority, string>> = {
  Emergency: '1;31',
  Alert: '1;31',
  Critical: '1;31',
  Error: '31',
  Warning: '33',
  Notice: '36',
  Informational: '32',
  Debug: '2',
};

/** Rule names line up after all but the rare INFORMATIONAL. */
const PRIORITY_WIDTH = 'EMERGENCY'.length;

export function formatDriftLine(priority: Priority, log: DriftLog, colour: boolean): string {
  const paint = (code: string, text: string): string => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const text = (key: string): string | undefined => {
    const v = log[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const terraform = log['terraform'];
  const address =
    isJsonObject(terraform) && typeof terraform['address'] === 'string' ? terraform['address'] : undefined;
  const who = text('user') ?? 'someone';
  const event = text('event') ?? 'an event';
  const resource = text('resource');
  const where = address === undefined ? 'in no Terraform state' : address;
  const time = text('timestamp');
  const service = text('service') ?? 'kms';
  // A call about no KMS resource (another service's, or a KMS call naming no key) says the service, not a resource.
  const head =
    event === 'Scan'
      ? `scan read ${resource ?? 'an unnamed resource'} (${where})`
      : `${who} called ${resource === undefined ? `${service}:${event}` : `${event} on ${resource} (${where})`}${time === undefined ? '' : ` at ${time}`}`;
  const notes: string[] = [];
  const error = text('error_code');
  if (error !== undefined) notes.push(`failed: ${error}`);
  if (log['by_terraform'] === true) notes.push('by Terraform');
  const emergency = log['emergency'];
  if (isJsonObject(emergency) && typeof emergency['status'] === 'string')
    notes.push(`break-glass ${emergency['status']}`);
  const changes = describeChanges(log['changes']);
  return [
    paint(PRIORITY_STYLE[priority], priority.toUpperCase().padEnd(PRIORITY_WIDTH)),
    ' ',
    paint('1', String(log['rule'] ?? '')),
    ': ',
    head,
    changes === '' ? '' : `: ${changes}`,
    notes.length === 0 ? '' : ` [${notes.join('; ')}]`,
  ].join('');
}

function describeChanges(changes: JsonValue | undefined): string {
  if (!isJsonObject(changes)) return '';
  const parts: string[] = [];
  for (const [attribute, change] of Object.entries(changes)) {
    if (!isJsonObject(change)) continue;
    if (attribute === 'policy') parts.push(`policy: ${describePolicy(change)}`);
    else if (attribute === 'tags' && ('added' in change || 'removed' in change))
      parts.push(`tags: ${describeTags(change)}`);
    else {
      const expected = 'expected' in change ? value(change['expected']) : '(not declared)';
      parts.push(`${attribute}: ${expected} → ${value(change['actual'])}`);
    }
  }
  return parts.join('; ');
}

function describeTags(change: Readonly<Record<string, JsonValue>>): string {
  const parts: string[] = [];
  const added = change['added'];
  if (isJsonObject(added)) for (const [k, v] of Object.entries(added)) parts.push(`+${k}=${value(v)}`);
  const removed = change['removed'];
  if (Array.isArray(removed)) for (const k of removed) parts.push(`-${value(k)}`);
  const changed = change['changed'];
  if (isJsonObject(changed)) {
    for (const [k, v] of Object.entries(changed)) {
      if (isJsonObject(v)) parts.push(`${k}: ${value(v['expected'])} → ${value(v['actual'])}`);
    }
  }
  return parts.length === 0 ? 'changed' : parts.join(', ');
}

/** The policy analysis in words; the statements themselves are in the JSON log. */
function describePolicy(change: Readonly<Record<string, JsonValue>>): string {
  const list = (key: string): string[] => {
    const v = change[key];
    return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : value(x))) : [];
  };
  const keys = (key: string): string[] => {
    const v = change[key];
    return Array.isArray(v)
      ? v.flatMap((c) => (isJsonObject(c) && typeof c['key'] === 'string' ? [c['key']] : []))
      : [];
  };
  const widened = Array.isArray(change['actions_widened'])
    ? change['actions_widened'].flatMap((w) => (isJsonObject(w) && Array.isArray(w['actions']) ? w['actions'] : []))
    : [];
  const parts: string[] = [];
  const facts: [string, readonly JsonValue[]][] = [
    ['principals added', list('added_principals')],
    ['principals removed', list('removed_principals')],
    ['external accounts', list('external_accounts')],
    ['conditions removed', keys('conditions_removed')],
    ['conditions added', keys('conditions_added')],
    ['actions widened', widened],
    ['administrators gained use', list('admins_gained_use')],
  ];
  for (const [label, items] of facts) if (items.length > 0) parts.push(`${label} ${items.map(value).join(', ')}`);
  return parts.length === 0 ? 'statements differ from Terraform' : parts.join(', ');
}

/** A value as a person reads it: text bare, anything else as JSON, long values cut. */
function value(v: JsonValue | undefined): string {
  if (v === undefined) return '(none)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
