import { afterEach, describe, expect, it } from 'vitest';
import { startKmsServer, type KmsServer } from '../helpers/kms-server.ts';
import { startStsServer, type StsServer } from '../helpers/sts-server.ts';
import { aliasResource, keyResource, scanCli, writeState, type StateResource } from './scan-cli.ts';

const SECURITY = '999999999999';
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const;
const REGIONS = ['eu-west-1', 'us-west-2'] as const;
const ROLE = 'arn:aws:iam::{account}:role/kms-drift-scan';

let kms: KmsServer | undefined;
let sts: StsServer | undefined;
afterEach(async () => {
  await kms?.stop();
  await sts?.stop();
  kms = undefined;
  sts = undefined;
});

const arn = (account: string, region: string, resource: string) => `arn:aws:kms:${region}:${account}:${resource}`;
/** A key id that says where it lives, so a log in the wrong account or Region cannot pass for the right one. */
const keyId = (account: string, region: string, n: number) =>
  `${account.slice(0, 8)}-${n.toString().padStart(4, '0')}-4000-8000-${region === 'us-west-2' ? '000000000002' : '000000000001'}`;

/**
 * The security account's credentials assume `kms-drift-scan` in each member account (the KMS server knows each
 * account by the access key STS hands out); `denied` accounts have no such role.
 */
async function estate(
  denied: readonly string[] = [],
): Promise<{ kms: KmsServer; endpoints: { kms: string; sts: string } }> {
  const k = await startKmsServer(SECURITY);
  kms = k;
  const s = await startStsServer({
    callerAccount: SECURITY,
    assume: (role) => {
      const account = /^arn:aws:iam::(\d{12}):role\/kms-drift-scan$/.exec(role)?.[1];
      return account === undefined || denied.includes(account) ? undefined : k.credentialsFor(account);
    },
  });
  sts = s;
  return { kms: k, endpoints: { kms: k.endpoint, sts: s.endpoint } };
}

