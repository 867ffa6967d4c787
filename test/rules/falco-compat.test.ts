import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadRules } from '../../src/rules/load/load.ts';
import { compatFile } from './compat-file.ts';
import { createCore, fixedState } from '../../src/app.ts';
import { loadStates } from '../../src/terraform/load-states.ts';
import type { JsonValue } from '../../src/model/json.ts';
import { ROOT } from '../helpers/cli.ts';

describe("Falco's rule format and the CloudTrail plugin's fields", () => {
  it('a file using every field and operator loads; the unknown field is skipped with a warning', async () => {
    const loaded = loadRules([{ path: 'compat.yaml', text: compatFile() }]);
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(loaded.problems.map((p) => p.code)).toEqual(['LOAD_UNKNOWN_FILTER']);
    const state = await loadStates([`${ROOT}examples/terraform.tfstate`]);
    const core = createCore({ ruleset: loaded.ruleset, terraformPrincipals: [] }, fixedState(state.index));
    const record = JSON.parse(
      readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`, 'utf8'),
    ) as JsonValue;
    const fired = new Set(core.processPayload(record).logs.map((l) => String(l.log['rule'])));
    for (const op of [
      'op_0',
      'op_1',
      'op_2',
      'op_5',
      'op_7',
      'op_8',
      'op_9',
      'op_10',
      'op_11',
      'op_12',
      'op_13',
      'op_14',
      'op_15',
      'op_16',
      'op_17',
      'op_18',
      'op_20',
      'op_21',
      'op_22',
      'op_24',
      'op_25',
    ]) {
      expect(fired.has(op), op).toBe(true);
    }
    // A successful call has no error: `ct.error exists` is false.
    expect(fired.has('op_19')).toBe(false);
  });
});

describe('S3 and EC2 fields of the cloudtrail plugin', () => {
  it('count, sum and index as the plugin does', async () => {
    const rules = `- rule: big_get\n  desc: d\n  condition: not s3.cnt.get exists and s3.bytes > 1000 and s3.bytes.out = 2048 and s3.cnt.other = 1 and not s3.bytes.in exists\n  output: "%s3.bytes %s3.uri"\n  priority: debug\n- rule: ami\n  desc: d\n  condition: ec2.imageids[1] in (ami-2) and ec2.imageid = ami-1\n  output: "%ec2.imageid"\n  priority: debug\n`;
    const loaded = loadRules([{ path: 'x.yaml', text: rules }]);
    expect(loaded.problems).toEqual([]);
    const core = createCore(
      { ruleset: loaded.ruleset, terraformPrincipals: [] },
      fixedState((await loadStates([])).index),
    );
    // Our records are KMS only; the fields read the record behind any finding, so a KMS record carrying these keys
    // exercises them (the plugin's extractors do not look at eventSource either).
    const base = JSON.parse(
      readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disablekey.1.json`, 'utf8'),
    ) as Record<string, JsonValue>;
    const get = {
      ...base,
      eventName: 'GetObject',
      eventSource: 'kms.amazonaws.com',
      additionalEventData: { bytesTransferredIn: 0, bytesTransferredOut: 2048 },
      requestParameters: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', bucketName: 'b', key: 'k' },
    };
    expect(core.processPayload(get as JsonValue).logs).toEqual([]); // GetObject is not a tracked KMS event: no finding
    const disable = {
      ...base,
      additionalEventData: { bytesTransferredOut: 2048 },
      // v0.17 reads the AMIs of the instances from the response (RunInstances' responseElements.instancesSet).
      responseElements: { instancesSet: { items: [{ imageId: 'ami-1' }, { imageId: 'ami-2' }] } },
    };
    expect(core.processPayload(disable as JsonValue).logs.map((l) => l.msg)).toEqual(['2048 <NA>', 'ami-1']);
  });
});
