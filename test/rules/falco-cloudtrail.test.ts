import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';

// Rules written for Falco's CloudTrail plugin, replayed over real records of other services than KMS: Stratus Red
// Team's detonation logs (bare arrays of records), ccbrown/cloud-snitch's gzipped log files (an organization trail)
// and plaso's samples (a compact log file with Insight events; LookupEvents output as JSON Lines). Each expected
// table below was derived by reading each rule's condition against those records — which records have the event
// name, no errorCode, the identity type, the JSON values and the Region the condition asks for — never by recording
// what kms-drift printed. A record is named `eventName eventID` (first 8 characters; `-` for plaso's records
// without one).

const INPUTS = [
  'fixtures/cloudtrail/non-kms/stratus-red-team',
  'fixtures/envelopes/s3-cloudtrail-log-files/ccbrown_cloud-snitch',
  'fixtures/envelopes/s3-cloudtrail-log-files/plaso/aws_cloudtrail.json',
  'fixtures/envelopes/s3-cloudtrail-log-files/plaso/jsonl__aws_cloudtrail.jsonl',
];

/** Which records each rule fired on, as `eventName id8`, sorted. */
function fired(result: CliResult): Record<string, string[]> {
  const table: Record<string, string[]> = {};
  for (const log of result.logs) {
    const id = String(log['event_id'] ?? '');
    (table[String(log['rule'])] ??= []).push(`${String(log['event'])} ${id === '' ? '-' : id.slice(0, 8)}`);
  }
  for (const records of Object.values(table)) records.sort();
  return table;
}

const sorted = (records: readonly string[]): string[] => [...records].sort();

