// `scan` and a declared grant whose key's grants it may not list (ListGrants denied: the key policy or the scan role
// leaves kms:ListGrants out). README: a resource the scan may not read "is never called missing: it is a problem on
// stderr (SCAN_ACCESS_DENIED), not drift, and the scan exits 4 (inputs incomplete)". Nothing is known of those grants,
// so none of them is `kms_scan_missing`; grants that could be listed are still checked. The real CLI against the KMS
// and STS API servers the tests start (test/helpers/kms-server.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { startKmsServer, type KmsServer } from '../helpers/kms-server.ts';
import { startStsServer, type StsServer } from '../helpers/sts-server.ts';
import { grantResource, keyResource, scanCli, writeState } from './scan-cli.ts';

const ACCOUNT = '111122223333';
const arn = (region: string, resource: string) => `arn:aws:kms:${region}:${ACCOUNT}:${resource}`;
const UNLISTED = '66666666-6666-4666-8666-666666666666';
const LISTED = '77777777-7777-4777-8777-777777777777';
const LIVE_GRANT = 'c'.repeat(64);
const REVOKED_GRANT = 'd'.repeat(64);

let kms: KmsServer | undefined;
let sts: StsServer | undefined;
afterEach(async () => {
  await kms?.stop();
  await sts?.stop();
  kms = undefined;
  sts = undefined;
});

describe('kms-drift scan: grants it may not list are unknown, not missing', () => {
  it('ListGrants denied in one Region: no grant of that key is missing, a problem and exit 4; the other Region is checked', async () => {
    const s = await startKmsServer();
    kms = s;
    // us-west-2: the key is there with one of its two declared grants; its grants may not be listed.
    s.addKey({ keyId: UNLISTED, region: 'us-west-2' });
    s.addGrant(UNLISTED, LIVE_GRANT, 'arn:aws:iam::111122223333:role/app', { region: 'us-west-2' });
    s.fail('ListGrants', 'AccessDeniedException', 1000, { region: 'us-west-2' });
    // us-east-1: the same declarations, grants listable: the revoked grant is missing there.
    s.addKey({ keyId: LISTED, region: 'us-east-1' });
    s.addGrant(LISTED, LIVE_GRANT, 'arn:aws:iam::111122223333:role/app', { region: 'us-east-1' });
    sts = await startStsServer({ callerAccount: s.account, assume: () => undefined });
    const state = writeState([
      keyResource('unlisted', arn('us-west-2', `key/${UNLISTED}`)),
      grantResource('unlisted_live', UNLISTED, LIVE_GRANT),
      grantResource('unlisted_revoked', UNLISTED, REVOKED_GRANT),
      keyResource('listed', arn('us-east-1', `key/${LISTED}`)),
      grantResource('listed_live', LISTED, LIVE_GRANT),
      grantResource('listed_revoked', LISTED, REVOKED_GRANT),
    ]);

    const result = await scanCli({ kms: s.endpoint, sts: sts.endpoint }, '--state', state);

    expect(result.code, result.stderr).toBe(4); // inputs incomplete: the grants of one key could not be read
    expect(result.stderr).toMatch(
      new RegExp(`SCAN_ACCESS_DENIED .*${arn('us-west-2', `key/${UNLISTED}`)}.*AccessDeniedException`),
    );
    const addresses = result.logs.map((l) => (l['terraform'] as { address?: string } | undefined)?.address);
    expect(addresses).not.toContain('aws_kms_grant.unlisted_revoked');
    expect(addresses).not.toContain('aws_kms_grant.unlisted_live');
    // The listable key's grants were compared: its revoked grant is missing, and that is the only log.
    expect(result.logs).toEqual([
      expect.objectContaining({
        rule: 'kms_scan_missing',
        event: 'Scan',
        drift_type: 'deleted',
        resource: `${arn('us-east-1', `key/${LISTED}`)}:${REVOKED_GRANT}`,
        missing: expect.objectContaining({ reason: 'not_found' }) as unknown,
      }),
    ]);
  });
});
