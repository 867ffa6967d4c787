import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Health {
  /** undefined when ready, else why not. */
  notReadyReason(): string | undefined;
}

/** /metrics, /healthz and /readyz, and nothing else, bound exactly where configured. */
export async function startHttp(
  listen: string,
  registry: Registry,
  health: Health,
): Promise<{ port: number; stop(): Promise<void> }> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at) || '127.0.0.1';
  const port = Number(listen.slice(at + 1));
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const reason = health.notReadyReason();
      res
        .writeHead(reason === undefined ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(reason === undefined ? { status: 'ready' } : { status: 'not ready', reason }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
