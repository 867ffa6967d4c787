import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/json.ts';
import {
  ORG,
  OWN_STATE,
  findingOf,
  indexOf,
  instanceAt,
  readJson,
  sample,
  writeStates,
  type TfState,
} from './state-copies.ts';

// README, identity: a key id, alias name or grant id names a resource only within its account and Region, and each
// event finds the declaration of its own account and Region, whatever the order of the states. A declaration without
// account and Region (no `arn` in the state) is matched by id or name alone, and only when it is the only one: when
// two states declare the same id or name that way, nothing says which one the event is about, and the event is
// unmanaged rather than the first state's. Likewise a key named by an alias resolves to the key the alias targets in
// the alias's own account and Region, never to a key with the same id somewhere else.

const DATA_KEY = 'module.kms.aws_kms_key.this["data"]';
const DATA_ALIAS = 'module.kms.aws_kms_alias.this["data"]';

/** modules-for-each.tfstate as a state without ARNs would hold it: no `arn`, no `target_key_arn`. */
function withoutArns(): TfState {
  const state = readJson<TfState>(OWN_STATE);
  for (const r of state.resources) {
    if (!r.type.startsWith('aws_kms_')) continue;
    for (const i of r.instances) {
      delete i.attributes['arn'];
      delete i.attributes['target_key_arn'];
    }
  }
  return state;
}

describe('a key id or alias name declared without ARN in two states', () => {
  // Two workspaces of one configuration (blue and green), both written without ARNs, both declaring AWS's sample key
  // 1234abcd… and alias/ExampleAlias.
  const paths = writeStates({ 'blue.tfstate': withoutArns(), 'green.tfstate': withoutArns() });
  const blue = paths['blue.tfstate'] ?? '';
  const green = paths['green.tfstate'] ?? '';

  it('declared once, the declaration is matched by id and by name alone', async () => {
    const { index } = await indexOf([blue]);
    const disable = findingOf(sample('ct-disablekey.1.json'), index);
    expect(disable.terraform).toMatchObject({ address: DATA_KEY, state: blue });
    expect(disable.driftType).toBe('modified');
    const alias = findingOf(sample('ct-createalias.1.json'), index);
    expect(alias.terraform).toMatchObject({ address: DATA_ALIAS, state: blue });
    expect(alias.driftType).toBe('in_sync');
  });

  it.each([
    ['blue, green', () => [blue, green]],
    ['green, blue', () => [green, blue]],
  ])('declared twice (--state %s): DisableKey and CreateAlias are unmanaged', async (_order, order) => {
    const { index } = await indexOf(order());
    const disable = findingOf(sample('ct-disablekey.1.json'), index);
    expect(disable.terraform).toBeUndefined();
    expect(disable.driftType).toBe('unmanaged');
    const alias = findingOf(sample('ct-createalias.1.json'), index);
    expect(alias.terraform).toBeUndefined();
    expect(alias.driftType).toBe('unmanaged');
  });
});

describe('a key named by alias whose target is declared only in another account or Region', () => {
  const PROD = '111122223333';
  const STAGING = '444455556666';
  const SAMPLE_KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
  const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

  /** The org states, with alias/ExampleAlias of one of them pointed at `target` (a key that state does not declare). */
  function orgWithAliasTarget(file: string, target: string): string[] {
    const states: Record<string, TfState> = {};
    for (const name of [
      'prod-111122223333-us-west-2.tfstate',
      'prod-111122223333-us-east-1.tfstate',
      'staging-444455556666-us-west-2.tfstate',
      'staging-444455556666-us-east-1.tfstate',
    ]) {
      states[name] = readJson<TfState>(`${ORG}${name}`);
    }
    const state = states[file];
    if (state === undefined) throw new Error(file);
    const alias = instanceAt(state, 'aws_kms_alias.app').attributes;
    const arn = String(alias['arn']).replace(/alias\/.*$/, `key/${target}`);
    Object.assign(alias, { target_key_id: target, target_key_arn: arn });
    return Object.values(writeStates(states));
  }

  /** AWS's sample DisableKey made in `account`/`region` naming its key only by alias: no ARN anywhere. */
  function disableByAlias(account: string, region: string): JsonObject {
    const text = JSON.stringify(sample('ct-disablekey.1.json'))
      .replaceAll(PROD, account)
      .replaceAll('us-west-2', region);
    return {
      ...(JSON.parse(text) as JsonObject),
      awsRegion: region,
      recipientAccountId: account,
      requestParameters: { keyId: 'alias/ExampleAlias' },
      resources: [],
    };
  }

  it('the control: in prod us-west-2 the alias targets the key declared there', async () => {
    const { index } = await indexOf(orgWithAliasTarget('staging-444455556666-us-west-2.tfstate', SAMPLE_KEY));
    const finding = findingOf(disableByAlias(PROD, 'us-west-2'), index);
    expect(finding.terraform?.address).toBe('aws_kms_key.app');
    expect(finding.terraform?.state).toMatch(/prod-111122223333-us-west-2\.tfstate$/);
    expect(finding.driftType).toBe('modified');
  });

  it("staging's alias targets key 1234abcd…, which only prod declares: unmanaged", async () => {
    // The key id is that of AWS's sample, which prod us-west-2 declares; staging declares the alias, not its key.
    const { index, problems } = await indexOf(orgWithAliasTarget('staging-444455556666-us-west-2.tfstate', SAMPLE_KEY));
    expect(problems).toEqual([]);
    const finding = findingOf(disableByAlias(STAGING, 'us-west-2'), index);
    expect(finding.terraform).toBeUndefined();
    expect(finding.driftType).toBe('unmanaged');
  });

  it('prod us-east-1 alias targets the multi-Region key, declared only in us-west-2 and ap-northeast-1: unmanaged', async () => {
    // A replica of the multi-Region key created in us-east-1 outside Terraform, with a declared alias on it: the
    // primary (us-west-2) and its declared replica (ap-northeast-1) share its id but are other keys.
    const { index, problems } = await indexOf(orgWithAliasTarget('prod-111122223333-us-east-1.tfstate', MRK));
    expect(problems).toEqual([]);
    const finding = findingOf(disableByAlias(PROD, 'us-east-1'), index);
    expect(finding.terraform).toBeUndefined();
    expect(finding.driftType).toBe('unmanaged');
  });
});
