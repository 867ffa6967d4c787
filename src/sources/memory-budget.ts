// The daemon's S3 log files are the only input whose size it does not choose: a 5 MB gzip can hold 500 MB. Every
// file in flight holds a lease on one byte budget, sized by what the file really holds (the records kept for the
// core, the bytes of the record being scanned, a whole file parsed as one value); a file waits for its lease before
// it is read, so the number of files in flight follows the budget rather than the batch size.

/** A file needs more than the whole budget: it can never be read by this process, so its message fails. */
export class MemoryBudgetExceeded extends Error {
  override readonly name = 'MemoryBudgetExceeded';
}

export interface Lease {
  /** Bytes held now. */
  readonly bytes: number;
  /**
   * Grows the lease to `bytes` if the budget has them free now; false when not. Never waits: a file that waits for
   * more while holding some could wait forever on another doing the same.
   */
  tryGrow(bytes: number): boolean;
  release(): void;
}

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
}

export class MemoryBudget {
  readonly total: number;
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(totalBytes: number) {
    this.total = totalBytes;
  }

  /** Bytes held by leases now. */
  get inUse(): number {
    return this.used;
  }

  /**
   * A lease of `bytes`, when they are free; first come, first served, so a large file is not starved by small ones.
   * Rejects with MemoryBudgetExceeded when `bytes` is more than the whole budget, with the signal's reason on abort.
   */
  async acquire(bytes: number, signal?: AbortSignal): Promise<Lease> {
    if (bytes > this.total)
      throw new MemoryBudgetExceeded(`needs ${mib(bytes)}, the memory budget is ${mib(this.total)}`);
    signal?.throwIfAborted();
    if (this.waiting.length === 0 && this.used + bytes <= this.total) {
      this.used += bytes;
      return this.lease(bytes);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        this.wake();
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
    return this.lease(bytes);
  }

  /** A lease over `initial` bytes already counted as used. */
  private lease(initial: number): Lease {
    let held = initial;
    let released = false;
    const grow = (bytes: number): boolean => {
      if (released) return false;
      if (bytes <= held) return true;
      if (this.used + bytes - held > this.total) return false;
      this.used += bytes - held;
      held = bytes;
      return true;
    };
    const release = (): void => {
      if (released) return;
      released = true;
      this.used -= held;
      held = 0;
      this.wake();
    };
    return {
      get bytes() {
        return held;
      },
      tryGrow: grow,
      release,
    };
  }

  private wake(): void {
    for (let w = this.waiting[0]; w !== undefined && this.used + w.bytes <= this.total; w = this.waiting[0]) {
      this.waiting.shift();
      this.used += w.bytes;
      w.grant();
    }
  }
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** What the process knows of its limits when the daemon starts (its state loaded). */
export interface MemoryFacts {
  /** The container's limit (cgroup), when there is one. */
  readonly cgroupLimit: number | undefined;
  readonly rss: number;
  /** V8's heap limit (`--max-old-space-size` or Node's default) and the heap in use: kept records live there. */
  readonly heapLimit: number;
  readonly heapUsed: number;
}

const MIB = 1024 * 1024;
/** Without a container limit: the budget of a small container, not the machine's memory. */
export const FALLBACK_BUDGET_BYTES = 256 * MIB;
const MIN_BUDGET_BYTES = 8 * MIB;
/**
 * Freed Buffers (decompressed chunks, socket reads) wait for a garbage collection, which V8 starts once external
 * memory has grown by about 64 MiB: reading files costs that much beyond what they hold, whatever the budget.
 */
export const GARBAGE_ALLOWANCE_BYTES = 64 * MIB;

/**
 * The default budget: half of what is left under the container's limit once the daemon runs and the garbage
 * allowance is set aside, the other half being room for what the budget does not count (V8's young generation, the
 * SQS batch, drift logs, a state reload); at most half of the heap left (kept records live there). Without a cgroup
 * limit, at most a fixed 256 MiB.
 */
export function defaultBudgetBytes(facts: MemoryFacts): number {
  const heapRoom = (facts.heapLimit - facts.heapUsed) / 2;
  const containerRoom =
    facts.cgroupLimit === undefined
      ? FALLBACK_BUDGET_BYTES
      : (facts.cgroupLimit - facts.rss - GARBAGE_ALLOWANCE_BYTES) / 2;
  return Math.max(MIN_BUDGET_BYTES, Math.floor(Math.min(heapRoom, containerRoom)));
}