describe("Falco's own aws_cloudtrail_rules.yaml (fixtures/falco, unchanged)", () => {
  const FALCO = 'fixtures/falco/aws_cloudtrail_rules.yaml';

  it('validates with no problem at all', async () => {
    const result = await runCli(['rules', 'validate', FALCO]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('fires on the real records where Falco fires, and nowhere else', async () => {
    const result = await runCli(['replay', '--format', 'json', '--rules', FALCO, ...INPUTS]);
    // 0: no problem, every input read (the missing --state is only a warning).
    expect(result.code, result.stderr).toBe(0);
    expect(fired(result)).toEqual({
      // ct.name="StopLogging" and not ct.error exists: Stratus's cloudtrail-stop record (no errorCode).
      'CloudTrail Logging Disabled': ['StopLogging 10163ed2'],
      // ConsoleLogin, no error, identity IAMUser (not AssumedRole), ConsoleLogin Success, MFAUsed No. Not the root
      // rule (IAMUser is not Root), not the assumed-role one.
      'Console Login Without MFA': ['ConsoleLogin 865d9377'],
      // CreateUser without an error: Stratus's iam-create-admin-user and plaso's sample (which has no eventID).
      'Create AWS user': ['CreateUser -', 'CreateUser 3346344c'],
      // RunInstances without an error: plaso's LookupEvents sample, in ap-southeast-2, not in approved_regions
      // (us-east-0), so the non-approved-Region rule fires on it too.
      'Run Instances': ['RunInstances fdd7443c'],
      'Run Instances in Non-approved Region': ['RunInstances fdd7443c'],
      // Nothing else: no record of the fixtures is a CreateGroup, DeleteGroup, ECS call, Lambda call, bucket
      // encryption or policy call, CreateTrail or DeactivateMFADevice; List Buckets and All Cloudtrail Events are
      // disabled; plaso's UpdateTrail failed and no rule names it.
    });
  });

  it("writes Falco's alert keys and the record's facts, no drift keys", async () => {
    const result = await runCli([
      'replay',
      '--format',
      'json',
      '--rules',
      FALCO,
      'fixtures/cloudtrail/non-kms/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json',
    ]);
    expect(result.logs).toHaveLength(1);
    const log = result.logs[0] ?? {};
    const { time: _time, output_fields: fields, ...rest } = log;
    expect(rest).toEqual({
      level: 40,
      rule: 'CloudTrail Logging Disabled',
      priority: 'Warning',
      output:
        'The CloudTrail logging has been disabled. (requesting user=christophe, requesting IP=86.245.153.234, AWS region=apiso-centralnorth-2r, resource name=stratus-red-team-ct-stop-trail-buykxbqejv)',
      tags: ['aws', 'aws_cloudtrail', 'cloud'],
      source: 'aws_cloudtrail',
      service: 'cloudtrail',
      event: 'StopLogging',
      event_id: '10163ed2-2253-469d-a5ee-cbc6651f8934',
      timestamp: '2024-07-31T13:06:24Z',
      account: '143434273843',
      region: 'apiso-centralnorth-2r',
      user: 'christophe',
      user_arn: 'arn:aws:iam::143434273843:user/christophe',
      user_type: 'IAMUser',
      source_ip: '86.245.153.234',
      user_agent: 'stratus-red-team_c97089f1-1ae3-4ecc-b006-f5e8fd0f2571',
      msg: log['output'],
    });
    expect(fields).toMatchObject({
      'ct.user': 'christophe',
      'ct.request.name': 'stratus-red-team-ct-stop-trail-buykxbqejv',
    });
  });

  it('says in the summary which events its rules read', async () => {
    const result = await runCli(['replay', '--format', 'json', '--rules', FALCO, ...INPUTS]);
    const summary = result.stderr.split('\n').find((l) => l.startsWith('kms-drift replay: events')) ?? '';
    // RunTask, StartTask and CreateService only from ECS (ct.src="ecs.amazonaws.com"); the others from any source.
    expect(summary).toMatch(
      /; reads ecs \(CreateService, RunTask, StartTask\); any service \(15 events: ConsoleLogin, /,
    );
    // Records outside those names are skipped unread, counted as before.
    expect(summary).toMatch(/skipped \d+ \(insight_event=2, other_service=\d+, untracked_kms_event=2\)/);
  });
});

describe('rules in the shape of Falco’s file (fixtures/own/rules/falco-cloudtrail-shape.yaml)', () => {
  const OWN = 'fixtures/own/rules/falco-cloudtrail-shape.yaml';

  it('validate with no problem', async () => {
    const result = await runCli(['rules', 'validate', OWN]);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('fire on exactly the records their conditions name', async () => {
    const result = await runCli(['replay', '--format', 'json', '--rules', OWN, ...INPUTS]);
    expect(result.code, result.stderr).toBe(0);
    expect(fired(result)).toEqual({
      // ct.name="GetSecretValue" and not ct.error exists: all 20 of Stratus's secretsmanager records but ListSecrets.
      'Secret Value Read': sorted(
        [
          'b9c3d881',
          'c63dd227',
          '0985f4e9',
          '25b97ad2',
          '2d81c956',
          '853be248',
          'da3b695c',
          '8d045085',
          'a9b70c0d',
          'dbff1b29',
          '99207de2',
          'd92519e6',
          'e20f1d5b',
          'bd52f504',
          '2e8dca5a',
          '304c3bc6',
          '43ebe9e4',
          'a05794ec',
          'c9efcd4d',
          '879e946f',
        ].map((id) => `GetSecretValue ${id}`),
      ),
      // IAMUser (!= AssumedRole), Success, MFAUsed No. The assumed-role rule fires nowhere: no login is AssumedRole.
      'Console Login Without MFA by an IAM User': ['ConsoleLogin 865d9377'],
      'IAM User Created': ['CreateUser -', 'CreateUser 3346344c'],
      // policyArn is AdministratorAccess in Stratus's AttachUserPolicy.
      'Administrator Policy Attached to a User': ['AttachUserPolicy 083dc4ad'],
      // ct.src iam, readOnly false, IAMUser: Stratus's three IAM calls. Plaso's IAM records have no readOnly, so
      // json.value[/readOnly] has no value and the comparison is false.
      'IAM Write Call by an IAM User': sorted([
        'AttachUserPolicy 083dc4ad',
        'CreateAccessKey 94faedcc',
        'CreateUser 3346344c',
      ]),
      // ec2, StopInstances or TerminateInstances, no error: plaso's StopInstances (no eventID), and the LookupEvents
      // sample's StopInstances and TerminateInstances.
      'EC2 Instances Stopped or Terminated': sorted([
        'StopInstances -',
        'StopInstances 0d2a2eac',
        'TerminateInstances 1f2d6879',
      ]),
      // ap-southeast-2 is not in approved_regions (us-east-1, us-east-2).
      'Instances Launched outside the Approved Regions': ['RunInstances fdd7443c'],
      // GetBucketAcl sends acl "" and the organization trail's bucket: the 14 GetBucketAcl records of ccbrown's file.
      'Trail Bucket ACL Read': sorted(
        [
          '2bf4ef67',
          '233148aa',
          '6903ae94',
          '155a6753',
          '109376c1',
          'd294bee3',
          '9fe53a1b',
          '0a356fa8',
          'a579d6b3',
          '142ee8fd',
          '0d86865c',
          '4aa0ad57',
          '99bfb845',
          '39b3a22d',
        ].map((id) => `GetBucketAcl ${id}`),
      ),
      // ct.error exists: plaso's UpdateTrail failed with TrailNotFoundException.
      'Trail Update Failed': ['UpdateTrail b7d4398e'],
      // Every Record is disabled: it fires nowhere.
    });
  });
});

describe('a key-usage rule on real Decrypt records (ccbrown/cloud-snitch)', () => {
  it('reads the Decrypt records of a log file and logs the key, with drift type none and no changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-drift-key-usage-'));
    try {
      const rules = join(dir, 'rules.yaml');
      writeFileSync(
        rules,
        [
          '- list: orders_key_users',
          '  items: ["arn:aws:iam::222222222222:role/someone-else"]',
          '- rule: orders_key_used_by_someone_else',
          '  desc: d',
          '  condition: >',
          '    evt.name = Decrypt and kms.key_arn = "arn:aws:kms:us-east-1:222222222222:key/166e8a87-2716-4c26-9cde-3942d14f7475"',
          '    and not json.value[/userIdentity/sessionContext/sessionIssuer/arn] in (orders_key_users)',
          '  output: "Orders key used by %user.arn (managed=%tf.managed drift=%drift.detected)"',
          '  priority: warning',
          '',
        ].join('\n'),
      );
      const result = await runCli([
        'replay',
        '--format',
        'json',
        '--rules',
        rules,
        'fixtures/envelopes/s3-cloudtrail-log-files/ccbrown_cloud-snitch',
      ]);
      expect(result.code, result.stderr).toBe(0);
      // Two Decrypt records, of two keys: only the orders key's fires; the other records are skipped unread.
      expect(result.stderr).toMatch(/events 2 \(Decrypt=2\)/);
      expect(result.stderr).toMatch(/skipped 19 \(other_service=19\); problems 0; reads any service \(Decrypt\)/);
      expect(result.logs).toHaveLength(1);
      expect(result.logs[0]).toMatchObject({
        rule: 'orders_key_used_by_someone_else',
        output:
          'Orders key used by arn:aws:sts::222222222222:assumed-role/my-LambdaFunctionRole-54321GFDSX/my-LambdaFunction-12345XSDFG (managed=false drift=false)',
        service: 'kms',
        event: 'Decrypt',
        event_id: 'f4008b7e-fa53-4bee-a31a-762b3ba038d1',
        account: '222222222222',
        region: 'us-east-1',
        resource: 'arn:aws:kms:us-east-1:222222222222:key/166e8a87-2716-4c26-9cde-3942d14f7475',
        resource_type: 'aws_kms_key',
        drift_type: 'none',
        changes: {},
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
