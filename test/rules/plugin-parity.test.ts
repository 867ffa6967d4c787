import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/json.ts';
import { fieldRegistry, type FieldResult } from '../../src/rules/lang/fields.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { kmsRecord, subject } from './lang/subject.ts';

// Values as the cloudtrail plugin's extract.go (v0.17.1) and libs' generic event fields compute them, on the edges
// where a reimplementation is tempted to differ: absent flags, ct.info's arrows and suffixes, Falco's time formats.
const base = kmsRecord('ct-disablekey.1');
const get = (rec: JsonObject, name: string, arg?: string): FieldResult | undefined => {
  const r = fieldRegistry.resolve(name, arg);
  if (!r.ok) throw new Error(r.message);
  return r.def.extract(subject(rec), arg);
};
const without = (rec: JsonObject, key: string): JsonObject =>
  Object.fromEntries(Object.entries(rec).filter(([k]) => k !== key));

describe('ct.* on the edges, as the plugin computes them', () => {
  it('readOnly and managementEvent absent: no value, and ct.info points ← (the plugin never runs its name heuristic)', () => {
    const rec = without(without(base, 'readOnly'), 'managementEvent');
    expect(get(rec, 'ct.readonly')).toBeUndefined();
    expect(get(rec, 'ct.managementevent')).toBeUndefined();
    expect(get(rec, 'ct.info')).toBe('Alice via 192.0.2.0 ← DisableKey');
  });

  it('only JSON true is "true"; a present non-string text field is an empty string', () => {
    const rec = { ...base, sessionCredentialFromConsole: 'true', readOnly: 'no', awsRegion: 12 };
    expect(get(rec, 'ct.sessioncredentialfromconsole')).toBe('false');
    expect(get(rec, 'ct.readonly')).toBe('false');
    expect(get(rec, 'ct.region')).toBe('');
  });

  it('ct.info: a user that is also the source IP is printed once; S3 size, URI and the public access block', () => {
    const service = {
      ...base,
      userIdentity: { type: 'AWSService', invokedBy: 'kms.amazonaws.com' },
      sourceIPAddress: 'kms.amazonaws.com',
      errorCode: 'X',
    };
    expect(get(service, 'ct.info')).toBe('kms.amazonaws.com !→ DisableKey');
    const s3 = {
      ...base,
      eventName: 'GetObject',
      readOnly: true,
      requestParameters: { bucketName: 'b', key: 'k' },
      additionalEventData: { bytesTransferredIn: 0, bytesTransferredOut: 33.7 },
    };
    expect(get(s3, 'ct.info')).toBe('Alice via 192.0.2.0 ← GetObject Size=33 URI=s3://b/k');
    const pab = {
      ...base,
      eventName: 'PutBucketPublicAccessBlock',
      requestParameters: { PublicAccessBlockConfiguration: { BlockPublicAcls: true } },
    };
    expect(get(pab, 'ct.info')).toBe(
      'Alice via 192.0.2.0 → PutBucketPublicAccessBlock BlockPublicAcls=false BlockPublicPolicy=false IgnorePublicAcls=false RestrictPublicBuckets=false ',
    );
  });

  it('an unknown identity type has no ct.user, and evt.plugininfo glues its text to the region as the plugin does', () => {
    const rec = { ...base, userIdentity: { type: 'SAMLUser' } };
    expect(get(rec, 'ct.user')).toBeUndefined();
    expect(get(rec, 'evt.plugininfo')).toBe(
      'us-east-1<unknown user type> kms DisableKey <invalid cloudtrail event: userIdentity field missing>',
    );
  });
});

describe("Falco's generic fields of a plugin event", () => {
  const rules = [
    '- rule: every_event',
    '  desc: d',
    '  condition: evt.num > 0',
    '  output: "%evt.num %evt.time %evt.time.s %evt.datetime %evt.rawtime.ns %evt.reltime.s %evt.is_async %evt.hostname"',
    '  priority: debug',
    '',
  ].join('\n');

  it('numbers the events the ruleset evaluates, times them from the first, prints times as Falco does', () => {
    const { ruleset, problems } = loadRules([{ path: 'r.yaml', text: rules }], { hostname: 'host-1' });
    expect(problems).toEqual([]);
    const first = subject({ ...base, eventTime: '2024-08-01T13:33:28Z' });
    const later = subject({ ...base, eventTime: '2024-08-01T13:35:30.5Z' });
    expect(ruleset.evaluate(first).map((m) => m.output)).toEqual([
      '1 13:33:28.000000000 13:33:28 2024-08-01 13:33:28.000000000 000000000 0 false host-1',
    ]);
    const [match] = ruleset.evaluate(later);
    expect(match?.output).toBe(
      '2 13:35:30.500000000 13:35:30 2024-08-01 13:35:30.500000000 500000000 122 false host-1',
    );
    // output_fields as Falco's JSON output types them: times in nanoseconds since the epoch.
    expect(match?.outputFields['evt.time']).toBe(Date.parse('2024-08-01T13:35:30.5Z') * 1e6);
    expect(match?.outputFields['evt.num']).toBe(2);
  });
});
