import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupCore } from '../../src/cli/setup.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../../src/model/json.ts';
import { atLeast } from '../../src/model/priority.ts';
import { ROOT } from '../helpers/cli.ts';

// The bundled drift rules' contract (the head of rules/kms_drift_rules.yaml): a change outside Terraform that drifts
// (modified, deleted, unmanaged) gives exactly one drift log; an event that leaves the resource as Terraform declares
// it (in_sync) or touches nothing declared (none) gives none above Informational. Checked on every KMS record of the
// fixtures, against no state, the example state, the organization's states and each resource type's state.

const DIRS = [
  'fixtures/cloudtrail/aws-kms-developer-guide',
  'fixtures/cloudtrail/aws-kms-developer-guide/history',
  'fixtures/own/cloudtrail/kms',
];
const STATE_SETS: readonly (readonly string[])[] = [
  [],
  ['examples/terraform.tfstate'],
  ['fixtures/own/tfstate/org'],
  ...readdirSync(`${ROOT}fixtures/own/tfstate/types`).map((f) => [`fixtures/own/tfstate/types/${f}`]),
];
// Rules that are not drift rules: break-glass (a procedure, not drift; off without settings) and scan findings.
const NOT_DRIFT = /^kms_(break_glass|scan)_/;

function records(): [string, JsonObject][] {
  const out: [string, JsonObject][] = [];
  for (const dir of DIRS) {
    for (const f of readdirSync(`${ROOT}${dir}`).filter((n) => n.endsWith('.json'))) {
      const value = JSON.parse(readFileSync(`${ROOT}${dir}/${f}`, 'utf8')) as JsonValue;
      const list = isJsonObject(value) && Array.isArray(value['Records']) ? (value['Records'] as JsonValue[]) : [value];
      list.forEach((r, i) => {
        if (isJsonObject(r)) out.push([`${dir}/${f}#${i}`, r]);
      });
    }
  }
  return out;
}

describe('one change, one bundled drift log; quiet when in sync', () => {
  const all = records();
  it.each(STATE_SETS.map((s) => [s.join(', ') || 'no state', s] as const))('%s', async (_name, states) => {
    const setup = await setupCore({
      states: states.map((s) => `${ROOT}${s}`),
      rules: [`${ROOT}rules/kms_drift_rules.yaml`],
      terraformPrincipals: [],
    });
    let drifted = 0;
    for (const [where, record] of all) {
      const [finding] = setup.core.findings(record);
      if (finding === undefined) continue;
      const logs = setup.core
        .processPayload(record)
        .logs.filter((l) => !NOT_DRIFT.test(String(l.log['rule'])))
        .filter((l) => atLeast(l.priority, 'Notice'));
      const detected = ['modified', 'deleted', 'unmanaged'].includes(finding.driftType);
      const ours = detected && !finding.byTerraform && finding.event.error === undefined;
      if (ours) drifted++;
      const rules = logs.map((l) => l.log['rule']);
      expect(rules, `${where}: ${finding.event.name} ${finding.driftType}`).toHaveLength(ours ? 1 : 0);
    }
    // The records do exercise the rules under every state set.
    expect(drifted).toBeGreaterThan(10);
  });
});
