// `replay --jobs N`: the files of the inputs read and evaluated by N worker threads (replay-worker.ts), their
// outcomes handed back here in input order, so that what follows — duplicate eventIDs dropped, break-glass events
// classified, drift logs written — happens in the order a single thread would, with the same result.
import { Worker } from 'node:worker_threads';
import type { Core } from '../app.ts';
import { inputItems, loadInputFile, readLoadedFile, readStdin, type InputItem } from '../sources/files/read-inputs.ts';
import type { InputPayload } from '../sources/files/read-inputs.ts';
import type { FromWorker, ReplayResult } from './replay-protocol.ts';
import type { SetupOptions } from './setup.ts';

export type { ReplayResult } from './replay-protocol.ts';

/** Files a worker is given at once: it reads the next from disk while it evaluates the current one. */
const PER_WORKER = 2;
/** Files handed out ahead of the one being written, per worker: what bounds the outcomes waiting here. */
const AHEAD_PER_WORKER = 4;
/** Files the main thread evaluates at most while the workers start (each a CloudTrail log file of ~10 ms). */
const INLINE_WHILE_STARTING = 8;

export interface ReplaySources {
  /** The main thread's core: stdin, a single file, and everything with `jobs` 1. */
  readonly core: Core;
  /** Worker threads; 1 keeps everything on the main thread. */
  readonly jobs: number;
  /** What each worker loads (the rules and states the main thread loaded). */
  readonly setup: SetupOptions;
  readonly stdin?: NodeJS.ReadableStream;
}

/**
 * Every payload of the inputs, evaluated, in input order. With `jobs` above 1 and at least two files, the files go
 * to worker threads; stdin and a lone file stay on the main thread (workers would only add their start).
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
  const all = chain(head, exhausted ? undefined : items);
  if (sources.jobs <= 1 || files < 2) {
    yield* inline(all, sources);
    return;
  }
  const pool = new WorkerPool(sources.jobs, sources.setup);
  const window = sources.jobs * AHEAD_PER_WORKER;
  const inFlight: FileJob[] = [];
  let inlined = 0;
  try {
    for await (const item of all) {
      if (item.kind === 'file') {
        // Until a worker has loaded the rules and states (~0.2 s), the main thread evaluates the first files itself:
        // an input of a few files is done before any worker could take one.
        if (inFlight.length === 0 && !pool.ready && inlined < INLINE_WHILE_STARTING) {
          inlined++;
          yield* evaluated(
            readLoadedFile(item.path, await loadInputFile(item.path), sources.core.readSet),
            sources.core,
          );
          continue;
        }
        inFlight.push(pool.submit(item.path));
        if (inFlight.length >= window) yield* (inFlight.shift() as FileJob).results();
        continue;
      }
      for (let job = inFlight.shift(); job !== undefined; job = inFlight.shift()) yield* job.results();
      if (item.kind === 'problem') yield { source: item.source, problem: item.problem };
      else yield* evaluated(readStdin(sources.stdin), sources.core);
    }
    for (let job = inFlight.shift(); job !== undefined; job = inFlight.shift()) yield* job.results();
  } finally {
    await pool.close();
  }
}

/** The single-threaded replay: each file read while the previous one is evaluated. */
async function* inline(items: AsyncIterable<InputItem>, sources: ReplaySources): AsyncIterable<ReplayResult> {
  let ahead: { readonly path: string; readonly loaded: ReturnType<typeof loadInputFile> } | undefined;
  const flush = async function* (): AsyncIterable<ReplayResult> {
    if (ahead === undefined) return;
    const { path, loaded } = ahead;
    ahead = undefined;
    yield* evaluated(readLoadedFile(path, await loaded, sources.core.readSet), sources.core);
  };
  for await (const item of items) {
    if (item.kind === 'file') {
      const next = { path: item.path, loaded: loadInputFile(item.path) };
      yield* flush();
      ahead = next;
      continue;
    }
    yield* flush();
    if (item.kind === 'problem') yield { source: item.source, problem: item.problem };
    else yield* evaluated(readStdin(sources.stdin), sources.core);
  }
  yield* flush();
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

async function* chain<T>(head: readonly T[], rest: AsyncIterator<T> | undefined): AsyncIterable<T> {
  yield* head;
  if (rest === undefined) return;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

/** One file given to a worker: its results as they arrive, read in order by the main thread. */
class FileJob {
  private readonly chunks: ReplayResult[][] = [];
  private done = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  readonly id: number;
  readonly path: string;

  constructor(id: number, path: string) {
    this.id = id;
    this.path = path;
  }

  push(results: ReplayResult[], done: boolean): void {
    this.chunks.push(results);
    this.done ||= done;
    this.notify();
  }

  fail(error: Error): void {
    this.error = error;
    this.notify();
  }

  async *results(): AsyncIterable<ReplayResult> {
    for (;;) {
      for (let chunk = this.chunks.shift(); chunk !== undefined; chunk = this.chunks.shift()) yield* chunk;
      if (this.error !== undefined) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

interface Slot {
  readonly worker: Worker;
  assigned: number;
  ready: boolean;
}

class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending: FileJob[] = [];
  private readonly jobs = new Map<number, FileJob>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(size: number, setup: SetupOptions) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./replay-worker-start.ts', import.meta.url), { workerData: setupData(setup) });
      const slot: Slot = { worker, assigned: 0, ready: false };
      worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a replay worker stopped (exit code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  /** Some worker takes files. */
  get ready(): boolean {
    return this.slots.some((s) => s.ready);
  }

  submit(path: string): FileJob {
    const job = new FileJob(this.nextId++, path);
    if (this.failure !== undefined) job.fail(this.failure);
    else {
      this.jobs.set(job.id, job);
      this.pending.push(job);
      this.dispatch();
    }
    return job;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (let job = this.pending[0]; job !== undefined; job = this.pending[0]) {
      const ready = this.slots.filter((s) => s.ready);
      const slot = ready.reduce<Slot | undefined>(
        (a, b) => (a === undefined || b.assigned < a.assigned ? b : a),
        undefined,
      );
      if (slot === undefined || slot.assigned >= PER_WORKER) return;
      this.pending.shift();
      slot.assigned++;
      slot.worker.postMessage({ id: job.id, path: job.path });
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.kind === 'ready') {
      slot.ready = true;
      this.dispatch();
      return;
    }
    if (m.kind === 'failed') {
      this.fail(new Error(`replay worker: ${m.message}`));
      return;
    }
    const job = this.jobs.get(m.id);
    job?.push(m.results, m.done);
    if (!m.done) return;
    this.jobs.delete(m.id);
    slot.assigned--;
    this.dispatch();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.jobs.values()) job.fail(this.failure);
    this.jobs.clear();
  }
}

/** The settings a worker needs to build the same core, as plain data (replay's other options stay here). */
function setupData(setup: SetupOptions): SetupOptions {
  const pick = <K extends keyof SetupOptions>(key: K): Partial<Pick<SetupOptions, K>> =>
    setup[key] === undefined ? {} : ({ [key]: setup[key] } as Pick<SetupOptions, K>);
  return {
    states: setup.states,
    rules: setup.rules,
    terraformPrincipals: setup.terraformPrincipals,
    ...pick('minPriority'),
    ...pick('allowedAccounts'),
    ...pick('emergencyPrincipals'),
    ...pick('recoveryPrincipals'),
    ...pick('recoveryWindowDays'),
  };
}
