import type { KmsEvent } from '../model/kms-event.ts';

/**
 * The state a daemon keeps beyond one message: which events were logged (claims), each key's break-glass history,
 * and the LookupEvents checkpoint and reader lease. In this process by default (one replica, replay), or in a
 * DynamoDB table every replica shares (`sharedTable`).
 */
export interface SharedStore extends ClaimStore, HistoryStore, LookupStore {
  readonly kind: 'memory' | 'dynamodb';
}

/**
 * `claimed`: ours now; write its logs, then complete it. `done`: logged before (a duplicate): drop it. `busy`: another
 * worker holds an unexpired claim and is writing it now: ask again later, and never drop it.
 */
export type ClaimOutcome = 'claimed' | 'done' | 'busy';

/**
 * Claims on CloudTrail eventIDs, so that one event is logged once across redeliveries, delivery paths and replicas.
 * A claim is in progress until completed; an in-progress claim expires (its holder may have died before writing),
 * and then another worker takes it over: a crash costs a duplicate log, never a lost one.
 */
export interface ClaimStore {
  claim(ids: readonly string[]): Promise<ReadonlyMap<string, ClaimOutcome>>;
  /** After the logs of these events were written and flushed: their duplicates are dropped from now on. */
  complete(ids: readonly string[]): Promise<void>;
  /** The logs could not be written: the claims are given up so that a redelivery logs them at once. */
  release(ids: readonly string[]): Promise<void>;
}

export interface KeyHistory {
  readonly events: readonly KmsEvent[];
  /** Optimistic concurrency: a save succeeds only over the version it read (0: none yet). */
  readonly version: number;
}

export interface HistoryUpdate extends KeyHistory {
  readonly key: string;
}

/** Each key's recent break-glass events (src/breakglass/classify.ts bounds them). */
export interface HistoryStore {
  /** Every key asked for is in the result; an unknown (or expired) key has no events. */
  loadHistories(keys: readonly string[]): Promise<ReadonlyMap<string, KeyHistory>>;
  /** Saves each history over the version it was read at; returns the keys changed meanwhile by another worker. */
  saveHistories(updates: readonly HistoryUpdate[]): Promise<ReadonlySet<string>>;
}

/** Up to when CloudTrail LookupEvents was read, and who reads it: one reader at a time across replicas. */
export interface LookupStore {
  readCheckpoint(): Promise<Date | undefined>;
  writeCheckpoint(readUntil: Date): Promise<void>;
  /** Takes or renews the reader's lease for `ms`; false while another worker holds it. */
  acquireLease(ms: number): Promise<boolean>;
  releaseLease(): Promise<void>;
}

export interface StoreTiming {
  /** How long an in-progress claim holds: the SQS visibility timeout, so a redelivery finds it completed or expired. */
  readonly claimMs: number;
  /** How long a logged eventID is remembered. */
  readonly retentionMs: number;
  /** How long a key's break-glass history outlives its newest event (classify.ts historyKeepMs). */
  readonly historyMs: number;
  readonly now: () => number;
}
