import { describe, expect, it } from 'vitest';
import { KMS_EVENT_NAMES } from '../../src/model/kms-event.ts';
import { describeReadSet } from '../../src/normalize/read-set.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { loadRules } from '../../src/rules/load/load.ts';

// The records the rules read, derived from their conditions as Falco derives event types: `and` intersects, `or`
// unites, `not` (and any field that names no event or service) constrains nothing.

function readSetOf(rules: string): ReturnType<typeof loadRules>['ruleset']['readSet'] {
  const loaded = loadRules([{ path: 'r.yaml', text: rules }]);
  expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return loaded.ruleset.readSet;
}

const rule = (name: string, condition: string, extra = ''): string =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: warning\n${extra}`;

describe('the read set of a ruleset', () => {
  it('the bundled rules read exactly the KMS events that carry a change', async () => {
    const files = await readRuleFiles(['rules']);
    const { ruleset } = loadRules(files.files);
    expect(ruleset.readSet.anySource).toEqual(new Set());
    expect([...ruleset.readSet.bySource.keys()]).toEqual(['kms']);
    expect(ruleset.readSet.bySource.get('kms')).toEqual(new Set(KMS_EVENT_NAMES));
  });

  it('names of any source; a source narrows them; a list; or unites', () => {
    const set = readSetOf(
      [
        rule('a', 'ct.name = "StopLogging" and not ct.error exists'),
        rule('b', 'ct.src = "ecs.amazonaws.com" and (ct.name = "RunTask" or ct.name = "StartTask")'),
        rule('c', 'evt.name in (Decrypt, Encrypt) and cloud.service = kms'),
      ].join('\n'),
    );
    expect(set.bySource).toEqual(
      new Map([
        ['ecs', new Set(['RunTask', 'StartTask'])],
        ['kms', new Set(['Decrypt', 'Encrypt'])],
      ]),
    );
    expect(set.anySource).toEqual(new Set(['StopLogging']));
    // An `or` of a source and an event name: each branch leaves the other dimension open, so it reads everything.
    expect(readSetOf(rule('d', 'ct.shortsrc = s3 or ct.name = CreateUser'))).toEqual({
      anySource: 'all',
      bySource: new Map(),
    });
    expect(
      readSetOf(rule('e', 'ct.shortsrc = s3 and (ct.name = PutBucketPolicy or ct.src = "iam.amazonaws.com")')),
    ).toEqual({
      anySource: new Set(),
      // The `or`'s second branch names no event, so every s3 event is read: a superset, never less.
      bySource: new Map([['s3', 'all']]),
    });
  });

  it('not widens; a disabled rule and a rule below --min-priority read nothing', () => {
    expect(readSetOf(rule('a', 'not ct.name = StopLogging')).anySource).toBe('all');
    const set = readSetOf(
      [rule('a', 'ct.name = StopLogging'), rule('b', 'evt.num > 0', '  enabled: false\n')].join('\n'),
    );
    expect(set).toEqual({ anySource: new Set(['StopLogging']), bySource: new Map() });
    const loaded = loadRules(
      [{ path: 'r.yaml', text: [rule('a', 'ct.name = StopLogging'), rule('b', 'evt.num > 0')].join('\n') }],
      { minPriority: 'Error' },
    );
    expect(loaded.ruleset.readSet).toEqual({ anySource: new Set(), bySource: new Map() });
  });

  it('macros, lists and exceptions are expanded first', () => {
    const set = readSetOf(
      [
        '- list: usage\n  items: [Decrypt, GenerateDataKey]',
        '- macro: key_usage\n  condition: evt.name in (usage)',
        rule(
          'a',
          'key_usage and cloud.service = "kms"',
          '  exceptions:\n    - name: ci\n      fields: user\n      values: [ci]\n',
        ),
      ].join('\n'),
    );
    expect(set).toEqual({
      anySource: new Set(),
      bySource: new Map([['kms', new Set(['Decrypt', 'GenerateDataKey'])]]),
    });
  });

  it("Scan is kms-drift's own event, not a CloudTrail record of KMS", () => {
    const set = readSetOf(rule('a', 'cloud.service = kms and evt.name = Scan'));
    expect(set).toEqual({ anySource: new Set(), bySource: new Map() });
  });

  it('is described short, for the summary', async () => {
    const { ruleset } = loadRules((await readRuleFiles(['rules'])).files);
    expect(describeReadSet(ruleset.readSet)).toBe(
      'kms (27 events: CancelKeyDeletion, ConnectCustomKeyStore, CreateAlias, CreateCustomKeyStore, …)',
    );
    expect(describeReadSet({ anySource: 'all', bySource: new Map() })).toBe('every record');
    expect(describeReadSet({ anySource: new Set(['StopLogging']), bySource: new Map([['s3', 'all']]) })).toBe(
      'every event of s3; any service (StopLogging)',
    );
  });
});
