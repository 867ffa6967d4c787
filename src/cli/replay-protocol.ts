// The messages between replay's main thread and its workers (src/cli/replay-workers.ts, replay-worker.ts): plain
// data, copied by structured clone.
import type { PayloadOutcome } from '../app.ts';
import type { Problem } from '../model/problem.ts';

/** One payload of an input, evaluated; or why (part of) an input could not be read. */
export type ReplayResult =
  | { readonly source: string; readonly outcome: PayloadOutcome }
  | { readonly source: string; readonly problem: Problem };

/** A file to read and evaluate; `id` numbers the files in input order. */
export interface ToWorker {
  readonly id: number;
  readonly path: string;
}

export type FromWorker =
  /** Rules and states loaded: the worker takes files from now on. */
  | { readonly kind: 'ready' }
  | { readonly kind: 'results'; readonly id: number; readonly results: ReplayResult[]; readonly done: boolean }
  /** The worker cannot go on (its rules or states did not load, or a bug): the replay stops. */
  | { readonly kind: 'failed'; readonly message: string };
