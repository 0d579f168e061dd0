/**
 * ARP for IPv4 over Ethernet (RFC 826), with RFC 5227's announcements, probe replies and
 * address defence. Sans-IO: `input` and `poll` take `now`; frames to send and packets that
 * became sendable collect in `outputs`, which the interface drains.
 */
import {
  formatIpv4,
  type Ipv4Address,
  MAC_BROADCAST,
  MAC_ZERO,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from "./addr.ts";
import { Counters } from "./counters.ts";

export const ARP_LEN = 28;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpPacket {
  op: number;
  senderMac: Uint8Array;
  senderIp: Ipv4Address;
  targetMac: Uint8Array;
  targetIp: Ipv4Address;
}

/**
 * RFC 826 "Packet format": hardware type 1 (Ethernet), protocol 0x0800, lengths 6 and 4.
 * Anything else is not for us: null, and the caller counts it.
 */
export function parseArp(b: Uint8Array): ArpPacket | null {
  if (b.length < ARP_LEN) return null;
  if (readU16(b, 0) !== 1 || readU16(b, 2) !== 0x0800 || b[4] !== 6 || b[5] !== 4) return null;
  return {
    op: readU16(b, 6),
    senderMac: b.slice(8, 14),
    senderIp: readU32(b, 14),
    targetMac: b.slice(18, 24),
    targetIp: readU32(b, 24),
  };
}

export function emitArp(
  p: ArpPacket,
  out: Uint8Array = new Uint8Array(ARP_LEN),
  at = 0,
): Uint8Array {
  writeU16(out, at, 1);
  writeU16(out, at + 2, 0x0800);
  out[at + 4] = 6;
  out[at + 5] = 4;
  writeU16(out, at + 6, p.op);
  out.set(p.senderMac.subarray(0, 6), at + 8);
  writeU32(out, at + 14, p.senderIp);
  out.set(p.targetMac.subarray(0, 6), at + 18);
  writeU32(out, at + 24, p.targetIp);
  return out;
}

export interface ArpOptions {
  /** How long a learned mapping is used (Linux's base reachable time is 30 s). */
  entryTtlNs: bigint;
  /** Interval between requests for an unresolved address. */
  retryNs: bigint;
  /** Requests sent before giving up and dropping the waiting packets. */
  maxRequests: number;
  /** Packets kept per unresolved address (oldest dropped first). */
  queuePerAddress: number;
  /** Addresses being resolved at once; more are refused. */
  maxPending: number;
  /** Cache entries; the oldest is evicted beyond this. */
  maxEntries: number;
}

export const DEFAULT_ARP_OPTIONS: ArpOptions = {
  entryTtlNs: 60_000_000_000n,
  retryNs: 1_000_000_000n,
  maxRequests: 3,
  queuePerAddress: 16,
  maxPending: 64,
  maxEntries: 512,
};

/** RFC 5227 §1.1: ANNOUNCE_NUM 2, ANNOUNCE_INTERVAL 2 s; DEFEND_INTERVAL 10 s. */
const ANNOUNCE_NUM = 2;
const ANNOUNCE_INTERVAL_NS = 2_000_000_000n;
const DEFEND_INTERVAL_NS = 10_000_000_000n;

/** What the ARP core asks the interface to send: an ARP packet, or a packet that waited. */
export type ArpOutput =
  | { kind: "arp"; dstMac: Uint8Array; packet: ArpPacket }
  | { kind: "resolved"; dstMac: Uint8Array; packet: Uint8Array };

interface Entry {
  mac: Uint8Array;
  expiresNs: bigint;
}

interface Pending {
  queue: Uint8Array[];
  requestsSent: number;
  nextRequestNs: bigint;
}

export class ArpCache {
  readonly counters = new Counters();
  /** Frames to send; the interface drains it. */
  readonly outputs: ArpOutput[] = [];
  private readonly o: ArpOptions;
  private readonly entries = new Map<Ipv4Address, Entry>();
  private readonly pending = new Map<Ipv4Address, Pending>();
  private ip: Ipv4Address = 0;
  private announcesLeft = 0;
  private nextAnnounceNs = 0n;
  private lastDefendNs = -DEFEND_INTERVAL_NS;

  constructor(
    private readonly mac: Uint8Array,
    options: Partial<ArpOptions> = {},
  ) {
    this.o = { ...DEFAULT_ARP_OPTIONS, ...options };
  }

  /** Our address changed (0 = none): announce the new one (RFC 5227 §2.3; "gratuitous ARP"). */
  setAddress(ip: Ipv4Address, nowNs: bigint): void {
    if (ip === this.ip) return;
    this.ip = ip;
    this.announcesLeft = ip === 0 ? 0 : ANNOUNCE_NUM;
    this.nextAnnounceNs = nowNs;
    this.poll(nowNs);
  }

  /** The MAC for `ip`, or null when unknown or expired. */
  lookup(ip: Ipv4Address, nowNs: bigint): Uint8Array | null {
    const e = this.entries.get(ip);
    if (!e) return null;
    if (e.expiresNs <= nowNs) {
      this.entries.delete(ip);
      return null;
    }
    return e.mac;
  }

  /** Entries currently cached (expired ones included until looked up). */
  get size(): number {
    return this.entries.size;
  }

  /** Packets waiting for resolution, over all addresses. */
  get waiting(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.queue.length;
    return n;
  }

  /**
   * Sends `packet` (an IPv4 packet, no Ethernet header) to `ip` once it resolves: at once if
   * the mapping is known, else after a request is answered. False if it had to be dropped.
   */
  send(ip: Ipv4Address, packet: Uint8Array, nowNs: bigint): boolean {
    const mac = this.lookup(ip, nowNs);
    if (mac) {
      this.outputs.push({ kind: "resolved", dstMac: mac, packet });
      return true;
    }
    let p = this.pending.get(ip);
    if (!p) {
      if (this.pending.size >= this.o.maxPending) {
        this.counters.inc("drop-pending-full");
        return false;
      }
      p = { queue: [], requestsSent: 0, nextRequestNs: nowNs };
      this.pending.set(ip, p);
    }
    if (p.queue.length >= this.o.queuePerAddress) {
      p.queue.shift();
      this.counters.inc("drop-queue-full");
    }
    p.queue.push(packet);
    this.poll(nowNs);
    return true;
  }

  /** RFC 826 "Packet Reception", the merge algorithm; RFC 5227 for probes and conflicts. */
  input(bytes: Uint8Array, nowNs: bigint): void {
    const a = parseArp(bytes);
    if (!a) {
      this.counters.inc(bytes.length < ARP_LEN ? "drop-truncated" : "drop-unsupported");
      return;
    }
    if (a.op !== ARP_REQUEST && a.op !== ARP_REPLY) {
      this.counters.inc("drop-bad-op");
      return;
    }
    this.counters.inc(a.op === ARP_REQUEST ? "rx-request" : "rx-reply");
    // A sender claiming our address with another MAC: a conflict (RFC 5227 §2.4 (b)): defend
    // by announcing, at most once per DEFEND_INTERVAL.
    if (this.ip !== 0 && a.senderIp === this.ip) {
      if (a.senderMac.some((b, i) => b !== this.mac[i])) {
        this.counters.inc("conflict");
        if (nowNs - this.lastDefendNs >= DEFEND_INTERVAL_NS) {
          this.lastDefendNs = nowNs;
          this.outputs.push({ kind: "arp", dstMac: MAC_BROADCAST, packet: this.announcement() });
        }
      }
      return;
    }
    // Probes (sender 0.0.0.0, RFC 5227 §2.1.1) teach nothing; never learn group MACs.
    const learnable = a.senderIp !== 0 && ((a.senderMac[0] as number) & 1) === 0;
    let merged = false;
    if (learnable && this.entries.has(a.senderIp)) {
      this.learn(a.senderIp, a.senderMac, nowNs);
      merged = true;
    }
    if (this.ip === 0 || a.targetIp !== this.ip) return;
    if (learnable && !merged) this.learn(a.senderIp, a.senderMac, nowNs);
    if (a.op === ARP_REQUEST) {
      this.counters.inc("tx-reply");
      this.outputs.push({
        kind: "arp",
        dstMac: a.senderMac,
        packet: {
          op: ARP_REPLY,
          senderMac: this.mac,
          senderIp: this.ip,
          targetMac: a.senderMac,
          targetIp: a.senderIp,
        },
      });
    }
  }

  private learn(ip: Ipv4Address, mac: Uint8Array, nowNs: bigint): void {
    if (!this.entries.has(ip) && this.entries.size >= this.o.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
      this.counters.inc("evicted");
    }
    this.entries.delete(ip); // re-insert: Map order is then oldest-learned first
    this.entries.set(ip, { mac, expiresNs: nowNs + this.o.entryTtlNs });
    const p = this.pending.get(ip);
    if (p) {
      this.pending.delete(ip);
      for (const packet of p.queue) this.outputs.push({ kind: "resolved", dstMac: mac, packet });
    }
  }

  private announcement(): ArpPacket {
    // RFC 5227 §2.3: an ARP Request with sender and target IP both ours, target MAC zero.
    return {
      op: ARP_REQUEST,
      senderMac: this.mac,
      senderIp: this.ip,
      targetMac: MAC_ZERO,
      targetIp: this.ip,
    };
  }

  /** Sends due requests and announcements; gives up on addresses that never answered. */
  poll(nowNs: bigint): void {
    if (this.announcesLeft > 0 && this.nextAnnounceNs <= nowNs) {
      this.announcesLeft--;
      this.nextAnnounceNs = nowNs + ANNOUNCE_INTERVAL_NS;
      this.counters.inc("tx-announce");
      this.outputs.push({ kind: "arp", dstMac: MAC_BROADCAST, packet: this.announcement() });
    }
    for (const [ip, p] of this.pending) {
      if (p.nextRequestNs > nowNs) continue;
      if (p.requestsSent >= this.o.maxRequests || this.ip === 0) {
        // RFC 1122 §2.3.2.2: unresolved after retries: drop what waited.
        this.pending.delete(ip);
        this.counters.inc("unresolved");
        this.counters.inc("drop-unresolved", p.queue.length);
        continue;
      }
      p.requestsSent++;
      p.nextRequestNs = nowNs + this.o.retryNs;
      this.counters.inc("tx-request");
      this.outputs.push({
        kind: "arp",
        dstMac: MAC_BROADCAST,
        packet: {
          op: ARP_REQUEST,
          senderMac: this.mac,
          senderIp: this.ip,
          targetMac: MAC_ZERO,
          targetIp: ip,
        },
      });
    }
  }

  /** When `poll` next has work: a retry or an announcement; null when idle. */
  pollAt(): bigint | null {
    let at: bigint | null = this.announcesLeft > 0 ? this.nextAnnounceNs : null;
    for (const p of this.pending.values())
      if (at === null || p.nextRequestNs < at) at = p.nextRequestNs;
    return at;
  }

  /** For traces and tests: the cache as plain data. */
  describe(nowNs: bigint): { ip: string; mac: string; ttlMs: number }[] {
    return [...this.entries].map(([ip, e]) => ({
      ip: formatIpv4(ip),
      mac: Array.from(e.mac, (b) => b.toString(16).padStart(2, "0")).join(":"),
      ttlMs: Number((e.expiresNs - nowNs) / 1_000_000n),
    }));
  }
}
