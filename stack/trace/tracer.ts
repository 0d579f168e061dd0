/**
 * The tracer: what protocol cores report, for the debugger's protocol views, its breakpoints on
 * protocol events, and step-back (../../docs/architecture.md, "Tracing").
 *
 * A core takes an optional `Tracer` and reports one `TraceEvent` per thing that happened. The
 * rule that keeps tracing free when it is off: cores write `if (this.tracer) this.tracer.event({...})`
 * (or `tracer?.event(...)` with the object built inside the call), so with no tracer set no event
 * object, state summary or detail is ever built.
 *
 * Secrets never enter a trace: a TLS summary names the suite and group, never a key or a secret.
 */

/** The protocol layer an event comes from. Open-ended: new cores add their own names. */
export type TraceLayer = "http" | "tcp" | "udp" | "ip" | "arp" | "icmp" | "dhcp" | "tls" | "dns";

/** A plain JSON value: what `state` and `detail` are made of, so a trace crosses any channel. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

export interface TraceEvent {
  layer: TraceLayer;
  /** Stable for one connection or session while it lives, e.g. "tcp:10.0.0.2:80-10.0.0.1:40000#3". */
  id: string;
  /** What happened: "segment-in", "segment-out", "state", "retransmit", "request", "alert", ... */
  name: string;
  /** The core's `now` (monotonic ns) when it happened. */
  atNs: bigint;
  /** A summary of the core's state after the event (TCP: state, snd.una, ...; TLS: version, ...). */
  state: { [key: string]: Json | undefined };
  /** About the event itself: a segment's flags, seq, ack, length; an alert's description. */
  detail?: { [key: string]: Json | undefined };
}

export interface Tracer {
  event(e: TraceEvent): void;
}

/** A trace event as one JSON line (`atNs` as a decimal string: it is a bigint). */
export function traceEventJson(e: TraceEvent): string {
  return JSON.stringify({ ...e, atNs: e.atNs.toString() });
}

/** Parses a line made by `traceEventJson`; null if it is not one. */
export function parseTraceEventJson(line: string): TraceEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (
    typeof o.layer !== "string" ||
    typeof o.id !== "string" ||
    typeof o.name !== "string" ||
    typeof o.atNs !== "string" ||
    !/^\d+$/.test(o.atNs) ||
    typeof o.state !== "object" ||
    o.state === null
  ) {
    return null;
  }
  return { ...(o as unknown as TraceEvent), atNs: BigInt(o.atNs) };
}

/** Sends each event to several tracers (a recorder and a live channel, say). */
export function fanOut(...tracers: Tracer[]): Tracer {
  return {
    event(e) {
      for (const t of tracers) t.event(e);
    },
  };
}

/** Only the events `keep` accepts go on to `next` (a layer, a connection, a name). */
export function filterTracer(next: Tracer, keep: (e: TraceEvent) => boolean): Tracer {
  return {
    event(e) {
      if (keep(e)) next.event(e);
    },
  };
}
