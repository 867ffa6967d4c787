import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRuleFiles } from '../../../src/rules/load/files.ts';

describe('readRuleFiles', () => {
  it('files as given; a directory as its *.yaml/*.yml files in alphabetical order, not recursive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    for (const name of ['b.yml', 'a.yaml', 'c.txt', 'z.yaml.bak']) writeFileSync(join(dir, name), `# ${name}\n`);
    mkdirSync(join(dir, 'nested.yaml'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.yaml'), '# sub\n');
    const single = join(dir, 'c.txt');
    const { files, problems } = await readRuleFiles([single, dir]);
    expect(files.map((f) => [f.path, f.text])).toEqual([
      [single, '# c.txt\n'],
      [join(dir, 'a.yaml'), '# a.yaml\n'],
      [join(dir, 'b.yml'), '# b.yml\n'],
    ]);
    expect(problems).toEqual([]);
  });

  it('a path that cannot be read is a LOAD_ERR_FILE_READ problem naming it; the others are still read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'ok.yaml'), '[]\n');
    const missing = join(dir, 'missing.yaml');
    const { files, problems } = await readRuleFiles([missing, join(dir, 'ok.yaml')]);
    expect(files.map((f) => f.path)).toEqual([join(dir, 'ok.yaml')]);
    expect(problems).toEqual([
      { code: 'LOAD_ERR_FILE_READ', severity: 'error', source: missing, message: expect.stringContaining('ENOENT') },
    ]);
  });
});
