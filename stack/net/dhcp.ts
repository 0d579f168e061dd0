/**
 * DHCP client (RFC 2131, options RFC 2132), sans-IO: `input(payload, now)` takes each UDP
 * datagram for port 68, `poll(now)` runs timers, `pollAt()` says when; datagrams to send
 * collect in `outputs`, lease changes in `events`. The interface configures IPv4 from them.
 *
 * States (RFC 2131 §4.4, figure 5): init -> selecting -> requesting -> bound -> renewing
 * -> rebinding -> (expired) init. INIT-REBOOT is not implemented: every start is a fresh
 * DISCOVER.
 */
import type { Tracer } from "../trace/index.ts";
import { formatIpv4, type Ipv4Address, readU16, readU32, writeU16, writeU32 } from "./addr.ts";
import { Counters } from "./counters.ts";

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

const BOOTREQUEST = 1;
const BOOTREPLY = 2;
const FLAG_BROADCAST = 0x8000;
const COOKIE = 0x63825363; // RFC 2131 §3: 99.130.83.99
const FIXED_LEN = 240; // the BOOTP fields and the cookie

export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPDECLINE = 4;
export const DHCPACK = 5;
export const DHCPNAK = 6;
export const DHCPRELEASE = 7;

const OPT_PAD = 0;
const OPT_SUBNET_MASK = 1;
const OPT_ROUTER = 3;
const OPT_DNS = 6;
const OPT_REQUESTED_IP = 50;
const OPT_LEASE_TIME = 51;
const OPT_MESSAGE_TYPE = 53;
const OPT_SERVER_ID = 54;
const OPT_PARAMETER_LIST = 55;
const OPT_RENEWAL_TIME = 58;
const OPT_REBINDING_TIME = 59;
const OPT_CLIENT_ID = 61;
const OPT_END = 255;

const S = 1_000_000_000n;

export interface DhcpMessage {
  op: number;
  xid: number;
  flags: number;
  ciaddr: Ipv4Address;
  yiaddr: Ipv4Address;
  chaddr: Uint8Array;
  type: number;
  /** Raw option values by code (the first occurrence wins). */
  options: Map<number, Uint8Array>;
}

/**
 * Parses a BOOTP/DHCP message; null for anything malformed: short, wrong hardware type or
 * length, bad cookie, an option running past the end, no message type.
 */
