import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/json.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

// An organization trail: one replay, states for two accounts in two Regions (plus a replica in a third), the same
// alias names in every one of them (fixtures/own/tfstate/org/, see its README). The records are AWS's own samples, and
// the same samples placed in another account or Region (their account ids and Regions rewritten, nothing else), as an
// organization trail delivers them. Every order of --state must give the same logs, each naming the right declaration.

const DOC = `${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/`;
const OWN = `${ROOT}fixtures/own/cloudtrail/kms/`;
const ORG = `${ROOT}fixtures/own/tfstate/org/`;
const STATES = [
  'prod-111122223333-us-west-2.tfstate',
  'prod-111122223333-us-east-1.tfstate',
  'staging-444455556666-us-west-2.tfstate',
  'staging-444455556666-us-east-1.tfstate',
] as const;
const PROD = '111122223333';
const STAGING = '444455556666';

function sample(file: string, dir = DOC): JsonObject {
  return JSON.parse(readFileSync(`${dir}${file}`, 'utf8')) as JsonObject;
}

/** The record as the same call made in another account and Region would be recorded. */
function relocate(record: JsonObject, account: string, region: string): JsonObject {
  const text = JSON.stringify(record)
    .replaceAll(PROD, account)
    .replaceAll(':us-west-2:', `:${region}:`)
    .replaceAll(':us-east-1:', `:${region}:`);
  return { ...(JSON.parse(text) as JsonObject), awsRegion: region, recipientAccountId: account };
}

/** A DisableKey that names its key only by alias, as a script or the console may: no ARN anywhere in the record. */
function disableByAlias(alias: string, account: string, region: string): JsonObject {
  const record = relocate(sample('ct-disablekey.1.json'), account, region);
  return { ...record, requestParameters: { keyId: alias }, resources: [], eventID: `alias-${account}-${region}` };
}

interface Case {
  readonly record: JsonObject;
  /**
   * [rule, drift_type, Terraform address, state file] of each drift log (the compliance pack judges apart), in rule
   * order; empty = quiet (in sync, or nothing Terraform declares changed).
   */
  readonly logs: readonly (readonly [string, string, string?, string?])[];
}

