import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compliancePages } from '../helpers/compliance-docs.ts';

const DIR = 'docs/compliance';
const pages = await compliancePages();

describe('docs/compliance: a page per control, generated from the bundled rules', () => {
  if (process.env['UPDATE_DOCS'] === '1') {
    mkdirSync(DIR, { recursive: true });
    for (const [name, text] of pages) writeFileSync(`${DIR}/${name}`, text);
  }

  it('has a page for every control the rules name, and no other', () => {
    expect(readdirSync(DIR).sort()).toEqual([...pages.keys()].sort());
    expect(pages.size).toBeGreaterThanOrEqual(8);
  });

  it.each([...pages.keys()])('%s is current (UPDATE_DOCS=1 rewrites it)', (name) => {
    expect(readFileSync(`${DIR}/${name}`, 'utf8')).toBe(pages.get(name));
  });
});