export function parseDhcp(b: Uint8Array, counters: Counters): DhcpMessage | null {
  if (b.length < FIXED_LEN) return bad(counters, "drop-truncated");
  if (b[1] !== 1 || b[2] !== 6) return bad(counters, "drop-hardware");
  if (readU32(b, 236) !== COOKIE) return bad(counters, "drop-cookie");
  const options = new Map<number, Uint8Array>();
  let i = FIXED_LEN;
  while (i < b.length) {
    const code = b[i] as number;
    if (code === OPT_END) break;
    if (code === OPT_PAD) {
      i++;
      continue;
    }
    if (i + 1 >= b.length) return bad(counters, "drop-option-overrun");
    const len = b[i + 1] as number;
    if (i + 2 + len > b.length) return bad(counters, "drop-option-overrun");
    if (!options.has(code)) options.set(code, b.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  const t = options.get(OPT_MESSAGE_TYPE);
  if (t?.length !== 1) return bad(counters, "drop-no-type");
  return {
    op: b[0] as number,
    xid: readU32(b, 4),
    flags: readU16(b, 10),
    ciaddr: readU32(b, 12),
    yiaddr: readU32(b, 16),
    chaddr: b.subarray(28, 34),
    type: t[0] as number,
    options,
  };
}

function bad(counters: Counters, why: string): null {
  counters.inc(why);
  return null;
}

function optU32(m: DhcpMessage, code: number): number | null {
  const v = m.options.get(code);
  return v && v.length >= 4 ? readU32(v, 0) : null;
}

/** Builds a client message: the BOOTP header, the cookie, then `options` (code, bytes). */
export function emitDhcp(
  mac: Uint8Array,
  xid: number,
  secs: number,
  ciaddr: Ipv4Address,
  broadcast: boolean,
  options: [number, Uint8Array][],
): Uint8Array {
  let len = FIXED_LEN + 1;
  for (const [, v] of options) len += 2 + v.length;
  // RFC 2131 §2 / RFC 1542: pad to the 300-byte BOOTP minimum; some relays insist on it.
  const out = new Uint8Array(Math.max(300, len));
  out[0] = BOOTREQUEST;
  out[1] = 1;
  out[2] = 6;
  writeU32(out, 4, xid);
  writeU16(out, 8, Math.min(secs, 0xffff));
  writeU16(out, 10, broadcast ? FLAG_BROADCAST : 0);
  writeU32(out, 12, ciaddr);
  out.set(mac.subarray(0, 6), 28);
  writeU32(out, 236, COOKIE);
  let i = FIXED_LEN;
  for (const [code, v] of options) {
    out[i] = code;
    out[i + 1] = v.length;
    out.set(v, i + 2);
    i += 2 + v.length;
  }
  out[i] = OPT_END;
  return out;
}

const u32 = (v: number) => {
  const b = new Uint8Array(4);
  writeU32(b, 0, v);
  return b;
};

export interface Lease {
  address: Ipv4Address;
  prefixLength: number;
  gateway: Ipv4Address | null;
  dns: Ipv4Address[];
  server: Ipv4Address;
  /** Lease length in seconds, and the absolute times (ns) of T1, T2 and expiry. */
  leaseSeconds: number;
  renewAtNs: bigint;
  rebindAtNs: bigint;
  expiresAtNs: bigint;
}

/** One datagram to send from port 68 to port 67. */
export interface DhcpSend {
  src: Ipv4Address;
  dst: Ipv4Address;
  payload: Uint8Array;
}

export type DhcpEvent = { kind: "bound"; lease: Lease } | { kind: "lost"; reason: string };

export type DhcpState = "init" | "selecting" | "requesting" | "bound" | "renewing" | "rebinding";

export interface DhcpOptions {
  /** Random 32-bit values, for transaction ids and retransmission jitter. */
  random: () => number;
  tracer?: Tracer;
  /** Attempts in requesting before starting over (RFC 2131 §4.1 leaves it to the client). */
  maxRequests?: number;
}

function prefixOf(mask: number): number {
  let n = 0;
  while (n < 32 && (mask << n) & 0x80000000) n++;
  return n;
}

export class DhcpClient {
  readonly counters = new Counters();
  readonly outputs: DhcpSend[] = [];
  readonly events: DhcpEvent[] = [];
  private st: DhcpState = "init";
  private xid = 0;
  private startedNs = 0n;
  private attempts = 0;
  private timerNs: bigint | null = null;
  private offer: { address: Ipv4Address; server: Ipv4Address } | null = null;
  private current: Lease | null = null;
  private readonly maxRequests: number;

  constructor(
    private readonly mac: Uint8Array,
    private readonly o: DhcpOptions,
  ) {
    this.maxRequests = o.maxRequests ?? 4;
  }

  get state(): DhcpState {
    return this.st;
  }

  get lease(): Lease | null {
    return this.current;
  }

  /** Begins acquiring a lease (RFC 2131 §4.4.1): DISCOVER now. */
  start(nowNs: bigint): void {
    this.restart(nowNs, 0n);
  }

  private restart(nowNs: bigint, delayNs: bigint): void {
    this.offer = null;
    this.goto("init", nowNs);
    this.timerNs = nowNs + delayNs;
    if (delayNs === 0n) this.poll(nowNs);
  }

  private goto(st: DhcpState, nowNs: bigint): void {
    if (st === this.st) return;
    this.st = st;
    if (this.o.tracer)
      this.o.tracer.event({
        layer: "dhcp",
        id: "dhcp",
        name: "state",
        atNs: nowNs,
        state: {
          state: st,
          address: this.current ? formatIpv4(this.current.address) : null,
          xid: this.xid,
        },
      });
  }

  /** RFC 2131 §4.1: 4 s, doubling to 64 s, each randomised by +-1 s. */
  private backoff(): bigint {
    const base = BigInt(Math.min(64, 4 * 2 ** Math.min(4, this.attempts - 1))) * S;
    const jitter = BigInt((this.o.random() >>> 0) % 2001) * 1_000_000n - S;
    return base + jitter;
  }

  private secs(nowNs: bigint): number {
    return Number((nowNs - this.startedNs) / S);
  }

  private common(): [number, Uint8Array][] {
    const clientId = new Uint8Array(7);
    clientId[0] = 1; // hardware type Ethernet (RFC 2132 §9.14)
    clientId.set(this.mac.subarray(0, 6), 1);
    return [
      [OPT_CLIENT_ID, clientId],
      [
        OPT_PARAMETER_LIST,
        new Uint8Array([
          OPT_SUBNET_MASK,
          OPT_ROUTER,
          OPT_DNS,
          OPT_LEASE_TIME,
          OPT_RENEWAL_TIME,
          OPT_REBINDING_TIME,
        ]),
      ],
    ];
  }

  private send(
    nowNs: bigint,
    type: number,
    ciaddr: number,
    dst: number,
    extra: [number, Uint8Array][],
  ): void {
    const options: [number, Uint8Array][] = [
      [OPT_MESSAGE_TYPE, new Uint8Array([type])],
      ...extra,
      ...this.common(),
    ];
    // Broadcast flag while we have no address (RFC 2131 §4.1): answers reach us before IP is up.
    const payload = emitDhcp(this.mac, this.xid, this.secs(nowNs), ciaddr, ciaddr === 0, options);
    this.outputs.push({ src: ciaddr, dst, payload });
    this.counters.inc(`tx-${type}`);
  }

  poll(nowNs: bigint): void {
    if (this.timerNs === null || this.timerNs > nowNs) return;
    switch (this.st) {
      case "init":
        this.xid = this.o.random() >>> 0;
        this.startedNs = nowNs;
        this.attempts = 0;
        this.goto("selecting", nowNs);
        this.poll(nowNs);
        return;
      case "selecting":
        this.attempts++;
        this.send(nowNs, DHCPDISCOVER, 0, 0xffffffff, []);
        this.timerNs = nowNs + this.backoff();
        return;
      case "requesting": {
        if (this.attempts >= this.maxRequests || !this.offer) {
          this.restart(nowNs, 0n);
          return;
        }
        this.attempts++;
        // RFC 2131 §4.3.2 / table 5: SELECTING-state REQUEST: server id and requested IP, ciaddr 0.
        this.send(nowNs, DHCPREQUEST, 0, 0xffffffff, [
          [OPT_REQUESTED_IP, u32(this.offer.address)],
          [OPT_SERVER_ID, u32(this.offer.server)],
        ]);
        this.timerNs = nowNs + this.backoff();
        return;
      }
      case "bound":
      case "renewing":
      case "rebinding":
        this.leaseTimer(nowNs);
        return;
    }
  }

  private leaseTimer(nowNs: bigint): void {
    const l = this.current;
    if (!l) {
      this.restart(nowNs, 0n);
      return;
    }
    if (nowNs >= l.expiresAtNs) {
      // RFC 2131 §4.4.5: lease expired: stop using the address, start over.
      this.current = null;
      this.events.push({ kind: "lost", reason: "lease expired" });
      this.restart(nowNs, 0n);
      return;
    }
    if (nowNs >= l.rebindAtNs) {
      if (this.st !== "rebinding") this.xid = this.o.random() >>> 0;
      this.goto("rebinding", nowNs);
      this.send(nowNs, DHCPREQUEST, l.address, 0xffffffff, []);
      this.timerNs = nowNs + this.retransmitWithin(l.expiresAtNs - nowNs);
      if (this.timerNs > l.expiresAtNs) this.timerNs = l.expiresAtNs;
      return;
    }
    if (nowNs >= l.renewAtNs) {
      if (this.st !== "renewing") {
        this.xid = this.o.random() >>> 0;
        this.startedNs = nowNs;
      }
      this.goto("renewing", nowNs);
      // RFC 2131 §4.4.5: RENEWING: unicast to the server that granted the lease.
      this.send(nowNs, DHCPREQUEST, l.address, l.server, []);
      this.timerNs = nowNs + this.retransmitWithin(l.rebindAtNs - nowNs);
      if (this.timerNs > l.rebindAtNs) this.timerNs = l.rebindAtNs;
      return;
    }
    this.timerNs = l.renewAtNs;
  }

  /** RFC 2131 §4.4.5: wait half the time left, but not under 60 s (or what is left). */
  private retransmitWithin(leftNs: bigint): bigint {
    const half = leftNs / 2n;
    const min = 60n * S < leftNs ? 60n * S : leftNs;
    return half > min ? half : min;
  }

  pollAt(): bigint | null {
    return this.timerNs;
  }

  /** One datagram that arrived on port 68. */
  input(payload: Uint8Array, nowNs: bigint): void {
    const m = parseDhcp(payload, this.counters);
    if (!m) return;
    if (m.op !== BOOTREPLY || m.xid !== this.xid || m.chaddr.some((b, i) => b !== this.mac[i])) {
      this.counters.inc("drop-not-ours");
      return;
    }
    this.counters.inc(`rx-${m.type}`);
    const server = optU32(m, OPT_SERVER_ID);
    if (this.st === "selecting" && m.type === DHCPOFFER) {
      if (server === null || m.yiaddr === 0) {
        this.counters.inc("drop-bad-offer");
        return;
      }
      this.offer = { address: m.yiaddr, server };
      this.attempts = 0;
      this.goto("requesting", nowNs);
      this.timerNs = nowNs;
      this.poll(nowNs);
      return;
    }
    const waiting = this.st === "requesting" || this.st === "renewing" || this.st === "rebinding";
    if (!waiting) {
      this.counters.inc("drop-unexpected");
      return;
    }
    if (m.type === DHCPNAK) {
      // RFC 2131 §4.4.1 / §4.4.5: NAK: stop using any address and restart.
      if (this.current)
        this.events.push({ kind: "lost", reason: "the server refused the lease (DHCPNAK)" });
      this.current = null;
      this.restart(nowNs, S);
      return;
    }
    if (m.type !== DHCPACK) {
      this.counters.inc("drop-unexpected");
      return;
    }
    const leaseSeconds = optU32(m, OPT_LEASE_TIME);
    if (m.yiaddr === 0 || leaseSeconds === null) {
      this.counters.inc("drop-bad-ack");
      return;
    }
    const mask = optU32(m, OPT_SUBNET_MASK);
    const routers = m.options.get(OPT_ROUTER);
    const dns = m.options.get(OPT_DNS) ?? new Uint8Array(0);
    const lease = BigInt(leaseSeconds) * S;
    // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease.
    const t1 = optU32(m, OPT_RENEWAL_TIME);
    const t2 = optU32(m, OPT_REBINDING_TIME);
    // Times count from when the request went out; `startedNs` is that within a second.
    const base = nowNs;
    this.current = {
      address: m.yiaddr,
      prefixLength: mask === null ? 24 : prefixOf(mask),
      gateway: routers && routers.length >= 4 ? readU32(routers, 0) : null,
      dns: Array.from({ length: Math.floor(dns.length / 4) }, (_, k) => readU32(dns, 4 * k)),
      server: server ?? this.current?.server ?? this.offer?.server ?? 0,
      leaseSeconds,
      renewAtNs: base + (t1 !== null ? BigInt(t1) * S : lease / 2n),
      rebindAtNs: base + (t2 !== null ? BigInt(t2) * S : (lease * 7n) / 8n),
      expiresAtNs: base + lease,
    };
    this.offer = null;
    this.goto("bound", nowNs);
    this.timerNs = this.current.renewAtNs;
    this.events.push({ kind: "bound", lease: this.current });
  }

  /** Gives the lease back (RFC 2131 §4.4.6), e.g. at shutdown. */
  release(nowNs: bigint): void {
    const l = this.current;
    if (!l) return;
    this.xid = this.o.random() >>> 0;
    this.send(nowNs, DHCPRELEASE, l.address, l.server, [[OPT_SERVER_ID, u32(l.server)]]);
    this.current = null;
    this.timerNs = null;
    this.goto("init", nowNs);
    this.events.push({ kind: "lost", reason: "released" });
  }
}