describe('kms-drift scan of an organization', () => {
  it('reads three accounts in two Regions through assumed roles and reports exactly the drift planted in each', async () => {
    const { kms: k, endpoints } = await estate();
    const state: StateResource[] = [];
    // Every account and Region holds one key as declared, so the states name all six.
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const id = keyId(account, region, 1);
        k.addKey({ account, region, keyId: id });
        state.push(keyResource(`ok_${account}_${region.replaceAll('-', '_')}`, arn(account, region, `key/${id}`)));
      }
    }
    const [a, b, c] = ACCOUNTS;
    const planted = new Map<string, { rule: string; account: string; region: string }>();
    // a us-west-2: rotation switched off on a key Terraform rotates.
    const rotated = keyId(a, 'us-west-2', 2);
    k.addKey({ account: a, region: 'us-west-2', keyId: rotated, rotation: false });
    state.push(keyResource('rotated', arn(a, 'us-west-2', `key/${rotated}`), { enable_key_rotation: true }));
    planted.set(arn(a, 'us-west-2', `key/${rotated}`), { rule: 'kms_scan_drift', account: a, region: 'us-west-2' });
    // a eu-west-1: an alias removed.
    state.push(aliasResource('app', arn(a, 'eu-west-1', 'alias/app'), keyId(a, 'eu-west-1', 1)));
    planted.set(arn(a, 'eu-west-1', 'alias/app'), { rule: 'kms_scan_missing_alias', account: a, region: 'eu-west-1' });
    // b us-west-2: a key deleted.
    const gone = keyId(b, 'us-west-2', 3);
    state.push(keyResource('gone', arn(b, 'us-west-2', `key/${gone}`)));
    planted.set(arn(b, 'us-west-2', `key/${gone}`), { rule: 'kms_scan_missing', account: b, region: 'us-west-2' });
    // b eu-west-1: a key no state declares.
    const stray = keyId(b, 'eu-west-1', 4);
    k.addKey({ account: b, region: 'eu-west-1', keyId: stray });
    planted.set(arn(b, 'eu-west-1', `key/${stray}`), { rule: 'kms_scan_unmanaged', account: b, region: 'eu-west-1' });
    // c us-west-2: a tag added; c eu-west-1 stays as declared.
    const tagged = keyId(c, 'us-west-2', 5);
    k.addKey({ account: c, region: 'us-west-2', keyId: tagged, tags: new Map([['Owner', 'mallory']]) });
    state.push(keyResource('tagged', arn(c, 'us-west-2', `key/${tagged}`)));
    planted.set(arn(c, 'us-west-2', `key/${tagged}`), { rule: 'kms_scan_drift', account: c, region: 'us-west-2' });

    const result = await scanCli(endpoints, '--state', writeState(state), '--assume-role', ROLE);
    expect(result.code, result.stderr).toBe(0);
    const found = new Map(result.logs.map((l) => [String(l['resource']), l]));
    expect([...found.keys()].sort()).toEqual([...planted.keys()].sort());
    expect(result.logs).toHaveLength(planted.size);
    for (const [resource, want] of planted) expect(found.get(resource), resource).toMatchObject(want);
    expect(found.get(arn(c, 'us-west-2', `key/${tagged}`))?.['changes']).toMatchObject({
      tags: { added: { Owner: 'mallory' } },
    });
    // Each account was read with its own role's credentials, in each Region, once.
    expect(new Set(sts?.assumed)).toEqual(new Set(ACCOUNTS.map((x) => ROLE.replace('{account}', x))));
    for (const account of ACCOUNTS) {
      for (const region of REGIONS)
        expect(k.calls.get(`ListKeys ${account} ${region}`), `${account} ${region}`).toBe(1);
    }
    expect(k.calls.get(`ListKeys ${SECURITY} us-west-2`)).toBeUndefined();
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) expect(result.stderr).toContain(`kms-drift scan: ${account} ${region}: `);
    }
    expect(result.stderr).toMatch(/6 account-Regions: 9 keys, 0 aliases read; 5 differ from the states, 2 missing/);
  });

  it('an account whose role cannot be assumed is reported unread, and the others are still scanned', async () => {
    const [a, b] = ACCOUNTS;
    const { kms: k, endpoints } = await estate([b]);
    const kept = keyId(a, 'us-west-2', 1);
    k.addKey({ account: a, region: 'us-west-2', keyId: kept, description: 'changed' });
    const state = writeState([
      keyResource('a', arn(a, 'us-west-2', `key/${kept}`)),
      keyResource('b', arn(b, 'us-west-2', `key/${keyId(b, 'us-west-2', 1)}`)),
    ]);
    const result = await scanCli(endpoints, '--state', state, '--assume-role', ROLE);
    expect(result.code).toBe(4); // inputs incomplete
    expect(result.stderr).toMatch(
      new RegExp(
        `${b} us-west-2: not read \\(SCAN_READ .*AccessDenied.*sts:AssumeRole.*\\); nothing of it is reported missing`,
      ),
    );
    // b's key is not reported missing: nothing is known of an account that could not be read.
    expect(result.logs.map((l) => [l['rule'], l['account']])).toEqual([['kms_scan_drift', a]]);
  });

  it('without --assume-role only the credentials’ own account is read, and the others are named', async () => {
    const { kms: k, endpoints } = await estate();
    const own = keyId(SECURITY, 'us-west-2', 1);
    k.addKey({ keyId: own });
    const state = writeState([
      keyResource('own', arn(SECURITY, 'us-west-2', `key/${own}`)),
      keyResource('member', arn(ACCOUNTS[0], 'us-west-2', `key/${keyId(ACCOUNTS[0], 'us-west-2', 1)}`)),
    ]);
    const result = await scanCli(endpoints, '--state', state);
    expect(result.code).toBe(4); // inputs incomplete
    expect(result.logs).toEqual([]);
    expect(result.stderr).toContain(`account ${ACCOUNTS[0]} is declared in the states but not read`);
    expect(sts?.assumed).toEqual([]);
    const only = await scanCli(endpoints, '--state', state, '--account', SECURITY);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stderr).toMatch(/999999999999 us-west-2: 1 keys, 0 aliases read; 0 differ/);
  });
});
