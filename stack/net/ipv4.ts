/**
 * IPv4 (RFC 791) for a host (RFC 1122 §3): header parsing with one bounds check, options
 * skipped, fragmentation on send, reassembly with memory and time limits (RFC 815's idea of
 * holes, as a sorted list), and next-hop choice from the interface subnet and a gateway.
 */
import {
  broadcastOf,
  type Ipv4Address,
  type Ipv4Cidr,
  inSubnet,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from "./addr.ts";
import { checksum } from "./checksum.ts";
import type { Counters } from "./counters.ts";

export const IPV4_HEADER_LEN = 20;
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
/** RFC 1700 / RFC 1122 §3.2.1.7: a host's default TTL (Linux's is 64). */
export const DEFAULT_TTL = 64;

const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;

export interface Ipv4Header {
  /** Header length in bytes, options included (20-60). */
  headerLen: number;
  tos: number;
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (the field counts 8-byte units). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  src: Ipv4Address;
  dst: Ipv4Address;
}

export interface Ipv4Packet {
  header: Ipv4Header;
  /** The payload, trimmed to the total length (Ethernet pads short frames). */
  payload: Uint8Array;
  /** The whole packet (header and payload), for ICMP errors quoting it. */
  bytes: Uint8Array;
}

/**
 * One length check, then every field. Null (and a counter) for a bad version, header
 * length, total length past the end, or checksum. Options are not interpreted: a host may
 * ignore those it does not implement (RFC 1122 §3.2.1.8), so they are skipped by IHL.
 */
export function parseIpv4(b: Uint8Array, counters: Counters): Ipv4Packet | null {
  if (b.length < IPV4_HEADER_LEN) return drop(counters, "drop-truncated");
  const version = (b[0] as number) >>> 4;
  if (version !== 4) return drop(counters, "drop-version");
  const headerLen = ((b[0] as number) & 15) * 4;
  if (headerLen < IPV4_HEADER_LEN) return drop(counters, "drop-bad-ihl");
  if (headerLen > b.length) return drop(counters, "drop-truncated");
  const totalLength = readU16(b, 2);
  if (totalLength < headerLen) return drop(counters, "drop-bad-length");
  if (totalLength > b.length) return drop(counters, "drop-truncated");
  if (checksum(b, 0, headerLen) !== 0) return drop(counters, "drop-checksum");
  const frag = readU16(b, 6);
  const bytes = b.subarray(0, totalLength);
  return {
    header: {
      headerLen,
      tos: b[1] as number,
      totalLength,
      id: readU16(b, 4),
      dontFragment: (frag & FLAG_DF) !== 0,
      moreFragments: (frag & FLAG_MF) !== 0,
      fragmentOffset: (frag & 0x1fff) * 8,
      ttl: b[8] as number,
      protocol: b[9] as number,
      src: readU32(b, 12),
      dst: readU32(b, 16),
    },
    payload: bytes.subarray(headerLen),
    bytes,
  };
}

function drop(counters: Counters, why: string): null {
  counters.inc(why);
  return null;
}

export interface Ipv4Send {
  src: Ipv4Address;
  dst: Ipv4Address;
  protocol: number;
  id: number;
  ttl?: number;
  tos?: number;
  dontFragment?: boolean;
}

/** Writes a 20-byte header (no options) at `at` and its checksum. */
export function writeIpv4Header(
  out: Uint8Array,
  at: number,
  h: Ipv4Send,
  payloadLen: number,
  fragOffset = 0,
  more = false,
): void {
  out[at] = 0x45;
  out[at + 1] = h.tos ?? 0;
  writeU16(out, at + 2, IPV4_HEADER_LEN + payloadLen);
  writeU16(out, at + 4, h.id);
  writeU16(out, at + 6, (h.dontFragment ? FLAG_DF : 0) | (more ? FLAG_MF : 0) | (fragOffset >>> 3));
  out[at + 8] = h.ttl ?? DEFAULT_TTL;
  out[at + 9] = h.protocol;
  writeU16(out, at + 10, 0);
  writeU32(out, at + 12, h.src);
  writeU32(out, at + 16, h.dst);
  writeU16(out, at + 10, checksum(out, at, at + IPV4_HEADER_LEN));
}

/**
 * The packet(s) carrying `payload`, each with `headroom` bytes free in front (for the link
 * header). Fragments when it exceeds `mtu` (RFC 791 "Fragmentation": each fragment's data a
 * multiple of 8 bytes but the last); null if it is too big and DF is set, or over 65535.
 */
export function emitIpv4(
  h: Ipv4Send,
  payload: Uint8Array,
  mtu: number,
  headroom = 0,
): Uint8Array[] | null {
  if (payload.length + IPV4_HEADER_LEN > 65535) return null;
  if (payload.length + IPV4_HEADER_LEN <= mtu) {
    const out = new Uint8Array(headroom + IPV4_HEADER_LEN + payload.length);
    writeIpv4Header(out, headroom, h, payload.length);
    out.set(payload, headroom + IPV4_HEADER_LEN);
    return [out];
  }
  if (h.dontFragment) return null;
  const chunk = ((mtu - IPV4_HEADER_LEN) >>> 3) << 3;
  if (chunk <= 0) return null;
  const packets: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += chunk) {
    const end = Math.min(payload.length, off + chunk);
    const out = new Uint8Array(headroom + IPV4_HEADER_LEN + end - off);
    writeIpv4Header(out, headroom, h, end - off, off, end < payload.length);
    out.set(payload.subarray(off, end), headroom + IPV4_HEADER_LEN);
    packets.push(out);
  }
  return packets;
}

