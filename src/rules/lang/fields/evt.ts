import type { DriftFinding } from '../../../model/finding.ts';
import type { FieldDef } from './types.ts';
import { findingField } from './define.ts';
import { jsonText, parsePointer, resolvePointer } from './json-pointer.ts';
import { ctInfo } from './cloudtrail-user.ts';

function epochMs(f: DriftFinding): number | undefined {
  const ms = Date.parse(f.event.eventTime);
  return Number.isNaN(ms) ? undefined : ms;
}

function jsonValue(f: DriftFinding, arg?: string): string | undefined {
  if (arg === undefined) return undefined;
  const tokens = parsePointer(arg);
  if (typeof tokens === 'string') return undefined;
  const v = resolvePointer(f.event.record, tokens);
  return v === undefined ? undefined : jsonText(v);
}

function checkPointer(arg: string): string | undefined {
  const tokens = parsePointer(arg);
  return typeof tokens === 'string' ? tokens : undefined;
}

function jsonValueField(name: string): FieldDef {
  return {
    name,
    type: 'string',
    description:
      'the value at an RFC 6901 pointer into the CloudTrail record: strings unquoted, others as compact JSON',
    example: 'json.value[/requestParameters/keyId]',
    argument: 'required',
    extract: jsonValue,
    checkArg: checkPointer,
  };
}

function jsonObjField(name: string): FieldDef {
  return findingField(name, 'string', 'the whole CloudTrail record as indented JSON', '{ … }', (f) =>
    JSON.stringify(f.event.record, null, 2),
  );
}

export const EVT_FIELDS: readonly FieldDef[] = [
  findingField('evt.time', 'date', 'the event time (eventTime), compared as an instant', '2022-08-10T22:38:27Z', (f) =>
    epochMs(f) === undefined ? undefined : f.event.eventTime,
  ),
  findingField(
    'evt.time.iso8601',
    'string',
    'the event time, ISO 8601 with nanoseconds',
    '2022-08-10T22:38:27.000000000Z',
    (f) => {
      const ms = epochMs(f);
      return ms === undefined ? undefined : `${new Date(ms).toISOString().slice(0, -1)}000000Z`;
    },
  ),
  findingField('evt.rawtime', 'number', 'the event time in nanoseconds since the epoch', '1660171107000000000', (f) => {
    const ms = epochMs(f);
    return ms === undefined ? undefined : ms * 1e6;
  }),
  findingField(
    'evt.source',
    'string',
    'the event source, always aws_cloudtrail',
    'aws_cloudtrail',
    () => 'aws_cloudtrail',
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
  findingField('evt.plugininfo', 'string', 'same as ct.info', 'Alice via 192.0.2.0 → DisableKey', (f) =>
    ctInfo(f.event.record),
  ),
  jsonValueField('json.value'),
  jsonValueField('jevt.value'),
  jsonObjField('json.obj'),
  jsonObjField('jevt.obj'),
];
