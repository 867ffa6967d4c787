import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

/**
 * The image's tree (Dockerfile: package.json, bin, src, rules, examples and production node_modules), built without
 * Docker: the checkout's node_modules without the devDependency fauxqs.
 */
function imageTree(): string {
  const app = mkdtempSync(join(tmpdir(), 'kms-drift-image-'));
  for (const p of ['package.json', 'bin', 'src', 'rules', 'examples'])
    cpSync(join(ROOT, p), join(app, p), { recursive: true });
  mkdirSync(join(app, 'node_modules'));
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === 'fauxqs' || entry === '.bin') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(app, 'node_modules', entry));
  }
  return app;
}

describe('in the image', () => {
  it('run --local says in one line that it needs the checkout, exit 2, no stack trace', () => {
    const app = imageTree();
    const run = spawnSync(process.execPath, ['bin/kms-drift.js', 'run', '--local'], { cwd: app, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^kms-drift run --local: needs the SQS\/S3 emulator fauxqs, a development dependency that is not installed here \(not in the container image\)/,
      ),
      '',
    ]);
    // The rest of the CLI works there.
    const demo = spawnSync(process.execPath, ['bin/kms-drift.js', 'demo', '--format', 'json'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(demo.status, demo.stderr).toBe(0);
  });
});
