import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from '../helpers/fauxqs.ts';

// Kubernetes may stop a pod while it is still starting. From the moment Node runs the entry file (bin/kms-drift.js,
// which names the process `kms-drift run` as it installs its first handlers) — modules loading, rules and states
// loading, the receive loop starting against a queue that is not there — SIGTERM ends the daemon with 0, never by the
// signal itself (which an orchestrator reports as a crash). Before that, Node's runtime is still starting and no
// JavaScript can handle a signal (RELIABILITY.md says so).
describe('SIGTERM at any moment of the start', () => {
  it.each([0, 10, 25, 50, 100, 200, 400, 800])('%i ms after the entry file ran: exit 0', async (ms) => {
    const d = startDaemon('http://127.0.0.1:9', 'http://127.0.0.1:9/000000000000/q', { AWS_MAX_ATTEMPTS: '1' });
    const pid = d.child.pid ?? 0;
    // Polled every millisecond: the earliest instants are the point of the test.
    const deadline = Date.now() + 20_000;
    while (!named(pid)) {
      if (Date.now() > deadline) throw new Error('the entry file never ran');
      await sleep(1);
    }
    await sleep(ms);
    d.child.kill('SIGTERM');
    expect(await d.exited, d.stderr()).toBe(0);
    expect(d.stderr()).not.toMatch(/^\s+at /m);
  });
});

function named(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('kms-drift run');
  } catch {
    return false;
  }
}
