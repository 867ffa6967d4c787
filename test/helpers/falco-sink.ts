// An HTTP endpoint on loopback that takes alerts as falcosidekick's `/` does (falcosecurity/falcosidekick,
// handlers.go mainHandler and types/types.go FalcoPayload): POST only; a body that decodes into FalcoPayload (every
// field of its type: a string where Go expects a string, an RFC 3339 time, an object of output fields, an array of
// string tags); and FalcoPayload.Check(): a known priority, a rule, a non-zero time, at least one output field.
// Anything else is a 400 with falcosidekick's message. Tests script other answers (a 500, a stall) and take it down.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** falcosidekick's priority names, matched case-insensitively (types/priority.go), `info` included. */
const PRIORITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'info', 'debug'];
/** What Go's time.Time accepts from JSON: RFC 3339, optionally with a fraction of up to nine digits. */
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

export type SinkAnswer = { readonly status: number; readonly body?: string } | 'stall';

export interface FalcoSink {
  readonly url: string;
  /** Bodies of the alerts answered with a 2xx, parsed, in arrival order. */
  readonly accepted: Record<string, unknown>[];
  /** Every request that reached the server (POSTs answered, refused, stalled). */
  readonly requests: () => number;
  /** Requests refused with a 400, with falcosidekick's reason and the check that failed. */
  readonly rejected: string[];
  /** Stalled requests whose connection the client closed. */
  readonly abandoned: () => number;
  /** Answers for the next requests, in order; after them, valid alerts get 200. */
  script(...answers: SinkAnswer[]): void;
  /** Closes the listening socket: connections are refused until `up`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFalcoSink(): Promise<FalcoSink> {
  const accepted: Record<string, unknown>[] = [];
  const rejected: string[] = [];
  const answers: SinkAnswer[] = [];
  const sockets = new Set<Socket>();
  let requests = 0;
  let abandoned = 0;
  let closing = false;
  const server = createServer((req, res) => {
    requests++;
    void handle(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = answers.shift();
    if (answer === 'stall') {
      res.on('close', () => {
        if (!closing) abandoned++;
      });
      return;
    }
    if (req.method !== 'POST') return refuse(res, 'Please send with post http method', 'method');
    const invalid = checkPayload(Buffer.concat(chunks).toString('utf8'));
    if (invalid !== undefined) return refuse(res, 'Please send a valid request body', invalid);
    if (answer !== undefined) {
      res.writeHead(answer.status).end(answer.body ?? '');
      return;
    }
    accepted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
    res.writeHead(200).end();
  }

  function refuse(res: ServerResponse, message: string, why: string): void {
    rejected.push(why);
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      closing = true;
      for (const s of sockets) s.destroy();
      server.close(() => {
        closing = false;
        resolve();
      });
    });
  return {
    url: `http://127.0.0.1:${port}/`,
    accepted,
    rejected,
    requests: () => requests,
    abandoned: () => abandoned,
    script: (...a) => void answers.push(...a),
    down: close,
    up: () => listen(port),
    stop: () => (server.listening ? close() : Promise.resolve()),
  };
}

/** Why falcosidekick would refuse this body (decoding into FalcoPayload, then Check()), or undefined. */
export function checkPayload(body: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const p = v as Record<string, unknown>;
  // encoding/json: a value of the wrong type for its field is a decoding error; null leaves the field at zero.
  for (const key of ['uuid', 'output', 'priority', 'rule', 'source', 'hostname', 'time']) {
    if (p[key] !== undefined && p[key] !== null && typeof p[key] !== 'string') return `${key} is not a string`;
  }
  const fields = p['output_fields'];
  if (fields !== undefined && fields !== null && (typeof fields !== 'object' || Array.isArray(fields)))
    return 'output_fields is not an object';
  const tags = p['tags'];
  if (tags !== undefined && tags !== null && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string')))
    return 'tags is not an array of strings';
  const time = p['time'];
  if (typeof time === 'string' && !validTime(time)) return 'time is not RFC 3339';
  // FalcoPayload.Check()
  if (typeof p['priority'] !== 'string' || !PRIORITIES.includes(p['priority'].toLowerCase())) return 'no priority';
  if (typeof p['rule'] !== 'string' || p['rule'] === '') return 'no rule';
  if (typeof time !== 'string') return 'no time';
  if (fields === undefined || fields === null || Object.keys(fields).length === 0) return 'no output_fields';
  return undefined;
}

function validTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (m === null) return false;
  const [, y, mo, d, h, mi, se] = m.map(Number);
  const days = new Date(Date.UTC(y ?? 0, mo ?? 0, 0)).getUTCDate();
  return (
    (mo ?? 0) >= 1 &&
    (mo ?? 0) <= 12 &&
    (d ?? 0) >= 1 &&
    (d ?? 0) <= days &&
    (h ?? 0) < 24 &&
    (mi ?? 0) < 60 &&
    (se ?? 0) < 60
  );
}
