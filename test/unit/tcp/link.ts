/**
 * Two TcpCores over a simulated link with a virtual clock: a tiny event loop that drops,
 * duplicates, corrupts, delays and reorders segments, and two applications that each send a
 * byte stream (with backpressure), read the other's to the end, and close.
 */
import { concatBytes } from "../../../stack/bytes/index.ts";
import {
  ACK,
  emitSegment,
  FIN,
  type OutSegment,
  parseSegment,
  RST,
  SYN,
  type TcpCore,
  type TcpCoreOptions,
  type TcpSegment,
} from "../../../stack/net/tcp/index.ts";
import { rng } from "../../helpers/rng.ts";
import { A, B, core } from "./harness.ts";

export interface LinkFaults {
  loss: number;
  duplicate: number;
  corrupt: number;
  /** Base one-way delay and extra random delay (which reorders), in ms. */
  delayMs: number;
  jitterMs: number;
  /**
   * An off-path attacker who knows the 4-tuple (not the sequence numbers): the chance per
   * real segment of also sending a forged RST, SYN, or data segment with a guessed
   * sequence and acknowledgment number, to either side.
   */
  blind?: number;
}

export interface Side {
  core: TcpCore;
  h: number | null;
  toSend: Uint8Array;
  sent: number;
  received: Uint8Array[];
  gotEnd: boolean;
  shut: boolean;
  closed: boolean;
  errors: string[];
}

export interface RunResult {
  a: Side;
  b: Side;
  endMs: number;
  steps: number;
  delivered: number;
  dropped: number;
  forged: number;
}

const MS = 1_000_000n;

export function runTransfer(
  seed: number,
  faults: LinkFaults,
  aBytes: Uint8Array,
  bBytes: Uint8Array,
  options: Partial<TcpCoreOptions> = {},
  tracerA?: TcpCoreOptions["tracer"],
  limitMs = 600_000,
): RunResult {
  const next = rng(seed);
  const opts = { timeWaitMs: 1000, maxRetransmits: 20, maxRtoMs: 8000, ...options };
  const a: Side = mkSide(
    core(seed * 2 + 1, { ...opts, ...(tracerA ? { tracer: tracerA } : {}) }),
    aBytes,
  );
  const b: Side = mkSide(core(seed * 2 + 2, opts), bBytes);
  b.core.listen(80, 4);
  let now = 0n;
  a.h = a.core.connect(A, B, 80, now);
  const wire: { at: bigint; to: Side; seg: OutSegment }[] = [];
  let steps = 0;
  let delivered = 0;
  let dropped = 0;
  let forged = 0;

  const forge = (o: OutSegment, to: Side): void => {
    const real = parseSegment(o.src, o.dst, o.segment);
    // Only once the handshake is over: a forged SYN during an active open is a simultaneous
    // open by RFC 9293's rules (the real peer's answer then refuses it), as on any TCP.
    if (!real.ok || real.segment.flags & SYN) return;
    const seg: TcpSegment = {
      ...real.segment,
      seq: Math.floor(next() * 2 ** 32),
      ack: Math.floor(next() * 2 ** 32),
      flags: [RST, RST | ACK, SYN, ACK, ACK | FIN][Math.floor(next() * 5)] as number,
      options: {},
      payload:
        next() < 0.5 ? new Uint8Array(0) : new Uint8Array(1 + Math.floor(next() * 100)).fill(0xee),
    };
    wire.push({ at: now, to, seg: { ...o, segment: emitSegment(seg, o.src, o.dst) } });
    forged++;
  };

  const transmit = (from: Side, to: Side): void => {
    for (const o of from.core.poll(now)) {
      if (faults.blind !== undefined && next() < faults.blind) forge(o, to);
      if (next() < faults.loss) {
        dropped++;
        continue;
      }
      const copies = next() < faults.duplicate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        let seg = o;
        if (next() < faults.corrupt) {
          const bytes = Uint8Array.from(o.segment);
          const at = Math.floor(next() * bytes.length);
          bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(next() * 8));
          seg = { ...o, segment: bytes };
        }
        const delay = faults.delayMs + next() * faults.jitterMs;
        wire.push({ at: now + BigInt(Math.round(delay * 1000)) * 1000n, to, seg });
      }
    }
  };

  while (steps++ < 300_000) {
    drive(a, next);
    drive(b, next);
    transmit(a, b);
    transmit(b, a);
    const done =
      a.closed && b.closed && a.core.liveConnections === 0 && b.core.liveConnections === 0;
    if (done || now > BigInt(limitMs) * MS) break;
    // The next moment anything happens: a delivery, a core deadline, or the applications
    // waking up (every 20 ms, so a reader that paused comes back).
    let t = now + 20n * MS;
    for (const w of wire) if (w.at < t) t = w.at;
    for (const s of [a, b]) {
      const at = s.core.pollAt();
      if (at !== null && at < t) t = at;
    }
    if (t > now) now = t;
    wire.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
    while (wire.length > 0 && (wire[0] as { at: bigint }).at <= now) {
      const w = wire.shift() as { at: bigint; to: Side; seg: OutSegment };
      delivered++;
      w.to.core.receive(w.seg.src, w.seg.dst, w.seg.segment, now);
    }
  }
  return { a, b, endMs: Number(now / MS), steps, delivered, dropped, forged };
}

function mkSide(c: TcpCore, toSend: Uint8Array): Side {
  return {
    core: c,
    h: null,
    toSend,
    sent: 0,
    received: [],
    gotEnd: false,
    shut: false,
    closed: false,
    errors: [],
  };
}

function drive(s: Side, next: () => number): void {
  for (const e of s.core.takeEvents()) if (e.type === "error") s.errors.push(e.error);
  if (s.h === null) s.h = s.core.accept(80);
  if (s.h === null || s.closed) return;
  try {
    while (s.sent < s.toSend.length) {
      const chunk = 1 + Math.floor(next() * 6000);
      const n = s.core.send(s.h, s.toSend.subarray(s.sent, s.sent + chunk));
      s.sent += n;
      if (n === 0) break;
    }
    if (s.sent === s.toSend.length && !s.shut) {
      s.core.shutdown(s.h);
      s.shut = true;
    }
    // A reader that sometimes pauses, so windows fill and reopen.
    if (next() < 0.7) {
      for (;;) {
        const r = s.core.recv(s.h);
        if (r instanceof Uint8Array) s.received.push(r);
        else {
          if (r === "end") s.gotEnd = true;
          else if (r !== "wait") s.errors.push(r);
          break;
        }
      }
    }
  } catch (e) {
    s.errors.push(String(e));
  }
  if ((s.gotEnd && s.shut) || s.errors.length > 0) {
    s.core.close(s.h);
    s.closed = true;
  }
}

export function receivedBytes(s: Side): Uint8Array {
  return concatBytes(s.received);
}
