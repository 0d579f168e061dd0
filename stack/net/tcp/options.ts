/**
 * TCP options (RFC 9293 §3.2, §3.7.1 MSS; RFC 7323 §2 window scale, §3 timestamps; RFC 2018
 * SACK-permitted and SACK). Parsing validates every length: an option that overruns the
 * header, or a known option with the wrong length, makes the whole segment malformed
 * (RFC 9293 §3.1: a TCP "MUST be prepared to handle an illegal option length ... without
 * crashing"; we count it and drop the segment).
 */

export const OPT_EOL = 0;
export const OPT_NOP = 1;
export const OPT_MSS = 2;
export const OPT_WSCALE = 3;
export const OPT_SACK_PERMITTED = 4;
export const OPT_SACK = 5;
export const OPT_TIMESTAMP = 8;

/** RFC 7323 §2.3: a shift count above 14 is used as 14. */
export const MAX_WSCALE = 14;

/** A SACK block: [left edge, right edge) as sequence numbers (RFC 2018 §3). */
export type SackBlock = readonly [left: number, right: number];

export interface TcpOptions {
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  /** RFC 7323 §3.2: TSval and TSecr. */
  timestamp?: { readonly val: number; readonly ecr: number };
  sack?: readonly SackBlock[];
}

export const NO_OPTIONS: TcpOptions = Object.freeze({});

function u32(b: Uint8Array, i: number): number {
  return (
    (((b[i] as number) << 24) |
      ((b[i + 1] as number) << 16) |
      ((b[i + 2] as number) << 8) |
      (b[i + 3] as number)) >>>
    0
  );
}

/** Parses the options area of a header; null if an option is malformed. */
export function parseOptions(area: Uint8Array): TcpOptions | null {
  if (area.length === 0) return NO_OPTIONS;
  const out: TcpOptions = {};
  let i = 0;
  while (i < area.length) {
    const kind = area[i] as number;
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= area.length) return null; // no room for the length octet
    const len = area[i + 1] as number;
    if (len < 2 || i + len > area.length) return null; // overruns the header
    switch (kind) {
      case OPT_MSS:
        if (len !== 4) return null;
        out.mss = ((area[i + 2] as number) << 8) | (area[i + 3] as number);
        break;
      case OPT_WSCALE:
        if (len !== 3) return null;
        out.wscale = Math.min(area[i + 2] as number, MAX_WSCALE);
        break;
      case OPT_SACK_PERMITTED:
        if (len !== 2) return null;
        out.sackPermitted = true;
        break;
      case OPT_TIMESTAMP:
        if (len !== 10) return null;
        out.timestamp = { val: u32(area, i + 2), ecr: u32(area, i + 6) };
        break;
      case OPT_SACK: {
        if ((len - 2) % 8 !== 0 || len === 2) return null;
        const blocks: SackBlock[] = [];
        for (let j = i + 2; j < i + len; j += 8) blocks.push([u32(area, j), u32(area, j + 4)]);
        out.sack = blocks;
        break;
      }
      default:
        break; // unknown options are skipped by their length (RFC 9293 §3.1)
    }
    i += len;
  }
  return out;
}

/** Bytes the options take on the wire, padded to a multiple of 4. */
export function optionsLength(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.wscale !== undefined) n += 4; // NOP + 3
  if (o.sackPermitted) n += o.timestamp !== undefined ? 0 : 4; // shares the TS word, else NOP NOP + 2
  if (o.timestamp !== undefined) n += 12; // NOP NOP + 10, or SACK-permitted + 10
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + 8 * o.sack.length; // NOP NOP + 2 + 8n
  return n;
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = (v >>> 16) & 255;
  b[i + 2] = (v >>> 8) & 255;
  b[i + 3] = v & 255;
}

/**
 * Writes the options at `at` in `out` (which has `optionsLength(o)` bytes there) in the
 * layout RFC 7323 Appendix A recommends: 32-bit aligned, NOPs before odd-sized options.
 */
export function writeOptions(o: TcpOptions, out: Uint8Array, at: number): void {
  let i = at;
  if (o.mss !== undefined) {
    out[i] = OPT_MSS;
    out[i + 1] = 4;
    out[i + 2] = (o.mss >>> 8) & 255;
    out[i + 3] = o.mss & 255;
    i += 4;
  }
  if (o.timestamp !== undefined) {
    if (o.sackPermitted) {
      out[i] = OPT_SACK_PERMITTED;
      out[i + 1] = 2;
    } else {
      out[i] = OPT_NOP;
      out[i + 1] = OPT_NOP;
    }
    out[i + 2] = OPT_TIMESTAMP;
    out[i + 3] = 10;
    put32(out, i + 4, o.timestamp.val);
    put32(out, i + 8, o.timestamp.ecr);
    i += 12;
  } else if (o.sackPermitted) {
    out[i] = OPT_NOP;
    out[i + 1] = OPT_NOP;
    out[i + 2] = OPT_SACK_PERMITTED;
    out[i + 3] = 2;
    i += 4;
  }
  if (o.wscale !== undefined) {
    out[i] = OPT_NOP;
    out[i + 1] = OPT_WSCALE;
    out[i + 2] = 3;
    out[i + 3] = o.wscale;
    i += 4;
  }
  if (o.sack !== undefined && o.sack.length > 0) {
    out[i] = OPT_NOP;
    out[i + 1] = OPT_NOP;
    out[i + 2] = OPT_SACK;
    out[i + 3] = 2 + 8 * o.sack.length;
    i += 4;
    for (const [l, r] of o.sack) {
      put32(out, i, l);
      put32(out, i + 4, r);
      i += 8;
    }
  }
}

/** Plain JSON of options, for trace details. */
export function optionsJson(o: TcpOptions): { [k: string]: number | boolean | number[][] } {
  const j: { [k: string]: number | boolean | number[][] } = {};
  if (o.mss !== undefined) j.mss = o.mss;
  if (o.wscale !== undefined) j.wscale = o.wscale;
  if (o.sackPermitted) j.sackPermitted = true;
  if (o.timestamp !== undefined) {
    j.tsval = o.timestamp.val;
    j.tsecr = o.timestamp.ecr;
  }
  if (o.sack !== undefined) j.sack = o.sack.map(([l, r]) => [l, r]);
  return j;
}
