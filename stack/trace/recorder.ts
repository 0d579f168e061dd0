import type { TraceEvent, Tracer } from "./tracer.ts";

/**
 * Keeps the most recent events in memory, oldest dropped first once `limit` is reached: the
 * history the debugger steps back through, and what tests assert on.
 */
export class TraceRecorder implements Tracer {
  private readonly ring: TraceEvent[] = [];
  private start = 0;
  /** Events dropped because the ring was full. */
  dropped = 0;

  constructor(readonly limit = 100_000) {
    if (!(limit >= 1)) throw new RangeError("TraceRecorder limit must be at least 1");
  }

  event(e: TraceEvent): void {
    if (this.ring.length < this.limit) {
      this.ring.push(e);
      return;
    }
    this.ring[this.start] = e;
    this.start = (this.start + 1) % this.limit;
    this.dropped++;
  }

  /** The kept events, oldest first. */
  get events(): TraceEvent[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  /** Kept events matching a layer, and optionally an id and a name. */
  find(layer: TraceEvent["layer"], name?: string, id?: string): TraceEvent[] {
    return this.events.filter(
      (e) =>
        e.layer === layer &&
        (name === undefined || e.name === name) &&
        (id === undefined || e.id === id),
    );
  }

  clear(): void {
    this.ring.length = 0;
    this.start = 0;
    this.dropped = 0;
  }
}
