/**
 * Packs a heap snapshot for the image: LZ77 with a 64 KiB window, in the sequence layout of
 * LZ4's block format, behind our own header (the decoder is platform/unpack.c). A snapshot
 * is XS's slots and chunks, full of repeated pointers and zero bytes: it packs to about 60%,
 * and unpacking is little more than copying, so a boot pays a few ms for it.
 *
 * Layout: "MGLZ", the unpacked size (u32, little-endian), then sequences. A sequence is a
 * token byte (high nibble: literal count, low nibble: match length - 4; 15 means that more
 * length bytes follow, each added, until one below 255), the literals, then the match: its
 * distance back (u16, little-endian, 1 to 65535) and any more length bytes. The last
 * sequence has literals only and ends exactly at the unpacked size.
 */

export const PACK_MAGIC = "MGLZ";
const MIN_MATCH = 4;
const WINDOW = 65_535;
const HASH_BITS = 16;
/** How many earlier places with the same 4 bytes are tried for a match. */
const CHAIN_DEPTH = 48;
/** A match this long is taken without looking further. */
const GOOD_ENOUGH = 258;

function hash4(data: Uint8Array, i: number): number {
  const v =
    ((data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24)) >>>
    0;
  return Math.imul(v, 2654435761) >>> (32 - HASH_BITS);
}

/** A growable byte buffer. */
class Out {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  push(b: number): void {
    if (this.length === this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes[this.length++] = b;
  }
  /** A length beyond the nibble's 15: bytes of 255, then the rest. */
  pushMore(n: number): void {
    while (n >= 255) {
      this.push(255);
      n -= 255;
    }
    this.push(n);
  }
}

/** Packs `data` (see the layout above). */
export function pack(data: Uint8Array): Uint8Array {
  if (data.length > 0xffff_ffff) throw new RangeError("pack: more than 4 GiB");
  const out = new Out();
  for (const c of PACK_MAGIC) out.push(c.charCodeAt(0));
  for (let k = 0; k < 4; k++) out.push((data.length >>> (8 * k)) & 0xff);

  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(WINDOW + 1);
  // The last match may not reach the very end: decoders rely on the tail being literals.
  const lastMatchStart = data.length - MIN_MATCH - 1;
  let inserted = 0;
  const insertUpTo = (end: number) => {
    for (; inserted < end && inserted <= data.length - MIN_MATCH; inserted++) {
      const h = hash4(data, inserted);
      prev[inserted % (WINDOW + 1)] = head[h] as number;
      head[h] = inserted;
    }
  };
  const longest = (i: number): { len: number; dist: number } => {
    let best = { len: 0, dist: 0 };
    if (i > lastMatchStart) return best;
    insertUpTo(i);
    let cand = head[hash4(data, i)] as number;
    const limit = Math.min(data.length, i + 0xffff) - i;
    for (let depth = 0; cand >= 0 && i - cand <= WINDOW && depth < CHAIN_DEPTH; depth++) {
      if (data[cand + best.len] === data[i + best.len]) {
        let n = 0;
        while (n < limit && data[cand + n] === data[i + n]) n++;
        if (n > best.len) {
          best = { len: n, dist: i - cand };
          if (n >= GOOD_ENOUGH) break;
        }
      }
      const next = prev[cand % (WINDOW + 1)] as number;
      if (next >= cand) break;
      cand = next;
    }
    return best.len >= MIN_MATCH ? best : { len: 0, dist: 0 };
  };

  let anchor = 0;
  let i = 0;
  const emit = (literalsEnd: number, match: { len: number; dist: number } | null) => {
    const lits = literalsEnd - anchor;
    const ml = match ? match.len - MIN_MATCH : 0;
    out.push((Math.min(lits, 15) << 4) | Math.min(ml, 15));
    if (lits >= 15) out.pushMore(lits - 15);
    for (let k = anchor; k < literalsEnd; k++) out.push(data[k] as number);
    if (match) {
      out.push(match.dist & 0xff);
      out.push(match.dist >>> 8);
      if (ml >= 15) out.pushMore(ml - 15);
    }
  };
  while (i <= lastMatchStart) {
    let m = longest(i);
    if (m.len === 0) {
      i++;
      continue;
    }
    // Lazy matching: a longer match one byte on is worth a literal.
    const next = longest(i + 1);
    if (next.len > m.len + 1) {
      i++;
      m = next;
    }
    emit(i, m);
    i += m.len;
    anchor = i;
  }
  emit(data.length, null);
  return out.bytes.slice(0, out.length);
}
