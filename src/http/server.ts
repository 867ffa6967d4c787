import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { parseListen } from '../config/listen.ts';
import type { Health } from './health.ts';

export type { Health } from './health.ts';

export interface HttpServerOptions {
  /** Config.httpListen: `host:port`, bound exactly as written (port 0 = ephemeral). */
  readonly listen: string;
  readonly registry: Registry;
  readonly health: Health;
}

export interface HttpServer {
  start(): Promise<{ readonly port: number }>;
  stop(): Promise<void>;
}

/** The address cannot be bound (in use, not ours, no permission): a configuration error, not a crash. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly code: string | undefined;

  constructor(listen: string, cause: NodeJS.ErrnoException) {
    const why =
      cause.code === 'EADDRINUSE'
        ? 'the address is already in use'
        : cause.code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : cause.code === 'EACCES'
            ? 'permission denied'
            : cause.message;
    super(`cannot listen on ${listen}: ${why} (${cause.code ?? 'error'})`, { cause });
    this.code = cause.code;
  }
}

/** GET /metrics, /healthz and /readyz, and nothing else: 404 for other paths, 405 for other methods. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const address = parseListen(options.listen);
  const server = createServer((req, res) => respond(req, res, options));
  // Keep-alive connections from a scraper would otherwise hold stop() open until they time out.
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    start: () =>
      new Promise((resolve, reject) => {
        if (address === undefined) return reject(new Error(`httpListen: expected host:port, got ${options.listen}`));
        const failed = (err: NodeJS.ErrnoException): void => reject(new ListenError(options.listen, err));
        server.once('error', failed);
        server.listen(address.port, address.host, () => {
          server.off('error', failed);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    stop,
  };
}

function respond(req: IncomingMessage, res: ServerResponse, { registry, health }: HttpServerOptions): void {
  const path = (req.url ?? '/').split('?')[0];
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) return json(res, 404, { status: 'not found' });
  if (req.method !== 'GET') {
    res.setHeader('allow', 'GET');
    return json(res, 405, { status: 'method not allowed' });
  }
  if (path === '/metrics') {
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => json(res, 500, { status: 'metrics unavailable' }),
    );
  } else if (path === '/healthz') {
    const stuck = health.stuckReason();
    json(
      res,
      stuck === undefined ? 200 : 503,
      stuck === undefined ? { status: 'ok' } : { status: 'stuck', reason: stuck },
    );
  } else {
    const reason = health.notReadyReason();
    json(
      res,
      reason === undefined ? 200 : 503,
      reason === undefined ? { status: 'ready' } : { status: 'not ready', reason },
    );
  }
}

function json(res: ServerResponse, status: number, body: Readonly<Record<string, string>>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