export interface ReassemblyOptions {
  /** Bytes of fragments held at once over all datagrams (RFC 1122 §3.3.2 lets hosts bound it). */
  maxBytes: number;
  /** Datagrams being reassembled at once. */
  maxDatagrams: number;
  /** A datagram not complete this long after its first fragment is dropped (Linux: 30 s). */
  timeoutNs: bigint;
}

export const DEFAULT_REASSEMBLY_OPTIONS: ReassemblyOptions = {
  maxBytes: 256 * 1024,
  maxDatagrams: 64,
  timeoutNs: 30_000_000_000n,
};

interface Incomplete {
  fragments: { offset: number; data: Uint8Array }[];
  /** Payload length, once the last fragment (MF clear) arrived; -1 before. */
  total: number;
  bytes: number;
  deadlineNs: bigint;
}

/**
 * Reassembles fragments keyed by (src, dst, protocol, id) (RFC 791). Overlapping fragments
 * drop the whole datagram (as RFC 5722 asks for IPv6, and Linux does for IPv4): they are
 * only ever seen in attacks.
 */
export class Reassembler {
  private readonly o: ReassemblyOptions;
  private readonly partials = new Map<string, Incomplete>();
  private held = 0;

  constructor(
    private readonly counters: Counters,
    options: Partial<ReassemblyOptions> = {},
  ) {
    this.o = { ...DEFAULT_REASSEMBLY_OPTIONS, ...options };
  }

  /** Bytes of fragments currently held. */
  get heldBytes(): number {
    return this.held;
  }

  get datagrams(): number {
    return this.partials.size;
  }

  /** Adds one fragment; the whole payload once the datagram is complete, else null. */
  add(p: Ipv4Packet, nowNs: bigint): Uint8Array | null {
    const h = p.header;
    const key = `${h.src}:${h.dst}:${h.protocol}:${h.id}`;
    const end = h.fragmentOffset + p.payload.length;
    if (end > 65535 - IPV4_HEADER_LEN) return drop(this.counters, "drop-frag-too-long");
    if (h.moreFragments && p.payload.length % 8 !== 0)
      return drop(this.counters, "drop-frag-misaligned");
    let d = this.partials.get(key);
    if (!d) {
      if (this.partials.size >= this.o.maxDatagrams)
        return drop(this.counters, "drop-frag-too-many");
      d = { fragments: [], total: -1, bytes: 0, deadlineNs: nowNs + this.o.timeoutNs };
      this.partials.set(key, d);
    }
    if (this.held + p.payload.length > this.o.maxBytes) {
      this.discard(key, d);
      return drop(this.counters, "drop-frag-memory");
    }
    if (!h.moreFragments) {
      if (d.total >= 0 && d.total !== end) {
        this.discard(key, d);
        return drop(this.counters, "drop-frag-inconsistent");
      }
      d.total = end;
    }
    if (d.total >= 0 && end > d.total) {
      this.discard(key, d);
      return drop(this.counters, "drop-frag-inconsistent");
    }
    for (const f of d.fragments) {
      if (h.fragmentOffset < f.offset + f.data.length && f.offset < end) {
        if (f.offset === h.fragmentOffset && f.data.length === p.payload.length) {
          this.counters.inc("frag-duplicate");
          return null; // an exact duplicate: harmless
        }
        this.discard(key, d);
        return drop(this.counters, "drop-frag-overlap");
      }
    }
    d.fragments.push({ offset: h.fragmentOffset, data: p.payload.slice() });
    d.bytes += p.payload.length;
    this.held += p.payload.length;
    if (d.total < 0 || d.bytes !== d.total) return null;
    // No overlaps and the byte count matches the total: the fragments tile [0, total).
    const out = new Uint8Array(d.total);
    for (const f of d.fragments) out.set(f.data, f.offset);
    this.discard(key, d);
    this.counters.inc("reassembled");
    return out;
  }

  private discard(key: string, d: Incomplete): void {
    this.held -= d.bytes;
    this.partials.delete(key);
  }

  /** Drops datagrams past their deadline. */
  poll(nowNs: bigint): void {
    for (const [key, d] of this.partials) {
      if (d.deadlineNs <= nowNs) {
        this.discard(key, d);
        this.counters.inc("drop-frag-timeout");
      }
    }
  }

  pollAt(): bigint | null {
    let at: bigint | null = null;
    for (const d of this.partials.values()) if (at === null || d.deadlineNs < at) at = d.deadlineNs;
    return at;
  }
}

/** The interface's IPv4 configuration: its address and subnet, and a default gateway. */
export interface Ipv4Config {
  cidr: Ipv4Cidr;
  gateway: Ipv4Address | null;
}

/**
 * The routing table of a host with one interface (RFC 1122 §3.3.1.1): destinations in the
 * subnet (and broadcasts) go direct; others go to the gateway; without one, unreachable.
 */
export function nextHop(config: Ipv4Config, dst: Ipv4Address): Ipv4Address | null {
  if (dst === 0xffffffff || inSubnet(config.cidr, dst) || dst === broadcastOf(config.cidr))
    return dst;
  return config.gateway;
}
