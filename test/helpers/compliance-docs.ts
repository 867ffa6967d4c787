// Generates docs/compliance/: a page per control with the bundled rules that serve it and, for each, the drift log
// its first matching test case produces. test/docs/compliance.test.ts checks the pages are current;
// `UPDATE_DOCS=1 npx vitest run test/docs/compliance.test.ts` rewrites them.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { createCore, fixedState } from '../../src/app.ts';
import type { JsonValue } from '../../src/model/json.ts';
import type { Problem } from '../../src/model/problem.ts';
import { readRuleFiles } from '../../src/rules/load/files.ts';
import { loadRules } from '../../src/rules/load/load.ts';
import { readTestCases, type RuleTestCase } from '../../src/rules/testing/cases.ts';
import { loadStates } from '../../src/terraform/load-states.ts';

/** The controls the bundled rules name in their tags; a tag of these frameworks missing here fails generation. */
const CONTROLS: Readonly<Record<string, { title: string; text: string }>> = {
  'pci_dss_3.6': {
    title: 'PCI DSS v4.0 requirement 3.6 — cryptographic keys used to protect stored account data are secured',
    text: 'Access to keys is restricted to the fewest custodians necessary (3.6.1): who can use and administer a key, as its key policy says.',
  },
  'pci_dss_3.7': {
    title: 'PCI DSS v4.0 requirement 3.7 — key-management processes cover the whole key lifecycle',
    text: 'Keys change at the end of their cryptoperiod (3.7.4) and are retired or replaced under control (3.7.5).',
  },
  'pci_dss_12.10': {
    title: 'PCI DSS v4.0 requirement 12.10 — suspected and confirmed security incidents are responded to immediately',
    text: 'The incident response plan is followed: an emergency revocation of a key, and its recovery, happen as the plan says.',
  },
  'hipaa_164.312': {
    title: 'HIPAA Security Rule §164.312 — technical safeguards',
    text: 'Access control (a)(1) and encryption and decryption of ePHI (a)(2)(iv): only authorized principals can decrypt, under the conditions set.',
  },
  'soc2_cc6.1': {
    title: 'SOC 2 CC6.1 — logical access security over protected information assets',
    text: 'Encryption keys are protected and access to them is restricted to authorized users and services.',
  },
  'soc2_cc6.3': {
    title: 'SOC 2 CC6.3 — access based on roles, least privilege and separation of duties',
    text: 'Those who administer a key are not those who use it.',
  },
  'soc2_cc7.4': {
    title: 'SOC 2 CC7.4 — the entity responds to identified security incidents',
    text: 'Emergency actions follow the documented procedure, and their recovery happens in time and by the right people.',
  },
  'soc2_cc8.1': {
    title: 'SOC 2 CC8.1 — changes are authorized, designed, tested, approved and implemented',
    text: 'Production keys and aliases come from the reviewed change process (Terraform), and its declarations hold.',
  },
};
const FRAMEWORK = /^(pci_dss|hipaa|soc2)_/;
/** Production accounts are empty by default; the example of that rule runs with a user's override, as documented. */
const EXTRA = ['fixtures/own/rules/production-accounts.yaml'];

interface RuleItem {
  readonly rule: string;
  readonly desc: string;
  readonly condition: string;
  readonly priority: string;
  readonly tags: readonly string[];
  readonly file: string;
}

export async function compliancePages(): Promise<Map<string, string>> {
  const files = await readRuleFiles(['rules', 'examples', ...EXTRA]);
  const problems: Problem[] = [];
  const ruleset = loadRules(files.files).ruleset;
  const cases = files.files.flatMap((f) => readTestCases(f, problems));
  const items = files.files
    .filter((f) => f.path.startsWith('rules/'))
    .flatMap((f) =>
      ((parseYaml(f.text) as Record<string, unknown>[] | null) ?? [])
        .filter((i) => typeof i['rule'] === 'string' && Array.isArray(i['tags']))
        .map((i) => ({ ...(i as unknown as RuleItem), file: f.path })),
    );
  const byControl = new Map<string, RuleItem[]>();
  for (const item of items) {
    for (const tag of item.tags.filter((t) => FRAMEWORK.test(t))) {
      if (CONTROLS[tag] === undefined) throw new Error(`${item.rule}: control tag ${tag} has no description here`);
      byControl.set(tag, [...(byControl.get(tag) ?? []), item]);
    }
  }
  const example = async (rule: string): Promise<{ test: string; log: JsonValue } | undefined> => {
    const c = cases.find((x) => x.rule === rule && x.expect);
    if (c === undefined) return undefined;
    const log = await runExample(c, ruleset);
    return log === undefined ? undefined : { test: c.name, log };
  };
  const pages = new Map<string, string>();
  const controls = [...byControl.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const index = [
    '# Compliance controls',
    '',
    'Generated from the tags of the bundled rules (`rules/`) by `test/helpers/compliance-docs.ts`; a test checks it is',
    'current. Each page lists the rules that serve a control and the drift log each produces on its test case.',
    'The controls are written as PCI DSS v4.0, HIPAA Security Rule and SOC 2 (2017 TSC) sections.',
    '',
    '| control | rules |',
    '|---|---|',
    ...controls.map(
      (c) =>
        `| [${CONTROLS[c]?.title ?? c}](${c}.md) | ${(byControl.get(c) ?? []).map((r) => `\`${r.rule}\``).join(', ')} |`,
    ),
    '',
  ];
  pages.set('README.md', index.join('\n'));
  for (const control of controls) {
    const info = CONTROLS[control];
    const lines = [`# ${info?.title ?? control}`, '', `Tag: \`${control}\`. ${info?.text ?? ''}`, ''];
    lines.push('| rule | priority | file |', '|---|---|---|');
    for (const r of byControl.get(control) ?? []) lines.push(`| \`${r.rule}\` | ${r.priority} | \`${r.file}\` |`);
    for (const r of byControl.get(control) ?? []) {
      lines.push('', `## \`${r.rule}\``, '', r.desc.trim().replace(/\s+/g, ' '), '', '```', r.condition.trim(), '```');
      const ex = await example(r.rule);
      if (ex === undefined) throw new Error(`${r.rule}: no test case that matches, so no example drift log`);
      lines.push('', `Drift log of the test case "${ex.test}":`, '', '```json', JSON.stringify(ex.log, null, 2), '```');
    }
    pages.set(`${control}.md`, `${lines.join('\n')}\n`);
  }
  return pages;
}

async function runExample(
  c: RuleTestCase,
  ruleset: ReturnType<typeof loadRules>['ruleset'],
): Promise<JsonValue | undefined> {
  const states = await loadStates(c.state === undefined ? [] : [c.state]);
  const event = 'inline' in c.event ? c.event.inline : (JSON.parse(await readFile(c.event.file, 'utf8')) as JsonValue);
  const core = createCore({ ruleset, terraformPrincipals: [], ...c.settings }, fixedState(states.index));
  const hit = core.processPayload(event).logs.find((l) => l.log['rule'] === c.rule);
  // The state path is where the test ran it from; the docs show it relative to the repository.
  return hit === undefined
    ? undefined
    : (JSON.parse(JSON.stringify(hit.log).replaceAll(`${process.cwd()}/`, '')) as JsonValue);
}
