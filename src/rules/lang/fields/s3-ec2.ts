import { isJsonObject, type JsonObject, type JsonValue } from '../../../model/json.ts';
import type { FieldDef } from './types.ts';
import { at, plain, str } from './record.ts';
import { s3Bytes } from './cloudtrail-user.ts';

// The cloudtrail plugin's numeric S3 fields and its EC2 image fields, as extract.go (plugins/cloudtrail/v0.17.1)
// computes them.

/**
 * getImageIds: from responseElements.instancesSet.items when the record has it (and then only from there), else
 * one id from requestParameters.imageId, DescribeFastLaunchImagesRequest.ImageId.content or
 * launchSpecification.imageId. With an index, the item at that index (counting items without an imageId too).
 */
function imageIds(rec: JsonObject, index: number | undefined): string[] | undefined {
  const items = at(rec, ['responseElements', 'instancesSet', 'items']);
  if (items !== undefined) {
    const list: readonly JsonValue[] = Array.isArray(items) ? items : [];
    if (index === undefined) {
      const ids = list.flatMap((i) => {
        const id = isJsonObject(i) ? str(i, 'imageId') : undefined;
        return id === undefined || id === '' ? [] : [id];
      });
      return ids.length === 0 ? undefined : ids;
    }
    const item = list[index];
    if (!isJsonObject(item)) return undefined;
    const id = plain(item, 'imageId');
    return id === undefined ? undefined : [id];
  }
  if (index !== undefined && index !== 0) return undefined;
  const id =
    plain(rec, 'requestParameters', 'imageId') ??
    plain(rec, 'requestParameters', 'DescribeFastLaunchImagesRequest', 'ImageId', 'content') ??
    plain(rec, 'requestParameters', 'launchSpecification', 'imageId');
  return id === undefined ? undefined : [id];
}

function num(name: string, description: string, read: (rec: JsonObject) => number | undefined): FieldDef {
  return { name, type: 'number', description, example: '1024', argument: 'none', extract: (f) => read(f.event.record) };
}

/** The plugin's counters are 1 when they count the event and have no value otherwise (not 0). */
function count(name: string, description: string, matches: (eventName: string) => boolean): FieldDef {
  return num(name, description, (rec) => (matches(str(rec, 'eventName') ?? '') ? 1 : undefined));
}

export const S3_EC2_FIELDS: readonly FieldDef[] = [
  num('s3.bytes', 'additionalEventData.bytesTransferredIn + bytesTransferredOut, as whole bytes', (rec) =>
    s3Bytes(rec, 'both'),
  ),
  num('s3.bytes.in', 'additionalEventData.bytesTransferredIn, as whole bytes', (rec) => s3Bytes(rec, 'in')),
  num('s3.bytes.out', 'additionalEventData.bytesTransferredOut, as whole bytes', (rec) => s3Bytes(rec, 'out')),
  count('s3.cnt.get', '1 for GetObject, else no value', (n) => n === 'GetObject'),
  count('s3.cnt.put', '1 for PutObject, else no value', (n) => n === 'PutObject'),
  count(
    's3.cnt.other',
    '1 for any call but GetObject and PutObject, else no value',
    (n) => n !== 'GetObject' && n !== 'PutObject',
  ),
  {
    name: 'ec2.imageid',
    type: 'string',
    description: 'the first AMI (deprecated in Falco: use ec2.imageids[0])',
    example: 'ami-0abcdef1234567890',
    argument: 'none',
    extract: (f) => imageIds(f.event.record, 0)?.[0],
  },
  {
    name: 'ec2.imageids',
    type: 'list',
    description:
      'the AMIs of the instances in responseElements.instancesSet, else the one the request names; with [N], the Nth',
    example: 'ami-0abcdef1234567890',
    argument: 'optional',
    // Still a list (of one) with an index: the field's type decides the operators, with or without one.
    extract: (f, arg) => imageIds(f.event.record, arg === undefined ? undefined : Number(arg)),
    checkArg: (arg) => (/^\d+$/.test(arg) ? undefined : `ec2.imageids takes an index, not '${arg}'`),
  },
];
