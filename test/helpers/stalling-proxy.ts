import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on loopback in front of the SQS/S3 server that makes S3 GetObject stall, a fault fauxqs cannot
 * produce: for a path containing `stallBody`, the headers and the first `bytes` of the body are sent, then nothing
 * (the connection stays open); for a path containing `stallHeaders`, if given, nothing at all. Everything else
 * passes. `stalled` counts the requests stalled so far.
 */
export async function startStallingProxy(
  upstream: string,
  options: { stallBody: string; stallHeaders?: string; bytes: number },
): Promise<{ endpoint: string; stalled: () => number; stop: () => Promise<void> }> {
  const target = new URL(upstream);
  let stalled = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(req.url ?? '');
    if (req.method === 'GET' && options.stallHeaders !== undefined && path.includes(options.stallHeaders)) {
      stalled++;
      return; // never answered
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!(req.method === 'GET' && path.includes(options.stallBody))) return void up.pipe(res);
        stalled++;
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          if (sent < options.bytes) res.write(chunk.subarray(0, options.bytes - sent));
          sent += chunk.length;
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stalled: () => stalled,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
