// A fault the emulators cannot produce, made by a loopback server in front of them: an endpoint that accepts
// connections and never answers. (An S3 that stalls mid-body is stalling-proxy.ts.)
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
