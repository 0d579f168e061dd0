/**
 * The TLS 1.3 record layer (RFC 8446 §5): framing, the need-more/record/error parser, and
 * record protection with per-direction sequence numbers (§5.2, §5.3).
 */

import type { AeadKey } from "../crypto/provider.ts";
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

  /**
   * Records carrying `content` (one array, or several sent as one stream) of `type`, split at
   * the send limit; plaintext before keys. Each record is one buffer, its header reserved:
   * the content is copied in once and sealed where it lies (`AeadKey.sealInPlace`), so a
   * response's head and body share a record and no intermediate array is made.
   */
  write(
    type: number,
    content: Uint8Array | readonly Uint8Array[],
    out: Uint8Array[],
    version = 0x0303,
  ): void {
    const chunks = content instanceof Uint8Array ? [content] : content;
    let left = 0;
    for (const c of chunks) left += c.length;
    const w = this.writer;
    const limit = w ? this.sendLimit : MAX_PLAINTEXT;
    // Bytes before the content (header; TLS 1.2 GCM's explicit nonce) and after it (TLS 1.3's
    // inner content type; the tag).
    const explicit = w !== null && this.tls12 && w.keys.iv.length === 4;
    const before = RECORD_HEADER + (explicit ? 8 : 0);
    const after = w === null ? 0 : this.tls12 ? TAG : 1 + TAG;
    let ci = 0; // the next byte to copy is chunks[ci][co]
    let co = 0;
    // An empty `content` still makes one (empty) record.
    do {
      const n = Math.min(limit, left);
      const rec = allocRecord(before + n + after);
      for (let at = before, need = n; need > 0; ) {
        const c = chunks[ci] as Uint8Array;
        const take = Math.min(need, c.length - co);
        if (take > 0) {
          rec.set(take === c.length ? c : c.subarray(co, co + take), at);
          at += take;
          need -= take;
          co += take;
        }
        if (co >= c.length) {
          ci++;
          co = 0;
        }
      }
      out.push(this.protect(type, rec, n, version));
      left -= n;
    } while (left > 0);
  }

  /** Fills in the header of `rec` (content at RECORD_HEADER, `n` bytes) and seals it. */
  private protect(type: number, rec: Uint8Array, n: number, version: number): Uint8Array {
    const w = this.writer;
    // The first ClientHello may say 0x0301 for compatibility (§5.1); everything else 0x0303.
    if (!w) {
      setHeader(rec, type, version);
      return rec;
    }
    if (this.tls12) {
      // RFC 5246 §6.2.3.3: the outer type is the real one; the AAD has the plaintext length.
      const seq = w.seq64();
      const explicit = w.keys.iv.length === 4;
      const nonce = explicit ? concat2(w.keys.iv, seq) : w.nonce();
      if (explicit) {
        w.seq++;
        rec.set(seq, RECORD_HEADER);
      }
      setHeader(rec, type, 0x0303);
      sealAt(w.keys.aead, nonce, aad12(seq, type, n), rec, RECORD_HEADER + (explicit ? 8 : 0));
      return rec;
    }
    // §5.2: TLSInnerPlaintext is the content and its type; the outer type says application_data
    // and the header is the AAD.
    rec[RECORD_HEADER + n] = type;
    setHeader(rec, ContentType.applicationData, 0x0303);
    sealAt(w.keys.aead, w.nonce(), rec.subarray(0, RECORD_HEADER), rec, RECORD_HEADER);
    return rec;
  }

  /** TLS 1.2 record decryption (RFC 5246 §6.2.3.3): the outer type is the real one. */
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

  /**
   * Decrypts a protected record (§5.2): the inner content type is the last non-zero byte;
   * all-zero plaintext is unexpected_message, a failed tag bad_record_mac.
   */
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

const TAG = 16;

/**
 * Records are carved from a shared slab, 8-byte aligned: a new typed array per record cost
 * more than the record's AEAD in the keep-alive profile (bench/tls.ts). Each record owns its
 * bytes and the slab is never rewritten, so a record stays valid while the transport holds it.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

function allocRecord(n: number): Uint8Array {
  if (n > SLAB_BYTES / 2) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const rec = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += (n + 7) & ~7;
  return rec;
}

/** The 5-byte header (§5.1) of a record whose buffer is exactly header and fragment. */
function setHeader(rec: Uint8Array, type: number, version: number): void {
  const length = rec.length - RECORD_HEADER;
  rec[0] = type;
  rec[1] = version >> 8;
  rec[2] = version & 0xff;
  rec[3] = length >> 8;
  rec[4] = length & 0xff;
}

/** Seals `rec[at, end - TAG)` in place, its tag in the last TAG bytes. */
function sealAt(
  aead: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  rec: Uint8Array,
  at: number,
): void {
  const buf = rec.subarray(at);
  if (aead.sealInPlace) aead.sealInPlace(nonce, aad, buf);
  else rec.set(aead.seal(nonce, aad, buf.subarray(0, buf.length - TAG)), at);
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
