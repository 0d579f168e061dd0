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
  unprotect(header: Uint8Array, body: Uint8Array): { type: number; content: Uint8Array } {
    const r = this.reader;
    if (!r) throw new TlsError("internal-error", "no read keys");
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
