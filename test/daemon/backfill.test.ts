import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { startCloudTrailServer } from '../helpers/cloudtrail-server.ts';
import { startDaemon, startQueues, until } from '../helpers/fauxqs.ts';

const base = JSON.parse(
  readFileSync(`${ROOT}fixtures/cloudtrail/aws-kms-developer-guide/ct-disable-key-rotation.1.json`, 'utf8'),
) as Record<string, unknown>;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('catching up with CloudTrail LookupEvents', () => {
  it('backfills missed events within the rate limit, dedups them against the queue, and keeps a checkpoint', async () => {
    const now = Date.now();
    // 120 events of the last hour (3 pages of 50), one also delivered through the queue, one too old to read.
    const records = Array.from({ length: 120 }, (_, i) => ({
      ...base,
      eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      eventTime: new Date(now - (i + 1) * 20_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    }));
    const old = { ...base, eventID: 'old', eventTime: new Date(now - 5 * 3_600_000).toISOString() };
    const ct = await startCloudTrailServer([
      ...records,
      old,
      { ...base, eventSource: 'sts.amazonaws.com', eventID: 'sts' },
    ]);
    cleanups.push(ct.stop);
    const q = await startQueues();
    cleanups.push(q.stop);
    await q.send({ 'detail-type': 'AWS API Call via CloudTrail', detail: records[0] });
    const dir = mkdtempSync(join(tmpdir(), 'kms-drift-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const checkpoint = join(dir, 'checkpoint.json');
    const d = startDaemon(q.endpoint, q.queueUrl, {
      AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint,
      KMS_DRIFT_BACKFILL_SINCE: '2h',
      KMS_DRIFT_CHECKPOINT_FILE: checkpoint,
    });
    cleanups.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await d.exited;
    });
    await until('the backfill', () => d.stderr().includes('LookupEventsRead'), 30_000);
    await until('the queue to drain', async () => (await q.depth(q.queueUrl)) === 0);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    // Each event once per rule it matches (a drift rule and, for some, a compliance rule), never twice.
    const pairs = d.logs.map((l) => `${String(l['event_id'])} ${String(l['rule'])}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const ids = new Set(d.logs.map((l) => String(l['event_id'])));
    expect([...ids].sort()).toEqual(records.map((r) => r.eventID).sort());
    // The 2-hour window is read in two hour slices, oldest first: one request finds the older slice empty, three
    // pages of 50 hold the newer one.
    expect(ct.requests.length).toBe(4);
    // The limiter spaces the sends 500 ms apart; the server sees arrivals, which the client's own work (signing,
    // serializing) shifts by tens of ms on a loaded machine. Without the limiter the three would arrive within ms.
    const gaps = ct.requests.slice(1).map((t, i) => t - (ct.requests[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(350);
    expect((ct.requests.at(-1) ?? 0) - (ct.requests[0] ?? 0)).toBeGreaterThanOrEqual(3 * 500 - 100);
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8')) as { readUntil: string };
    expect(Date.parse(saved.readUntil)).toBeGreaterThanOrEqual(now);
  });
});
