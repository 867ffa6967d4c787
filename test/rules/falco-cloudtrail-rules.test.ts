import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadRules } from '../../src/rules/load/load.ts';
import { formatProblem } from '../../src/model/problem.ts';
import type { JsonObject } from '../../src/model/json.ts';
import { subject } from './lang/subject.ts';
import { ROOT } from '../helpers/cli.ts';

// Falco's own rules for its CloudTrail plugin (fixtures/falco/, unchanged), on the Stratus Red Team detonation logs:
// the file loads as Falco loads it, and its rules fire on the attacks they are written for. Subjects are built
// straight from the records, so this holds whichever records the pipeline lets through.
const FALCO_RULES = `${ROOT}fixtures/falco/aws_cloudtrail_rules.yaml`;
const STRATUS = `${ROOT}fixtures/cloudtrail/non-kms/stratus-red-team/`;

function records(file: string): JsonObject[] {
  return JSON.parse(readFileSync(STRATUS + file, 'utf8')) as JsonObject[];
}

describe("Falco's aws_cloudtrail_rules.yaml", () => {
  const text = readFileSync(FALCO_RULES, 'utf8');

  it('loads unchanged with no error and no warning (Falco gives none either)', () => {
    const loaded = loadRules([{ path: FALCO_RULES, text }]);
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    // Every rule runs but the two it disables ("All Cloudtrail Events", "List Buckets").
    expect(loaded.ruleset.rules.length).toBe((text.match(/^- rule:/gm) ?? []).length - 2);
  });

  it('fires on the detonations it is written for, with the outputs Falco prints', () => {
    const { ruleset } = loadRules([{ path: FALCO_RULES, text }]);
    const fired = (file: string): string[] =>
      records(file).flatMap((r) => ruleset.evaluate(subject(r)).map((m) => `${m.rule}: ${m.output}`));
    expect(fired('aws.defense-evasion.cloudtrail-stop.json')).toEqual([
      expect.stringMatching(
        /^CloudTrail Logging Disabled: The CloudTrail logging has been disabled\. \(requesting user=\S+, requesting IP=\S+, AWS region=\S+, resource name=\S+\)$/,
      ),
    ]);
    expect(fired('aws.persistence.iam-create-admin-user.json')).toEqual([
      'Create AWS user: A new AWS user has been created (requesting user=christophe, requesting IP=075.050.255.67, AWS region=ap-isob-central-3r, new user created=malicious-iam-user)',
    ]);
    expect(fired('aws.initial-access.console-login-without-mfa.json')).toEqual([
      expect.stringMatching(/^Console Login Without MFA: Detected a console login without MFA/),
    ]);
    expect(fired('aws.credential-access.secretsmanager-retrieve-secrets.json')).toEqual([]);
  });

  it('its disabled catch-all, once enabled, numbers the events and prints the plugin summary (evt.num, evt.plugininfo)', () => {
    const enable = '- rule: All Cloudtrail Events\n  enabled: true\n  override:\n    enabled: replace\n';
    const { ruleset, problems } = loadRules([
      { path: FALCO_RULES, text },
      { path: 'enable.yaml', text: enable },
    ]);
    expect(problems).toEqual([]);
    const outputs = records('aws.persistence.iam-create-admin-user.json').flatMap((r) =>
      ruleset
        .evaluate(subject(r))
        .filter((m) => m.rule === 'All Cloudtrail Events')
        .map((m) => m.output),
    );
    // The plugin's String(): region, user, short source, name, then ct.info; the time as Falco's ISO 8601.
    const info = (n: string) => `ap-isob-central-3r christophe iam ${n} christophe via 075.050.255.67 → ${n}`;
    expect(outputs).toEqual([
      `Some Cloudtrail Event (evtnum=1 info=${info('AttachUserPolicy')} ts=2024-08-01T13:33:28.000000000+0000 id=083dc4ad-e264-46bc-a407-d0dd31b58bdc error=<NA>)`,
      `Some Cloudtrail Event (evtnum=2 info=${info('CreateAccessKey')} ts=2024-08-01T13:33:28.000000000+0000 id=94faedcc-0fa4-46e6-9322-022e8e934f04 error=<NA>)`,
      `Some Cloudtrail Event (evtnum=3 info=${info('CreateUser')} ts=2024-08-01T13:33:28.000000000+0000 id=3346344c-5a3e-429e-8405-420f98f75d6e error=<NA>)`,
    ]);
  });
});
