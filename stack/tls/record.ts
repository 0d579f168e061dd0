/**
 * The TLS 1.3 record layer (RFC 8446 §5): framing, the need-more/record/error parser, and
 * record protection with per-direction sequence numbers (§5.2, §5.3).
 */

import { TlsError, type TlsFailure } from "./errors.ts";
import type { TrafficKeys } from "./keyschedule.ts";
import { ContentType } from "./wire.ts";

/** TLSPlaintext.length limit (§5.1). */
export const MAX_PLAINTEXT = 1 << 14;
/** TLSCiphertext.length limit (§5.2): 2^14 + 256. */
export const MAX_CIPHERTEXT = (1 << 14) + 256;
export const RECORD_HEADER = 5;

export type RecordParse =
  | { kind: "need-more" }
  | { kind: "record"; type: number; header: Uint8Array; body: Uint8Array; size: number }
  | { kind: "error"; failure: TlsFailure; reason: string };

/**
 * One record from `buf[start, end)`. Checks what can be checked without keys: a known
 * content type (§5: else unexpected_message) and the length limit (§5.2: record_overflow).
 */
export function parseRecord(buf: Uint8Array, start: number, end: number): RecordParse {
  if (end - start < RECORD_HEADER) return { kind: "need-more" };
  const type = buf[start] as number;
  if (type < ContentType.changeCipherSpec || type > ContentType.applicationData) {
    return { kind: "error", failure: "unexpected-message", reason: `record content type ${type}` };
  }
  // legacy_record_version is ignored (§5.1) but must look like TLS: 0x03 0x0X.
  if (buf[start + 1] !== 3) {
    return { kind: "error", failure: "decode-error", reason: "not a TLS record" };
  }
  const length = ((buf[start + 3] as number) << 8) | (buf[start + 4] as number);
  if (length > MAX_CIPHERTEXT) {
    return { kind: "error", failure: "record-overflow", reason: `record of ${length} bytes` };
  }
  if (end - start < RECORD_HEADER + length) return { kind: "need-more" };
  return {
    kind: "record",
    type,
    header: buf.subarray(start, start + RECORD_HEADER),
    body: buf.subarray(start + RECORD_HEADER, start + RECORD_HEADER + length),
    size: RECORD_HEADER + length,
  };
}

/** One direction: keys and the next sequence number (§5.3). */
class Direction {
  seq = 0;
  constructor(readonly keys: TrafficKeys) {}
  /** The per-record nonce: the IV XOR the 64-bit sequence number, left-padded (§5.3). */
  nonce(): Uint8Array {
    if (this.seq >= Number.MAX_SAFE_INTEGER) {
      throw new TlsError("internal-error", "sequence number exhausted");
    }
    const n = this.keys.iv.slice();
    let s = this.seq++;
    for (let i = 11; i >= 4 && s > 0; i--) {
      n[i] = (n[i] as number) ^ (s % 256);
      s = Math.floor(s / 256);
    }
    return n;
  }
  /** The 8-byte sequence number as TLS 1.2 puts it in the AAD and GCM's explicit nonce. */
  seq64(): Uint8Array {
    const out = new Uint8Array(8);
    let v = this.seq;
    for (let i = 7; i >= 0 && v > 0; i--) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return out;
  }
}

/** TLS 1.2 AEAD additional data (RFC 5246 §6.2.3.3): seq_num, type, version, length. */
function aad12(seq: Uint8Array, type: number, length: number): Uint8Array {
  const a = new Uint8Array(13);
  a.set(seq);
  a[8] = type;
  a[9] = 3;
  a[10] = 3;
  a[11] = length >> 8;
  a[12] = length & 0xff;
  return a;
}

export function plaintextRecord(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER + body.length);
  out[0] = type;
  out[1] = version >> 8;
  out[2] = version & 0xff;
  out[3] = body.length >> 8;
  out[4] = body.length & 0xff;
  out.set(body, RECORD_HEADER);
  return out;
}

export class RecordLayer {
  private reader: Direction | null = null;
  private writer: Direction | null = null;
  /**
   * Most content bytes we put in one record: 2^14, or the peer's record_size_limit minus the
   * content type byte (RFC 8449 §4, TLS 1.3).
   */
  sendLimit = MAX_PLAINTEXT;
  /** Largest TLSInnerPlaintext we accept: our advertised record_size_limit (RFC 8449 §4). */
  recvLimit = MAX_PLAINTEXT + 1;

