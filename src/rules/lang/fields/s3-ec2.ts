import { isJsonObject, type JsonObject } from '../../../model/json.ts';
import type { FieldDef } from './types.ts';
import { at, str } from './record.ts';

// The cloudtrail plugin's numeric S3 fields and its EC2 image fields (extract.go semantics, see the reference notes).

function bytes(rec: JsonObject, key: 'bytesTransferredIn' | 'bytesTransferredOut'): number | undefined {
  const v = at(rec, ['additionalEventData', key]);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function imageIds(rec: JsonObject): string[] {
  const items = at(rec, ['requestParameters', 'instancesSet', 'items']);
  if (!Array.isArray(items)) return [];
  return items.flatMap((i) => (isJsonObject(i) && typeof i['imageId'] === 'string' ? [i['imageId']] : []));
}

function num(name: string, description: string, read: (rec: JsonObject) => number | undefined): FieldDef {
  return { name, type: 'number', description, example: '1024', argument: 'none', extract: (f) => read(f.event.record) };
}

function count(name: string, description: string, matches: (eventName: string | undefined) => boolean): FieldDef {
  return num(name, description, (rec) => (matches(str(rec, 'eventName')) ? 1 : 0));
}

export const S3_EC2_FIELDS: readonly FieldDef[] = [
  num('s3.bytes', 'additionalEventData.bytesTransferredIn + bytesTransferredOut', (rec) => {
    const i = bytes(rec, 'bytesTransferredIn');
    const o = bytes(rec, 'bytesTransferredOut');
    return i === undefined && o === undefined ? undefined : (i ?? 0) + (o ?? 0);
  }),
  num('s3.bytes.in', 'additionalEventData.bytesTransferredIn', (rec) => bytes(rec, 'bytesTransferredIn')),
  num('s3.bytes.out', 'additionalEventData.bytesTransferredOut', (rec) => bytes(rec, 'bytesTransferredOut')),
  count('s3.cnt.get', '1 for GetObject, else 0', (n) => n === 'GetObject'),
  count('s3.cnt.put', '1 for PutObject, else 0', (n) => n === 'PutObject'),
  count(
    's3.cnt.other',
    '1 for any call but GetObject and PutObject, else 0',
    (n) => n !== 'GetObject' && n !== 'PutObject',
  ),
  {
    name: 'ec2.imageid',
    type: 'string',
    description: 'the first AMI of RunInstances (deprecated in Falco: use ec2.imageids)',
    example: 'ami-0abcdef1234567890',
    argument: 'none',
    extract: (f) => imageIds(f.event.record)[0],
  },
  {
    name: 'ec2.imageids',
    type: 'list',
    description: 'the AMIs of RunInstances; with [N], the Nth',
    example: 'ami-0abcdef1234567890',
    argument: 'optional',
    extract: (f, arg) => {
      const ids = imageIds(f.event.record);
      if (arg === undefined) return ids.length === 0 ? undefined : ids;
      const id = ids[Number(arg)];
      // Still a list (of one): the field's type decides the operators, with or without an index.
      return id === undefined ? undefined : [id];
    },
    checkArg: (arg) => (/^\d+$/.test(arg) ? undefined : `ec2.imageids takes an index, not '${arg}'`),
  },
];
