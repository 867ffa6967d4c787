// `replay --jobs N`: the files of the inputs read and evaluated by N threads — the main thread and N-1 workers
// (worker-pool.ts) — and their outcomes handed on in input order, so that what follows — duplicate eventIDs dropped,
// break-glass events classified, drift logs written — happens in the order one thread would, with the same result.
import type { Core } from '../app.ts';
import { inputItems, loadInputFile, readLoadedFile, readStdin, type InputItem } from '../sources/files/read-inputs.ts';
import type { InputPayload } from '../sources/files/read-inputs.ts';
import type { ReplayResult } from './replay-protocol.ts';
import type { SetupOptions } from './setup.ts';
import { FileJob, WorkerPool } from './worker-pool.ts';

export type { ReplayResult } from './replay-protocol.ts';

/** Files handed out ahead of the one being written, per thread: what bounds the outcomes waiting here. */
const AHEAD_PER_THREAD = 4;

export interface ReplaySources {
  /** The main thread's core. */
  readonly core: Core;
  /** Threads that evaluate files, the main thread included: 1 keeps everything on the main thread. */
  readonly jobs: number;
  /** What each worker loads (the rules and states the main thread loaded). */
  readonly setup: SetupOptions;
  readonly stdin?: NodeJS.ReadableStream;
  /**
   * Default true: the main thread evaluates files too, whenever it waits for a worker (and so while the workers
   * start). false: `jobs` workers evaluate every file (tests prove the workers' output that way).
   */
  readonly mainEvaluates?: boolean;
}

/**
 * Every payload of the inputs, evaluated, in input order. With `jobs` above 1 and at least two files, worker threads
 * evaluate files too; stdin and a lone file stay on the main thread (a worker would only add its start).
 */
export async function* replayResults(inputs: readonly string[], sources: ReplaySources): AsyncIterable<ReplayResult> {
  const items = inputItems(inputs)[Symbol.asyncIterator]();
  const head: InputItem[] = [];
  let files = 0;
  let exhausted = false;
  while (files < 2 && !exhausted) {
    const next = await items.next();
    if (next.done === true) exhausted = true;
    else {
      head.push(next.value);
      if (next.value.kind === 'file') files++;
    }
  }
  const all = chain(head, exhausted ? undefined : items)[Symbol.asyncIterator]();
  const mainEvaluates = sources.mainEvaluates ?? true;
  const workers = mainEvaluates ? sources.jobs - 1 : sources.jobs;
  if (workers < 1 || files < 2) {
    yield* inline(all, sources);
    return;
  }
  const pool = new WorkerPool(workers, sources.setup);
  const window = sources.jobs * AHEAD_PER_THREAD;
  const order: (FileJob | Exclude<InputItem, { kind: 'file' }>)[] = [];
  let nextId = 0;
  let more = true;
  try {
    for (;;) {
      while (more && order.length < window) {
        const next = await all.next();
        if (next.done === true) more = false;
        else if (next.value.kind !== 'file') order.push(next.value);
        else {
          const job = new FileJob(nextId++, next.value.path);
          order.push(job);
          pool.submit(job);
        }
      }
      const first = order[0];
      if (first === undefined) break;
      if (!(first instanceof FileJob)) {
        order.shift();
        if (first.kind === 'problem') yield { source: first.source, problem: first.problem };
        else yield* evaluated(readStdin(sources.stdin), sources.core);
        continue;
      }
      if (mainEvaluates && pool.take(first)) {
        order.shift();
        yield* evaluateFile(first.path, sources.core);
        continue;
      }
      yield* first.take();
      if (first.done) {
        order.shift();
        yield* first.take();
        continue;
      }
      // The first file is a worker's and not done: meanwhile the main thread evaluates a later one.
      const later = mainEvaluates ? pool.takeOldest() : undefined;
      if (later === undefined) await first.changed();
      else later.push(await collect(evaluateFile(later.path, sources.core)), true);
    }
  } finally {
    await pool.close();
  }
}

/** The single-threaded replay: each file read while the previous one is evaluated. */
async function* inline(items: AsyncIterator<InputItem>, sources: ReplaySources): AsyncIterable<ReplayResult> {
  let ahead: { readonly path: string; readonly loaded: ReturnType<typeof loadInputFile> } | undefined;
  const flush = async function* (): AsyncIterable<ReplayResult> {
    if (ahead === undefined) return;
    const { path, loaded } = ahead;
    ahead = undefined;
    yield* evaluated(readLoadedFile(path, await loaded, sources.core.readSet), sources.core);
  };
  for (let next = await items.next(); next.done !== true; next = await items.next()) {
    const item = next.value;
    if (item.kind === 'file') {
      const loaded = { path: item.path, loaded: loadInputFile(item.path) };
      yield* flush();
      ahead = loaded;
      continue;
    }
    yield* flush();
    if (item.kind === 'problem') yield { source: item.source, problem: item.problem };
    else yield* evaluated(readStdin(sources.stdin), sources.core);
  }
  yield* flush();
}

async function* evaluateFile(path: string, core: Core): AsyncIterable<ReplayResult> {
  yield* evaluated(readLoadedFile(path, await loadInputFile(path), core.readSet), core);
}

async function* evaluated(payloads: AsyncIterable<InputPayload>, core: Core): AsyncIterable<ReplayResult> {
  for await (const payload of payloads) {
    if ('problem' in payload) yield payload;
    else
      yield {
        source: payload.source,
        outcome:
          'logFile' in payload
            ? core.processLogFile(payload.logFile)
            : core.processPayload(payload.value, payload.path),
      };
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

async function* chain<T>(head: readonly T[], rest: AsyncIterator<T> | undefined): AsyncIterable<T> {
  yield* head;
  if (rest === undefined) return;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}