  /**
   * TLS 1.2 record protection (RFC 5246 §6.2.3.3): the outer type is the real one, no inner
   * type byte. AES-GCM keys carry a 4-byte salt and send an 8-byte explicit nonce, the
   * sequence number (RFC 5288 §3); ChaCha20-Poly1305 keys carry a 12-byte IV XORed with it
   * (RFC 7905 §2).
   */
  tls12 = false;

  get reading(): boolean {
    return this.reader !== null;
  }
  get writing(): boolean {
    return this.writer !== null;
  }
  setReadKeys(keys: TrafficKeys): void {
    this.reader = new Direction(keys);
  }
  setWriteKeys(keys: TrafficKeys): void {
    this.writer = new Direction(keys);
  }

  /** Records carrying `content` of `type`, split at the send limit; plaintext before keys. */
  write(type: number, content: Uint8Array, out: Uint8Array[], version = 0x0303): void {
    const limit = this.writer ? this.sendLimit : MAX_PLAINTEXT;
    if (content.length === 0) {
      out.push(this.protect(type, content, version));
      return;
    }
    for (let at = 0; at < content.length; at += limit) {
      const part = content.subarray(at, Math.min(content.length, at + limit));
      out.push(this.protect(type, part, version));
    }
  }

  private protect(type: number, content: Uint8Array, version: number): Uint8Array {
    const w = this.writer;
    // The first ClientHello may say 0x0301 for compatibility (§5.1); everything else 0x0303.
    if (!w) return plaintextRecord(type, content, version);
    if (this.tls12) return this.protect12(w, type, content);
    const inner = new Uint8Array(content.length + 1);
    inner.set(content);
    inner[content.length] = type;
    const length = inner.length + 16;
    const header = Uint8Array.of(ContentType.applicationData, 3, 3, length >> 8, length & 0xff);
    const sealed = w.keys.aead.seal(w.nonce(), header, inner);
    const out = new Uint8Array(RECORD_HEADER + sealed.length);
    out.set(header);
    out.set(sealed, RECORD_HEADER);
    return out;
  }

  /**
   * Decrypts a protected record (§5.2): the inner content type is the last non-zero byte;
   * all-zero plaintext is unexpected_message, a failed tag bad_record_mac.
   */
  private protect12(w: Direction, type: number, content: Uint8Array): Uint8Array {
    const seq = w.seq64();
    const explicit = w.keys.iv.length === 4;
    const nonce = explicit ? concat2(w.keys.iv, seq) : w.nonce();
    if (explicit) w.seq++;
    const sealed = w.keys.aead.seal(nonce, aad12(seq, type, content.length), content);
    const length = (explicit ? 8 : 0) + sealed.length;
    const out = new Uint8Array(RECORD_HEADER + length);
    out[0] = type;
    out[1] = 3;
    out[2] = 3;
    out[3] = length >> 8;
    out[4] = length & 0xff;
    if (explicit) out.set(seq, RECORD_HEADER);
    out.set(sealed, RECORD_HEADER + (explicit ? 8 : 0));
    return out;
  }

  private unprotect12(
    r: Direction,
    header: Uint8Array,
    body: Uint8Array,
  ): { type: number; content: Uint8Array } {
    const explicit = r.keys.iv.length === 4;
    const ct = explicit ? body.subarray(8) : body;
    if (ct.length < 16) throw new TlsError("bad-record-mac", "record shorter than a tag");
    const seq = r.seq64();
    const nonce = explicit ? concat2(r.keys.iv, body.subarray(0, 8)) : r.nonce();
    if (explicit) r.seq++;
    const type = header[0] as number;
    const plain = r.keys.aead.open(nonce, aad12(seq, type, ct.length - 16), ct);
    if (plain === null) throw new TlsError("bad-record-mac", "record did not authenticate");
    if (plain.length > MAX_PLAINTEXT) throw new TlsError("record-overflow", "plaintext over 2^14");
    return { type, content: plain };
  }

  unprotect(header: Uint8Array, body: Uint8Array): { type: number; content: Uint8Array } {
    const r = this.reader;
    if (!r) throw new TlsError("internal-error", "no read keys");
    if (this.tls12) return this.unprotect12(r, header, body);
    if (body.length < 17) throw new TlsError("bad-record-mac", "record shorter than a tag");
    const inner = r.keys.aead.open(r.nonce(), header, body);
    if (inner === null) throw new TlsError("bad-record-mac", "record did not authenticate");
    if (inner.length > this.recvLimit) {
      throw new TlsError("record-overflow", `inner plaintext of ${inner.length} bytes`);
    }
    let i = inner.length - 1;
    while (i >= 0 && inner[i] === 0) i--;
    if (i < 0) throw new TlsError("unexpected-message", "record with no content type");
    return { type: inner[i] as number, content: inner.subarray(0, i) };
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
