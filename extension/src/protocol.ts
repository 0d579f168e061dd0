/**
 * The Protocol view's model (DESIGN.md "Tracing: what the protocol views read"): the trace
 * events unikernels send over the trace channel, kept per unikernel and per connection or
 * session, with each one's latest state and a bounded history. No VS Code and no sockets here:
 * protocolChannel.ts feeds it lines, protocolView.ts shows `children` and `present` as a tree.
 *
 * Bounds, so a long run cannot fill the editor's memory: each connection keeps its last
 * `eventsPerItem` events (the older ones counted, and shown as "N older events dropped"), each
 * unikernel its last `itemsPerUnikernel` connections and sessions (closed ones go first), and
 * the model its last `unikernels` runs.
 */

/** One event as the channel carries it (stack/trace TraceEvent, `atNs` as a bigint). */
export interface ProtocolEvent {
  layer: string;
  id: string;
  name: string;
  atNs: bigint;
  state: Record<string, unknown>;
  detail?: Record<string, unknown>;
}

/** One connection or session: its latest state and its recent events. */
export interface Item {
  readonly unikernel: Unikernel;
  readonly layer: string;
  readonly id: string;
  state: Record<string, unknown>;
  /** Recent events, oldest first; `seq` numbers them from the item's first event (0). */
  events: { seq: number; event: ProtocolEvent }[];
  /** Events no longer kept. */
  dropped: number;
  firstNs: bigint;
  lastNs: bigint;
}

export interface Unikernel {
  /** Unique for the model's life: one per trace connection. */
  readonly key: string;
  readonly name: string;
  readonly target: string;
  readonly pid: number;
  /** The trace file it was read from (Open Trace File); absent for a live unikernel. */
  readonly file?: string;
  connected: boolean;
  /** By trace id, in the order first seen. */
  readonly items: Map<string, Item>;
  /** Connections and sessions no longer kept. */
  droppedItems: number;
  /** Events the unikernel itself dropped because the channel fell behind. */
  droppedByRuntime: number;
}

export interface Limits {
  eventsPerItem: number;
  itemsPerUnikernel: number;
  unikernels: number;
}

export const DEFAULT_LIMITS: Limits = { eventsPerItem: 500, itemsPerUnikernel: 200, unikernels: 8 };

/** Parses one channel line: an event, the hello, a drop count, or null. */
export function parseLine(
  line: string,
):
  | { kind: "event"; event: ProtocolEvent }
  | { kind: "hello"; name: string; target: string; pid: number }
  | { kind: "dropped"; count: number }
  | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (
    typeof o.layer === "string" &&
    typeof o.id === "string" &&
    typeof o.name === "string" &&
    typeof o.atNs === "string" &&
    /^\d+$/.test(o.atNs) &&
    typeof o.state === "object" &&
    o.state !== null
  ) {
    const detail =
      typeof o.detail === "object" && o.detail !== null
        ? { detail: o.detail as Record<string, unknown> }
        : {};
    return {
      kind: "event",
      event: {
        layer: o.layer,
        id: o.id,
        name: o.name,
        atNs: BigInt(o.atNs),
        state: o.state as Record<string, unknown>,
        ...detail,
      },
    };
  }
  if (o.morgana === "trace" && typeof o.name === "string" && typeof o.target === "string") {
    return {
      kind: "hello",
      name: o.name,
      target: o.target,
      pid: typeof o.pid === "number" ? o.pid : 0,
    };
  }
  if (typeof o.dropped === "number") return { kind: "dropped", count: o.dropped };
  return null;
}

/** Has this connection or session ended (so it goes first when the model must forget one)? */
export function isClosed(item: Item): boolean {
  const s = item.layer === "tls" ? item.state.handshake : item.state.state;
  return s === "CLOSED" || s === "TIME-WAIT" || s === "closed";
}

export class ProtocolModel {
  private readonly list: Unikernel[] = [];
  private readonly listeners: (() => void)[] = [];

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {}

  get unikernels(): readonly Unikernel[] {
    return this.list;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** A unikernel connected and said who it is. */
  open(
    key: string,
    hello: { name: string; target: string; pid: number; file?: string },
  ): Unikernel {
    const u: Unikernel = {
      key,
      ...hello,
      connected: true,
      items: new Map(),
      droppedItems: 0,
      droppedByRuntime: 0,
    };
    this.list.push(u);
    while (this.list.length > this.limits.unikernels) {
      const gone = this.list.findIndex((x) => !x.connected);
      this.list.splice(Math.max(gone, 0), 1);
    }
    this.changed();
    return u;
  }

  /** Its channel closed: it has exited (its history stays until cleared). */
  close(u: Unikernel): void {
    u.connected = false;
    this.changed();
  }

  dropped(u: Unikernel, count: number): void {
    u.droppedByRuntime += count;
    this.changed();
  }

  add(u: Unikernel, e: ProtocolEvent): void {
    let item = u.items.get(e.id);
    if (!item) {
      item = {
        unikernel: u,
        layer: e.layer,
        id: e.id,
        state: e.state,
        events: [],
        dropped: 0,
        firstNs: e.atNs,
        lastNs: e.atNs,
      };
      u.items.set(e.id, item);
      if (u.items.size > this.limits.itemsPerUnikernel) this.forgetOne(u, item);
    }
    item.state = e.state;
    item.lastNs = e.atNs;
    item.events.push({ seq: item.dropped + item.events.length, event: e });
    const over = item.events.length - this.limits.eventsPerItem;
    if (over > 0) {
      item.events.splice(0, over);
      item.dropped += over;
    }
    this.changed();
  }

  /** The oldest closed item (or, all open, the oldest) other than `keep` leaves. */
  private forgetOne(u: Unikernel, keep: Item): void {
    let victim: Item | undefined;
    for (const it of u.items.values()) {
      if (it === keep) continue;
      if (isClosed(it)) {
        victim = it;
        break;
      }
      victim ??= it;
    }
    if (victim) {
      u.items.delete(victim.id);
      u.droppedItems++;
    }
  }

  /**
   * A trace file (`morgana run --trace FILE`) as one exited unikernel named after the file:
   * the same tree as a live one, for a run that happened elsewhere (CI, a colleague's).
   * Answers how many lines were not events.
   */
  load(key: string, file: string, text: string): number {
    const name = file.split(/[\\/]/).pop() ?? file;
    const u = this.open(key, { name, target: "trace file", pid: 0, file });
    let bad = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const l = parseLine(line);
      if (l?.kind === "event") this.add(u, l.event);
      else bad++;
    }
    this.close(u);
    return bad;
  }

  /** Forgets every exited unikernel and the history of running ones. */
  clear(): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const u = this.list[i] as Unikernel;
      if (!u.connected) this.list.splice(i, 1);
      else {
        u.items.clear();
        u.droppedItems = 0;
        u.droppedByRuntime = 0;
      }
    }
    this.changed();
  }
}
