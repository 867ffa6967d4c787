/**
 * The CloudTrail eventIDs whose drift logs were written, bounded: the least recently seen is forgotten first.
 * Redelivery and a second delivery path (EventBridge and the S3 log file, minutes apart) bring the same event again;
 * an event that keeps coming back stays remembered, so a third copy is dropped too.
 */
export class SeenEventIds {
  private readonly ids = new Set<string>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.ids.size;
  }

  /**
   * True when `id` was claimed before (the caller drops the duplicate); otherwise claims it. Checking and claiming
   * are one step, so two messages carrying the same event cannot both pass.
   */
  claim(id: string): boolean {
    const seen = this.ids.delete(id);
    // A Set iterates in insertion order: re-adding moves the id to the newest end, and the first is the oldest.
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    return seen;
  }

  /** Whether `id` is remembered, without claiming it or changing its place. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Undoes a claim whose logs could not be written, so the redelivered message logs them. */
  forget(id: string): void {
    this.ids.delete(id);
  }
}
