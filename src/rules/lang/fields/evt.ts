import type { FieldDef, FieldResult, RuleSubject } from './types.ts';
import { findingField, memo } from './define.ts';
import { jsonText, parsePointer, resolvePointer } from './json-pointer.ts';
import { pluginInfo } from './cloudtrail-user.ts';
import { eventTime, type EventTime } from './time.ts';

// Falco's fields of every event (libs sinsp_filtercheck_gen_event.cpp) for a CloudTrail plugin event, and the json
// plugin's fields (plugins/json/v0.7.4). The event's timestamp is its eventTime, as the cloudtrail plugin sets it.
// Times of day are in UTC (Falco prints them in the host's zone, which is UTC in its containers).

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function clock(t: EventTime, ns: boolean): string {
  const d = new Date(t.seconds * 1000);
  const hms = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return ns ? `${hms}.${pad(t.nanos, 9)}` : hms;
}

function date(t: EventTime): string {
  const d = new Date(t.seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/**
 * A time field: typed as Falco types it, printed as Falco prints it, and in output_fields as nanoseconds since the
 * epoch (Falco's JSON output gives every evt.time* and evt.datetime* field that way). evt.time is a date here, so
 * conditions compare it as an instant; it still prints as Falco's time of day.
 */
function timeField(
  name: string,
  type: 'string' | 'date',
  description: string,
  example: string,
  text: (t: EventTime) => string,
): FieldDef {
  // Every time field parses eventTime (Date.parse and a RegExp): once per event.
  return {
    memo: true,
    ...findingField(name, type, description, example, (f) => {
      const t = eventTime(f.event.eventTime);
      return t === undefined ? undefined : type === 'date' ? f.event.eventTime : text(t);
    }),
    ...(type === 'date'
      ? {
          render: (v: FieldResult) => {
            const t = typeof v === 'string' ? eventTime(v) : undefined;
            return t === undefined ? String(v) : text(t);
          },
        }
      : {}),
    outputValue: (v, f) => {
      const t = eventTime(f.event.eventTime);
      return t === undefined ? (v as string) : t.seconds * 1e9 + t.nanos;
    },
  };
}

function nsField(
  name: string,
  description: string,
  example: string,
  read: (t: EventTime, f: RuleSubject) => number | undefined,
  padded: boolean,
): FieldDef {
  return {
    memo: true,
    ...findingField(name, 'number', description, example, (f) => {
      const t = eventTime(f.event.eventTime);
      return t === undefined ? undefined : read(t, f);
    }),
    // PF_10_PADDED_DEC: printed with at least nine digits.
    ...(padded ? { render: (v: FieldResult) => (typeof v === 'number' && v >= 0 ? pad(v, 9) : String(v)) } : {}),
  };
}

/** Nanoseconds since the capture's first event (the first the ruleset evaluated; this event when there is none). */
function relNs(t: EventTime, f: RuleSubject): number {
  const first = f.context?.firstTimeMs;
  const ns = t.seconds * 1e9 + t.nanos;
  return first === undefined ? 0 : ns - first * 1e6;
}

function jsonValue(f: RuleSubject, arg?: string): string | undefined {
  if (arg === undefined) return undefined;
  const v = resolvePointer(f.event.record, parsePointer(arg));
  return v === undefined ? undefined : jsonText(v);
}

function jsonValueField(name: string): FieldDef {
  return {
    name,
    type: 'string',
    description:
      'the value at a JSON pointer into the CloudTrail record (RFC 6901; the leading / may be left out): strings unquoted, others as compact JSON (re-serialized: 1.0 prints 1)',
    example: 'json.value[/requestParameters/keyId]',
    argument: 'required',
    extract: jsonValue,
  };
}

function jsonObjField(name: string): FieldDef {
  return memo(
    findingField(name, 'string', 'the whole CloudTrail record as indented JSON', '{ … }', (f) =>
      JSON.stringify(f.event.record, null, 2),
    ),
  );
}

function jsonRawtime(name: string): FieldDef {
  return memo(
    findingField(
      name,
      'string',
      'the event time in nanoseconds since the epoch, as text',
      '1660171107000000000',
      (f) => {
        const t = eventTime(f.event.eventTime);
        return t === undefined ? undefined : `${t.seconds}${pad(t.nanos, 9)}`.replace(/^0+(?=\d)/, '');
      },
    ),
  );
}

export const EVT_FIELDS: readonly FieldDef[] = [
  findingField(
    'evt.num',
    'number',
    'the number of the event among those the rules evaluated since they were loaded, from 1',
    '1',
    (f) => f.context?.num ?? 1,
  ),
  timeField(
    'evt.time',
    'date',
    'the event time (eventTime), compared as an instant; printed as Falco prints it, the time of day (UTC) with nanoseconds',
    '22:38:27.000000000',
    (t) => clock(t, true),
  ),
  timeField('evt.time.s', 'string', 'the time of day of the event (UTC), without nanoseconds', '22:38:27', (t) =>
    clock(t, false),
  ),
  timeField(
    'evt.time.iso8601',
    'string',
    'the event time, ISO 8601 with nanoseconds and the UTC offset',
    '2022-08-10T22:38:27.000000000+0000',
    (t) => `${date(t)}T${clock(t, true)}+0000`,
  ),
  timeField(
    'evt.datetime',
    'string',
    'the date and time of day of the event (UTC), with nanoseconds',
    '2022-08-10 22:38:27.000000000',
    (t) => `${date(t)} ${clock(t, true)}`,
  ),
  timeField(
    'evt.datetime.s',
    'string',
    'the date and time of day of the event (UTC)',
    '2022-08-10 22:38:27',
    (t) => `${date(t)} ${clock(t, false)}`,
  ),
  nsField(
    'evt.rawtime',
    'the event time in nanoseconds since the epoch',
    '1660171107000000000',
    (t) => t.seconds * 1e9 + t.nanos,
    false,
  ),
  nsField('evt.rawtime.s', 'the event time in whole seconds since the epoch', '1660171107', (t) => t.seconds, false),
  nsField('evt.rawtime.ns', 'the nanoseconds part of the event time', '000000000', (t) => t.nanos, true),
  nsField(
    'evt.reltime',
    'nanoseconds since the first event evaluated (negative for a record older than that one)',
    '000000000',
    relNs,
    true,
  ),
  nsField(
    'evt.reltime.s',
    'whole seconds since the first event evaluated',
    '0',
    (t, f) => Math.trunc(relNs(t, f) / 1e9),
    false,
  ),
  nsField('evt.reltime.ns', 'the nanoseconds part of evt.reltime', '000000000', (t, f) => relNs(t, f) % 1e9, true),
  findingField(
    'evt.pluginname',
    'string',
    'the plugin that produced the event: cloudtrail',
    'cloudtrail',
    () => 'cloudtrail',
  ),
  memo(
    findingField(
      'evt.plugininfo',
      'string',
      "the cloudtrail plugin's summary of the event: region, user, service, eventName, then ct.info",
      'us-west-2 Alice kms DisableKey Alice via 192.0.2.0 → DisableKey',
      (f) => pluginInfo(f.event.record),
    ),
  ),
  findingField(
    'evt.source',
    'string',
    'the event source, always aws_cloudtrail',
    'aws_cloudtrail',
    () => 'aws_cloudtrail',
  ),
  findingField(
    'evt.is_async',
    'boolean',
    'always false: CloudTrail events are not asynchronous events',
    'false',
    () => false,
  ),
  findingField('evt.asynctype', 'string', 'never a value (only asynchronous events have one)', '', () => undefined),
  findingField(
    'evt.hostname',
    'string',
    'the name of the host kms-drift runs on',
    'ip-10-0-0-1',
    (f) => f.context?.hostname,
  ),
  findingField(
    'evt.name',
    'string',
    'the API call (eventName), same as ct.name',
    'ScheduleKeyDeletion',
    (f) => f.event.name,
  ),
  findingField(
    'evt.id',
    'string',
    'the CloudTrail eventID, same as ct.id',
    '36327b37-f4f6-40a9-92ab-48064ec905a2',
    (f) => f.event.eventId,
  ),
  jsonValueField('json.value'),
  jsonValueField('jevt.value'),
  jsonObjField('json.obj'),
  jsonObjField('jevt.obj'),
  jsonRawtime('json.rawtime'),
  jsonRawtime('jevt.rawtime'),
];
