/**
 * The CloudTrail eventIDs whose drift logs were written, bounded: the oldest is forgotten first. Redelivery and a
 * second delivery path (EventBridge and the S3 log file) bring the same event again, usually within minutes.
 */
export class SeenEventIds {
  private readonly ids = new Set<string>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    // A Set iterates in insertion order, so its first element is the oldest.
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}
