import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthTracker } from '../../src/http/health.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { Metrics } from '../../src/sinks/metrics.ts';

const servers: HttpServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.stop();
});

async function serve(
  metrics: Metrics,
  health: HealthTracker,
): Promise<
  (path: string, method?: string) => Promise<{ status: number; body: string; headers: Record<string, unknown> }>
> {
  const server = createHttpServer({ listen: '127.0.0.1:0', registry: metrics.registry, health });
  servers.push(server);
  const { port } = await server.start();
  expect(port).toBeGreaterThan(0);
  return (path, method = 'GET') =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
}

describe('/metrics, /healthz, /readyz on an ephemeral loopback port', () => {
  it('readiness follows rules, state and recent receives; the ready gauge agrees with /readyz', async () => {
    let now = 1_000_000;
    const health = new HealthTracker({ now: () => now });
    const metrics = new Metrics({ now: () => now });
    metrics.trackReadiness(() => health.notReadyReason() === undefined);
    const get = await serve(metrics, health);
    const ready = async (): Promise<[number, unknown, string | undefined]> => {
      const r = await get('/readyz');
      const gauge = /^kms_drift_ready (\d)$/m.exec((await get('/metrics')).body)?.[1];
      return [r.status, JSON.parse(r.body), gauge];
    };

    const steps: [string, () => void, number, unknown, string][] = [
      ['nothing loaded', () => undefined, 503, { status: 'not ready', reason: 'rules not loaded yet' }, '0'],
      ['rules loaded', () => health.rulesLoaded(), 503, { status: 'not ready', reason: 'state not loaded yet' }, '0'],
      [
        'state loaded, the SQS loop started',
        () => {
          health.stateStatus(undefined);
          health.expectInput('sqs', 60_000);
        },
        503,
        { status: 'not ready', reason: 'no SQS receive yet' },
        '0',
      ],
      ['a receive succeeded', () => health.inputResult('sqs', true), 200, { status: 'ready' }, '1'],
      [
        'a receive failed',
        () => health.inputResult('sqs', false),
        503,
        { status: 'not ready', reason: 'the last SQS receive failed' },
        '0',
      ],
      ['it succeeds again', () => health.inputResult('sqs', true), 200, { status: 'ready' }, '1'],
      [
        'no receive for 61 s',
        () => (now += 61_000),
        503,
        { status: 'not ready', reason: 'the last successful SQS receive was 61 s ago' },
        '0',
      ],
      ['received', () => health.inputResult('sqs', true), 200, { status: 'ready' }, '1'],
      [
        'a state reload failed',
        () => health.stateStatus('state reload failed; using the last good state'),
        503,
        { status: 'not ready', reason: 'state reload failed; using the last good state' },
        '0',
      ],
    ];
    for (const [what, act, status, body, gauge] of steps) {
      act();
      expect(await ready(), what).toEqual([status, body, gauge]);
    }
  });

  it('LookupEvents-only mode: ready on a successful LookupEvents read, with no SQS receive to wait for', async () => {
    const now = 0;
    const health = new HealthTracker({ now: () => now });
    const get = await serve(new Metrics(), health);
    health.rulesLoaded();
    health.stateStatus(undefined);
    health.expectInput('lookup', 120_000);
    expect(JSON.parse((await get('/readyz')).body)).toEqual({
      status: 'not ready',
      reason: 'no LookupEvents read yet',
    });
    health.inputResult('lookup', false);
    expect(JSON.parse((await get('/readyz')).body)).toEqual({
      status: 'not ready',
      reason: 'the last LookupEvents read failed',
    });
    health.inputResult('lookup', true);
    expect(await get('/readyz')).toMatchObject({ status: 200, body: '{"status":"ready"}' });
  });

  it('liveness: 200 while every loop turns, 503 naming the loop once one has not turned within its bound', async () => {
    let now = 0;
    const health = new HealthTracker({ now: () => now });
    const get = await serve(new Metrics(), health);
    expect((await get('/healthz')).status).toBe(200); // no loop yet: starting up
    health.expectLoop('SQS receive loop 0', 120_000);
    health.expectLoop('SQS receive loop 1', 120_000);
    now += 100_000;
    health.loopTurned('SQS receive loop 0');
    now += 20_000;
    expect(await get('/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    now += 1;
    expect(await get('/healthz')).toMatchObject({
      status: 503,
      body: JSON.stringify({ status: 'stuck', reason: 'SQS receive loop 1 has not turned for 120 s' }),
    });
    health.loopTurned('SQS receive loop 1');
    expect((await get('/healthz')).status).toBe(200);
    // A loop that ended (shutdown) is not a stuck one.
    now += 500_000;
    health.loopEnded('SQS receive loop 0');
    health.loopEnded('SQS receive loop 1');
    expect((await get('/healthz')).status).toBe(200);
  });

  it.each([
    { path: '/', method: 'GET', status: 404 },
    { path: '/metrics/extra', method: 'GET', status: 404 },
    { path: '/admin', method: 'POST', status: 404 },
    { path: '/metrics', method: 'POST', status: 405 },
    { path: '/healthz', method: 'DELETE', status: 405 },
    { path: '/readyz', method: 'HEAD', status: 405 },
    { path: '/healthz?verbose=1', method: 'GET', status: 200 },
  ])('$method $path → $status', async ({ path, method, status }) => {
    const get = await serve(new Metrics(), new HealthTracker({ now: () => 0 }));
    const r = await get(path, method);
    expect(r.status).toBe(status);
    if (status === 405) expect(r.headers['allow']).toBe('GET');
  });

  it('binds exactly where configured: a port in use is an error, not another port', async () => {
    const health = new HealthTracker({ now: () => 0 });
    const first = createHttpServer({ listen: '127.0.0.1:0', registry: new Metrics().registry, health });
    servers.push(first);
    const { port } = await first.start();
    const second = createHttpServer({ listen: `127.0.0.1:${port}`, registry: new Metrics().registry, health });
    await expect(second.start()).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE)`,
    );
    await expect(
      createHttpServer({ listen: ':9464', registry: new Metrics().registry, health }).start(),
    ).rejects.toThrow(/expected host:port/);
  });
});
