import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupCore } from '../../src/cli/setup.ts';
import type { Core } from '../../src/app.ts';
import type { JsonObject } from '../../src/model/json.ts';
import { normalizeRecord } from '../../src/normalize/normalize.ts';
import { ROOT } from '../helpers/cli.ts';

// ImportKeyMaterial requests that leave ExpirationModel out. KMS API reference, ImportKeyMaterial:
// - ExpirationModel: "The default is KEY_MATERIAL_EXPIRES. When the value of ExpirationModel is KEY_MATERIAL_EXPIRES,
//   you must specify a value for the ValidTo parameter. When value is KEY_MATERIAL_DOES_NOT_EXPIRE, you must omit the
//   ValidTo parameter."
// - ValidTo: "required when the value of the ExpirationModel parameter is KEY_MATERIAL_EXPIRES. Otherwise it is not
//   valid."
// So a request with ValidTo and no ExpirationModel imports material that expires at ValidTo (the default model), and a
// request that succeeded without either cannot have used KEY_MATERIAL_EXPIRES (it needs ValidTo): its material does
// not expire. The records are AWS's sample ct-importkeymaterial.1 (key 1234abcd…, ValidTo Jan 1, 2021 8:00:00 PM,
// KEY_MATERIAL_EXPIRES) with fields removed in memory, against aws_kms_external_key.byok of
// fixtures/own/tfstate/types/external-key.tfstate, which declares exactly that expiry.

const SAMPLE = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-importkeymaterial.1.json`;
const STATE = `${ROOT}fixtures/own/tfstate/types/external-key.tfstate`;

function withoutRequestFields(...fields: string[]): JsonObject {
  const record = JSON.parse(readFileSync(SAMPLE, 'utf8')) as JsonObject;
  const request = { ...(record['requestParameters'] as JsonObject) };
  for (const f of fields) delete request[f];
  return { ...record, requestParameters: request };
}

async function core(): Promise<Core> {
  const setup = await setupCore({ states: [STATE], rules: [], terraformPrincipals: [] });
  expect(setup.problems).toEqual([]);
  return setup.core;
}

/** The bundled drift rules that fire (the compliance pack judges apart). */
function driftRules(c: Core, record: JsonObject): string[] {
  return c
    .processPayload(record)
    .logs.map((l) => String(l.log['rule']))
    .filter((rule) => !rule.startsWith('kms_compliance_'));
}

function attributesOf(record: JsonObject): unknown {
  const result = normalizeRecord(record, '');
  if (result.kind !== 'event') throw new Error(JSON.stringify(result));
  return result.event.change.attributes;
}

describe('ImportKeyMaterial without expirationModel', () => {
  it('with validTo: the default model, KEY_MATERIAL_EXPIRES, at that date: as declared, quiet', async () => {
    const record = withoutRequestFields('expirationModel');
    expect(attributesOf(record)).toEqual({
      expiration_model: 'KEY_MATERIAL_EXPIRES',
      valid_to: '2021-01-01T20:00:00.000Z',
    });
    const c = await core();
    const [finding] = c.findings(record);
    expect(finding?.terraform?.address).toBe('aws_kms_external_key.byok');
    expect(finding?.driftType).toBe('in_sync');
    expect(finding?.changes).toEqual({});
    expect(driftRules(c, record)).toEqual([]);
  });

  it('without validTo either: material that does not expire, where Terraform declares an expiry', async () => {
    const record = withoutRequestFields('expirationModel', 'validTo');
    expect(attributesOf(record)).toEqual({ expiration_model: 'KEY_MATERIAL_DOES_NOT_EXPIRE', valid_to: null });
    const c = await core();
    const [finding] = c.findings(record);
    expect(finding?.terraform?.address).toBe('aws_kms_external_key.byok');
    expect(finding?.driftType).toBe('modified');
    expect(finding?.changes).toEqual({
      expiration_model: { expected: 'KEY_MATERIAL_EXPIRES', actual: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
      valid_to: { expected: '2021-01-01T20:00:00.000Z', actual: null },
    });
    expect(driftRules(c, record)).toEqual(['kms_key_material_imported_against_terraform']);
  });
});
