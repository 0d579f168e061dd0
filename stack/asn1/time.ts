/**
 * UTCTime and GeneralizedTime as RFC 5280 §4.1.2.5 allows them in certificates: always UTC
 * ("Z"), seconds always present, no fractional seconds. UTCTime's two-digit year YY means
 * 19YY when YY >= 50 and 20YY when YY < 50 (§4.1.2.5.1). Times are milliseconds since the
 * Unix epoch, whole seconds.
 */
import { fail, ok, type Result } from "./errors.ts";

function digits(bytes: Uint8Array, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = bytes[i] as number;
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function checked(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  offset: number,
): Result<number> {
  if (mo < 1 || mo > 12) return fail("bad-time", `month ${mo}`, offset);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return fail("bad-time", `day ${d} of month ${mo}`, offset);
  // RFC 5280 §4.1.2.5: seconds 00-59 (no leap seconds in the form certificates use).
  if (h > 23 || mi > 59 || s > 59) return fail("bad-time", `time ${h}:${mi}:${s}`, offset);
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(h, mi, s, 0);
  return ok(at.getTime());
}

/** UTCTime contents: YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1). */
export function decodeUtcTime(bytes: Uint8Array, offset = 0): Result<number> {
  if (bytes.length !== 13 || bytes[12] !== 0x5a)
    return fail("bad-time", "UTCTime must be YYMMDDHHMMSSZ", offset);
  const f = [0, 2, 4, 6, 8, 10].map((i) => digits(bytes, i, 2));
  if (f.some((n) => n < 0)) return fail("bad-time", "UTCTime with a non-digit", offset);
  const [yy, mo, d, h, mi, s] = f as [number, number, number, number, number, number];
  return checked(yy >= 50 ? 1900 + yy : 2000 + yy, mo, d, h, mi, s, offset);
}

/** GeneralizedTime contents: YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.2: no fractions). */
export function decodeGeneralizedTime(bytes: Uint8Array, offset = 0): Result<number> {
  if (bytes.length !== 15 || bytes[14] !== 0x5a) {
    return fail("bad-time", "GeneralizedTime must be YYYYMMDDHHMMSSZ", offset);
  }
  const y = digits(bytes, 0, 4);
  const f = [4, 6, 8, 10, 12].map((i) => digits(bytes, i, 2));
  if (y < 0 || f.some((n) => n < 0))
    return fail("bad-time", "GeneralizedTime with a non-digit", offset);
  const [mo, d, h, mi, s] = f as [number, number, number, number, number];
  return checked(y, mo, d, h, mi, s, offset);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function fields(ms: number): string {
  const t = new Date(ms);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not a time: ${ms}`);
  return (
    pad(t.getUTCMonth() + 1, 2) +
    pad(t.getUTCDate(), 2) +
    pad(t.getUTCHours(), 2) +
    pad(t.getUTCMinutes(), 2) +
    pad(t.getUTCSeconds(), 2)
  );
}

/** UTCTime text for a time in 1950..2049 (throws RangeError outside: a programming error). */
export function utcTimeText(ms: number): string {
  const y = new Date(ms).getUTCFullYear();
  if (!(y >= 1950 && y <= 2049)) throw new RangeError(`UTCTime covers 1950-2049, not ${y}`);
  return `${pad(y % 100, 2)}${fields(ms)}Z`;
}

/** GeneralizedTime text for a time in 0000..9999. */
export function generalizedTimeText(ms: number): string {
  const y = new Date(ms).getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) throw new RangeError(`GeneralizedTime covers 0-9999, not ${y}`);
  return `${pad(y, 4)}${fields(ms)}Z`;
}
