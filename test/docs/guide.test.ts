import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from '../helpers/cli.ts';

// Every ```yaml block of the rule writer's guide is a rules file with test cases: each must load without errors
// and pass its cases. Paths in the examples are relative to the project root, so the blocks are written there.
const guide = readFileSync(`${ROOT}docs/rules-guide.md`, 'utf8');
const blocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/rules-guide.md examples', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(4));

  it.each(blocks.map((b, i) => [i + 1, b] as const))('example %i loads and its tests pass', async (i, block) => {
    const file = join(ROOT, `.example-${process.pid}-${i}.yaml`);
    writeFileSync(file, block);
    try {
      const result = await runCli(['rules', 'test', file]);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/ passed, 0 failed$/m);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
