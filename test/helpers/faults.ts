// Faults the emulators cannot produce, made by loopback servers in front of them: an endpoint that accepts
// connections and never answers, and an S3 that sends the start of an object's body and then stalls.
import { createServer as createHttpServer, request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Blackhole {
  readonly endpoint: string;
  /** Connections accepted so far (each one is a call the client made). */
  readonly connections: () => number;
  /** While true, new connections are held open and never answered; while false they reach `target`. */
  silent: boolean;
  stop(): Promise<void>;
}

/** A TCP endpoint that swallows connections while `silent`, else forwards them to `target` (host:port), if any. */
export async function startBlackhole(target?: string): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const state = { silent: true };
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (state.silent || target === undefined) return;
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    get silent() {
      return state.silent;
    },
    set silent(value: boolean) {
      state.silent = value;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface StallingProxy {
  readonly endpoint: string;
  /** GETs that were stalled mid-body. */
  readonly stalled: () => number;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of an S3 endpoint: a GET whose path matches `stall` gets its status, headers and the first
 * half of its body, then nothing more, with the connection held open; everything else passes through.
 */
export async function startStallingProxy(target: string, stall: RegExp): Promise<StallingProxy> {
  const url = new URL(target);
  let stalled = 0;
  const server = createHttpServer((req, res) => {
    const upstream = request(
      { host: url.hostname, port: url.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (req.method === 'GET' && stall.test(req.url ?? '') && body.length > 1) {
            stalled++;
            res.write(body.subarray(0, Math.floor(body.length / 2)));
            return;
          }
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stalled: () => stalled,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
