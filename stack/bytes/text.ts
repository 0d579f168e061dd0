/**
 * Byte/text helpers for every protocol library. The stack runs on any ES2022 engine, which has typed arrays but
 * no TextEncoder/TextDecoder, so the conversions protocols need are written here.
 *
 * HTTP/1.1 message framing is octets (RFC 9112 §2.2): field values are decoded as ISO-8859-1
 * (latin1), which maps each octet to one code unit and so never loses data.
 */

/** Largest argument list handed to `String.fromCharCode` at once. */
const DECODE_SLICE = 4096;

/** Decodes `bytes[start, end)` as latin1: one code unit per octet. */
export function latin1Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n <= DECODE_SLICE) {
    // `apply` accepts any array-like; typed arrays qualify.
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  const parts: string[] = [];
  for (let i = start; i < end; i += DECODE_SLICE) {
    const slice = bytes.subarray(i, Math.min(i + DECODE_SLICE, end));
    parts.push(String.fromCharCode.apply(null, slice as unknown as number[]));
  }
  return parts.join("");
}

/**
 * Request heads repeat themselves: the same field names, the same Host, the same methods.
 * Short decodes go through a small direct-mapped cache, so a repeat costs a hash and a
 * compare instead of a new string (and the garbage collection behind it).
 */
const INTERN_MAX = 64;
const INTERN_SLOTS = 512;
const interned: (string | undefined)[] = new Array(INTERN_SLOTS);

/** `latin1Decode` for short, often repeated text (methods, field names and values). */
export function latin1DecodeInterned(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > INTERN_MAX || n <= 0) return latin1Decode(bytes, start, end);
  let h = n;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + (bytes[i] as number)) | 0;
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const hit = interned[slot];
  if (hit !== undefined && hit.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (hit.charCodeAt(i) !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const text = latin1Decode(bytes, start, end);
  interned[slot] = text;
  return text;
}

/**
 * Encodes `text` as latin1. Code units above 0xFF cannot be represented and become "?"
 * (callers that need them use `utf8Encode`).
 */
export function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  if (text.length > INDEXED_MAX) {
    writeLatin1Walking(out, 0, text);
    return out;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c <= 0xff ? c : 0x3f;
  }
  return out;
}

/**
 * Small encodings are carved from a shared slab: allocating a typed array costs more than
 * encoding a response head into it (the same reason Node pools small Buffers). Each result
 * owns its own bytes and the slab is never rewritten, so results stay valid for as long as
 * they are referenced.
 */
const SLAB_BYTES = 64 * 1024;
const POOLED_MAX = 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/** `n` fresh bytes: carved from the slab when small, else a new array. */
export function allocPooled(n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}

/** Writes `text` as latin1 into `out` at `at` ("?" for code units above 0xFF); returns the end. */
export function writeLatin1(out: Uint8Array, at: number, text: string): number {
  const n = text.length;
  if (n > INDEXED_MAX) return writeLatin1Walking(out, at, text);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    out[at + i] = c <= 0xff ? c : 0x3f;
  }
  return at + n;
}

/** `latin1Encode`, pooled for short strings (chunk-size lines and the like). */
export function latin1EncodePooled(text: string): Uint8Array {
  const out = allocPooled(text.length);
  writeLatin1(out, 0, text);
  return out;
}

/**
 * Strings longer than this are walked with the string iterator instead of indexed: XS keeps
 * strings as UTF-8 and finds the i-th code unit by scanning from the start, so an index loop
 * is quadratic there (a 32,000-character string took 2 s on the emulated board). V8 indexes in
 * constant time and is faster with indexes, so short strings, the hot path of HTTP heads, keep
 * them. Both paths give the same bytes (test/unit/bytes).
 */
const INDEXED_MAX = 1024;

/** `writeLatin1` for long strings, in one pass of the iterator. */
function writeLatin1Walking(out: Uint8Array, at: number, text: string): number {
  let o = at;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    out[o++] = c <= 0xff ? c : 0x3f;
    if (c > 0xffff) out[o++] = 0x3f; // an astral character is two code units, two "?"
  }
  return o;
}

/** UTF-8 of a long string, in one pass of the iterator (see INDEXED_MAX). */
function utf8EncodeWalking(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let o = 0;
  for (const ch of text) {
    let c = ch.codePointAt(0) as number;
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c > 0xffff) {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, o);
}

/** Number of bytes `utf8Encode(text)` produces. */
export function utf8Length(text: string): number {
  if (text.length > INDEXED_MAX) {
    let n = 0;
    for (const ch of text) {
      const c = ch.codePointAt(0) as number;
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c > 0xffff ? 4 : 3;
    }
    return n;
  }
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text, i + 1)) {
      n += 4;
      i++;
    } else n += 3; // BMP, or a lone surrogate encoded as U+FFFD
  }
  return n;
}

function isLowSurrogate(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Encodes `text` as UTF-8 (RFC 3629); lone surrogates become U+FFFD. */
export function utf8Encode(text: string): Uint8Array {
  if (text.length > INDEXED_MAX) return utf8EncodeWalking(text);
  const out = new Uint8Array(utf8Length(text));
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text, i + 1)) {
        c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
        out[o++] = 0xf0 | (c >> 18);
        out[o++] = 0x80 | ((c >> 12) & 0x3f);
        out[o++] = 0x80 | ((c >> 6) & 0x3f);
        out[o++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    out[o++] = 0xe0 | (c >> 12);
    out[o++] = 0x80 | ((c >> 6) & 0x3f);
    out[o++] = 0x80 | (c & 0x3f);
  }
  return out;
}

/**
 * Decodes UTF-8. Malformed sequences (RFC 3629 §3: overlongs, surrogates, values above
 * U+10FFFF, truncations) each become one U+FFFD.
 */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const units: number[] = [];
  const parts: string[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    let cp = 0xfffd;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    }
    i++;
    if (need > 0) {
      let k = 0;
      for (; k < need && i < end; k++, i++) {
        const n = bytes[i] as number;
        if ((n & 0xc0) !== 0x80) break;
        cp = (cp << 6) | (n & 0x3f);
      }
      if (k < need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    }
    if (cp >= 0x10000) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else units.push(cp);
    if (units.length >= DECODE_SLICE) {
      parts.push(String.fromCharCode.apply(null, units));
      units.length = 0;
    }
  }
  parts.push(String.fromCharCode.apply(null, units));
  return parts.join("");
}

/** Joins byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A copy of `bytes[start, end)` in a fresh plain Uint8Array (never a view). */
export function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}
