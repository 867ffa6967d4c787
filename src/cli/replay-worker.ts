// A worker thread of `replay --jobs N` (src/cli/replay-workers.ts): it loads the rules and states itself, then reads
// and evaluates the files the main thread hands it, one after the other, and posts each file's outcomes back. Break-
// glass events are held (app.ts `holdBreakGlass`): the main thread classifies them in input order.
import { parentPort, workerData } from 'node:worker_threads';
import type { Core } from '../app.ts';
import { loadInputFile, readLoadedFile, type Loaded } from '../sources/files/read-inputs.ts';
import { setupCore, type SetupOptions } from './setup.ts';
import type { FromWorker, ReplayResult, ToWorker } from './replay-protocol.ts';

/** Payloads posted at once: a file of JSON Lines is sent in parts, not held whole. */
const CHUNK = 256;

const port = parentPort;
if (port === null) throw new Error('replay-worker.ts runs as a worker thread');
const post = (message: FromWorker): void => port.postMessage(message);

const ready: Promise<Core | undefined> = setupCore({ ...(workerData as SetupOptions), holdBreakGlass: true }).then(
  (s) => {
    // The main thread loaded the same rules and states first and reported their problems: here they only stop.
    if (s.ok) {
      post({ kind: 'ready' });
      return s.core;
    }
    post({ kind: 'failed', message: s.problems.map((p) => p.message).join('; ') });
    return undefined;
  },
);

// Files are read from disk as soon as they are assigned, so the next one loads while this one is evaluated.
const queue: { readonly id: number; readonly path: string; readonly loaded: Promise<Loaded> }[] = [];
let running = false;

port.on('message', (message: ToWorker) => {
  queue.push({ id: message.id, path: message.path, loaded: loadInputFile(message.path) });
  if (!running) void drain();
});

async function drain(): Promise<void> {
  running = true;
  const core = await ready;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (core === undefined) return;
    try {
      await evaluate(core, next.id, next.path, await next.loaded);
    } catch (err: unknown) {
      post({
        kind: 'failed',
        message: `${next.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      });
    }
  }
  running = false;
}

async function evaluate(core: Core, id: number, path: string, loaded: Loaded): Promise<void> {
  let results: ReplayResult[] = [];
  for await (const payload of readLoadedFile(path, loaded, core.readSet)) {
    if ('problem' in payload) results.push(payload);
    else {
      const outcome =
        'logFile' in payload ? core.processLogFile(payload.logFile) : core.processPayload(payload.value, payload.path);
      results.push({ source: payload.source, outcome });
    }
    if (results.length >= CHUNK) {
      post({ kind: 'results', id, results, done: false });
      results = [];
    }
  }
  post({ kind: 'results', id, results, done: true });
}
