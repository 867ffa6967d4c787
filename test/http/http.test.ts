import { afterEach, describe, expect, it } from 'vitest';
import { startHttp } from '../../src/http/server.ts';
import { Metrics } from '../../src/sinks/metrics.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

describe('/metrics, /healthz, /readyz on loopback', () => {
  it('serves the metrics the daemon records, health, readiness with a reason, and nothing else', async () => {
    const metrics = new Metrics();
    let reason: string | undefined = 'no SQS receive yet';
    const http = await startHttp('127.0.0.1:0', metrics.registry, { notReadyReason: () => reason });
    stops.push(http.stop);
    const url = (path: string) => `http://127.0.0.1:${http.port}${path}`;

    metrics.payload({
      logs: [],
      problems: [{ code: 'RECORD_SHAPE', severity: 'error', message: 'x' }],
      events: [{ name: 'DisableKey', eventId: 'e', eventTime: '2025-01-01T00:00:00Z', driftType: 'modified' }],
      skipped: { other_service: 3 },
      s3Objects: [],
    });
    metrics.logged('kms_key_disabled', 'Error', Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-01T00:00:30Z'));
    metrics.message('deleted', 2);
    const text = await (await fetch(url('/metrics'))).text();
    expect(text).toContain('kms_drift_events_total{event="DisableKey",drift_type="modified"} 1');
    expect(text).toContain('kms_drift_logs_total{rule="kms_key_disabled",priority="Error"} 1');
    expect(text).toContain('kms_drift_sqs_messages_total{outcome="deleted"} 2');
    expect(text).toContain('kms_drift_skipped_records_total{reason="other_service"} 3');
    expect(text).toContain('kms_drift_problems_total{code="RECORD_SHAPE"} 1');
    expect(text).toMatch(/kms_drift_event_lag_seconds_bucket\{le="30"\} 1/);

    expect((await fetch(url('/healthz'))).status).toBe(200);
    const notReady = await fetch(url('/readyz'));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', reason: 'no SQS receive yet' });
    reason = undefined;
    expect((await fetch(url('/readyz'))).status).toBe(200);
    expect((await fetch(url('/'))).status).toBe(404);
    expect((await fetch(url('/metrics'), { method: 'POST' })).status).toBe(405);
  });
});
