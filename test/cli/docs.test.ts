import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli, ROOT } from '../helpers/cli.ts';

describe('docs tell the truth', () => {
  it('docs/fields.md is the registry as `rules fields --markdown` prints it', async () => {
    const result = await runCli(['rules', 'fields', '--markdown']);
    expect(result.code).toBe(0);
    const doc = readFileSync(`${ROOT}docs/fields.md`, 'utf8');
    expect(doc).toContain(result.stdout.trim());
  });

  it('every rule name the README mentions exists in the bundled rules', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const rules = ['kms_drift_rules.yaml', 'kms_compliance_rules.yaml']
      .map((f) => readFileSync(`${ROOT}rules/${f}`, 'utf8'))
      .join('\n');
    const named = [...readme.matchAll(/`(kms_[a-z_]+)`/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(rules, name).toMatch(new RegExp(`- (rule|macro|list): ${name}\\n`));
  });
});
