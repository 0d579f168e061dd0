/**
 * Drop and event counters of one core: parsers of network input never throw; they count
 * what they drop, by reason, here. Read them in tests and in the debugger.
 */
export class Counters {
  private readonly counts = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** All non-zero counters, by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