// Expectations read off the states (fixtures/own/tfstate/org/) and the bundled rules, one case at a time.
const CASES: readonly (readonly [string, Case])[] = [
  [
    'CreateAlias of alias/ExampleAlias to the key prod us-west-2 declares: in sync, quiet',
    { record: sample('ct-createalias.1.json'), logs: [] },
  ],
  [
    'the same CreateAlias in staging us-west-2, where alias/ExampleAlias targets another key',
    {
      record: { ...relocate(sample('ct-createalias.1.json'), STAGING, 'us-west-2'), eventID: 'create-alias-staging' },
      logs: [['kms_alias_created_outside_terraform', 'modified', 'aws_kms_alias.app', STATES[2]]],
    },
  ],
  [
    'UpdateAlias of alias/my_alias in prod us-west-2 to another key than declared',
    {
      record: sample('ct-updatealias.1.json'),
      logs: [['kms_alias_retargeted', 'modified', 'aws_kms_alias.logs', STATES[0]]],
    },
  ],
  [
    'the same UpdateAlias in prod us-east-1: the us-east-1 declaration',
    {
      record: { ...relocate(sample('ct-updatealias.1.json'), PROD, 'us-east-1'), eventID: 'update-alias-east' },
      logs: [['kms_alias_retargeted', 'modified', 'aws_kms_alias.logs', STATES[1]]],
    },
  ],
  [
    "DeleteAlias of alias/my_alias whose alias ARN says us-east-1 (the key's says us-west-2)",
    {
      record: sample('ct-deletealias.1.json'),
      logs: [['kms_alias_deleted', 'deleted', 'aws_kms_alias.logs', STATES[1]]],
    },
  ],
  [
    'DisableKey of the prod us-west-2 app key, by ARN',
    { record: sample('ct-disablekey.1.json'), logs: [['kms_key_disabled', 'modified', 'aws_kms_key.app', STATES[0]]] },
  ],
  [
    'the same key id in staging us-west-2: no state declares it there',
    {
      record: { ...relocate(sample('ct-disablekey.1.json'), STAGING, 'us-west-2'), eventID: 'disable-staging' },
      logs: [['kms_key_disabled', 'unmanaged']],
    },
  ],
  [
    'DisableKey by alias/my_alias only, in prod us-east-1: the key that alias targets there',
    {
      record: disableByAlias('alias/my_alias', PROD, 'us-east-1'),
      logs: [['kms_key_disabled', 'modified', 'aws_kms_key.logs', STATES[1]]],
    },
  ],
  [
    'DisableKey by alias/my_alias only, in staging us-west-2: its key is declared disabled, so in sync and quiet',
    { record: disableByAlias('alias/my_alias', STAGING, 'us-west-2'), logs: [] },
  ],
  [
    'DisableKey by alias/ExampleAlias only, in staging us-east-1',
    {
      record: disableByAlias('alias/ExampleAlias', STAGING, 'us-east-1'),
      logs: [['kms_key_disabled', 'modified', 'aws_kms_key.app', STATES[3]]],
    },
  ],
  [
    'UpdatePrimaryRegion recorded in us-west-2: the declared primary is no longer primary',
    {
      record: sample('ct-update-primary-region.1.json'),
      logs: [['kms_primary_region_changed', 'modified', 'aws_kms_key.global', STATES[0]]],
    },
  ],
  [
    'UpdatePrimaryRegion recorded in ap-northeast-1: the replica declared there is now the primary',
    {
      record: sample('ct-update-primary-region.2.json'),
      logs: [['kms_primary_region_changed', 'modified', 'aws_kms_replica_key.global_apne1', STATES[0]]],
    },
  ],
  [
    'CreateGrant of a grant no state declares, on the prod us-west-2 app key',
    { record: sample('ct-creategrant.1.json'), logs: [['kms_grant_created_outside_terraform', 'unmanaged']] },
  ],
  [
    'RevokeGrant of a grant no state declares',
    { record: sample('ct-revoke-grant.1.json'), logs: [['kms_unmanaged_resource_changed', 'unmanaged']] },
  ],
  [
    'ImportKeyMaterial into the app key, an aws_kms_key that declares no imported material: nothing to compare',
    { record: sample('ct-importkeymaterial.1.json'), logs: [] },
  ],
  [
    'ReplicateKey whose replica is the prod us-west-2 app key, which Terraform declares otherwise',
    {
      record: sample('replicate-key.json', OWN),
      logs: [['kms_resource_drifted', 'modified', 'aws_kms_key.app', STATES[0]]],
    },
  ],
];

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** A log as the comparison sees it: pino's `time` is the moment of writing, everything else must be equal. */
function stable(log: Record<string, unknown>): string {
  const { time: _time, ...rest } = log;
  return JSON.stringify(rest);
}

describe('an organization trail: two accounts, two Regions, the same alias names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-drift-org-'));
  CASES.forEach(([, c], i) => writeFileSync(join(dir, `${String(i).padStart(2, '0')}.json`), JSON.stringify(c.record)));

  it('every case names the right declaration, and every order of --state gives the same logs', async () => {
    const orders = permutations(STATES);
    expect(orders).toHaveLength(24);
    const outputs: string[][] = [];
    // Four child processes at a time: 24 runs of the real CLI.
    for (let i = 0; i < orders.length; i += 4) {
      const batch = await Promise.all(
        orders
          .slice(i, i + 4)
          .map((order) => runCli(['replay', ...order.flatMap((s) => ['--state', `${ORG}${s}`]), dir])),
      );
      for (const result of batch) {
        expect(result.code, result.stderr).toBe(0);
        // No STATE_DUPLICATE: the same alias names in four states are four aliases.
        expect(result.stderr).not.toMatch(/STATE_DUPLICATE/);
        outputs.push(result.logs.map(stable));
      }
    }
    for (const output of outputs) expect(output).toEqual(outputs[0]);

    const logs = (outputs[0] ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [name, c] of CASES) {
      const id = String(c.record['eventID']);
      const mine = logs.filter((l) => l['event_id'] === id && !String(l['rule']).startsWith('kms_compliance_'));
      const seen = mine.map((l) => {
        const tf = l['terraform'] as { address?: string; state?: string } | undefined;
        return tf === undefined
          ? [l['rule'], l['drift_type']]
          : [l['rule'], l['drift_type'], tf.address, basename(String(tf.state))];
      });
      expect(seen, name).toEqual(c.logs.map((e) => [...e]));
    }
  });
});
