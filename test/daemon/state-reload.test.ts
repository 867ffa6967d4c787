import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { startDaemon, startQueues, until, type Daemon } from '../helpers/fauxqs.ts';

const rec = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const event = (id: string) => ({ 'detail-type': 'AWS API Call via CloudTrail', detail: { ...rec, eventID: id } });
const EMPTY_STATE = JSON.stringify({
  version: 4,
  terraform_version: '1.9.8',
  serial: 1,
  lineage: 'x',
  outputs: {},
  resources: [],
});

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function withDaemon(
  env: Record<string, string>,
): Promise<{ q: Awaited<ReturnType<typeof startQueues>>; d: Daemon }> {
  const q = await startQueues();
  cleanups.push(q.stop);
  const d = startDaemon(q.endpoint, q.queueUrl, {
    KMS_DRIFT_STATE_RELOAD_SECONDS: '1',
    KMS_DRIFT_HTTP_LISTEN: '127.0.0.1:0',
    ...env,
  });
  cleanups.push(async () => {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await d.exited;
  });
  await until('the daemon to start', () => d.stderr().includes('DaemonStarted'));
  return { q, d };
}

describe('Terraform state while running', () => {
  it('a state file rewritten while running is used for the next message; an invalid rewrite keeps the last good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-drift-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const state = join(dir, 'kms.tfstate');
    writeFileSync(state, EMPTY_STATE);
    const { q, d } = await withDaemon({ KMS_DRIFT_STATE: state });

    await q.send(event('00000000-0000-4000-8000-000000000001'));
    await until('the first log', () => d.logs.length >= 1);
    expect(d.logs[0]).toMatchObject({ drift_type: 'unmanaged' });

    copyFileSync(`${ROOT}examples/terraform.tfstate`, state);
    await until('the reload', () => d.stderr().includes('StateReloaded'));
    await q.send(event('00000000-0000-4000-8000-000000000002'));
    await until('the second log', () => d.logs.some((l) => l['event_id'] === '00000000-0000-4000-8000-000000000002'));
    expect(d.logs.find((l) => l['event_id'] === '00000000-0000-4000-8000-000000000002')).toMatchObject({
      drift_type: 'modified',
      terraform: { address: 'module.kms.aws_kms_key.this["data"]' },
    });

    writeFileSync(state, '{"version": 4, "resources": [');
    await until('the reload error', () => d.stderr().includes('StateReloadError'));
    await q.send(event('00000000-0000-4000-8000-000000000003'));
    await until('the third log', () => d.logs.some((l) => l['event_id'] === '00000000-0000-4000-8000-000000000003'));
    expect(d.logs.find((l) => l['event_id'] === '00000000-0000-4000-8000-000000000003')).toMatchObject({
      drift_type: 'modified',
    });
    expect(d.stderr()).toMatch(/STATE_JSON/);
    // /readyz says why, and the reload failure is counted.
    const port = /"http":(\d+)/.exec(d.stderr())?.[1];
    const ready = await fetch(`http://127.0.0.1:${port ?? ''}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/state reload failed \(STATE_JSON/);
    const metrics = await (await fetch(`http://127.0.0.1:${port ?? ''}/metrics`)).text();
    expect(metrics).toMatch(/kms_drift_state_reload_failures_total [1-9]/);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('reads a state from S3 (s3://bucket/key)', async () => {
    const q0 = await startQueues();
    cleanups.push(q0.stop);
    await q0.put('states/kms.tfstate', readFileSync(`${ROOT}examples/terraform.tfstate`));
    const d = startDaemon(q0.endpoint, q0.queueUrl, { KMS_DRIFT_STATE: 's3://trail/states/kms.tfstate' });
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    await q0.send(event('00000000-0000-4000-8000-000000000004'));
    await until('the log', () => d.logs.length >= 1);
    expect(d.logs[0]).toMatchObject({
      terraform: { address: 'module.kms.aws_kms_key.this["data"]', state: 's3://trail/states/kms.tfstate' },
    });
  });
});

describe('secrets stay secret', () => {
  it('a secret planted in the state appears in no drift log, diagnostic or metric', async () => {
    const { q, d } = await withDaemon({ KMS_DRIFT_STATE: `${ROOT}fixtures/own/tfstate/modules-for-each.tfstate` });
    await q.send(event('00000000-0000-4000-8000-0000000000aa'));
    await until('the log', () => d.logs.length >= 1);
    const port = /"http":(\d+)/.exec(d.stderr())?.[1];
    const metrics = await (await fetch(`http://127.0.0.1:${port ?? ''}/metrics`)).text();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const everything = JSON.stringify(d.logs) + d.stderr() + metrics;
    expect(everything).toContain('module.kms.aws_kms_key.this');
    expect(everything).not.toContain('S3cr3t-Must-Never-Leak-9f2c');
  });

  it('the source holds no eval or Function constructor', () => {
    const grep = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .flatMap((e) =>
          /\beval\s*\(|new Function\s*\(|\bFunction\s*\(/.test(readFileSync(join(e.parentPath, e.name), 'utf8'))
            ? [e.name]
            : [],
        );
    expect(grep(`${ROOT}src`)).toEqual([]);
  });
});
