/** Small operations on byte arrays that every protocol library needs. ES2022 only. */

/** Whether two byte arrays hold the same bytes. Not constant-time: never use it on secrets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether two byte arrays hold the same bytes, in time that depends only on their lengths:
 * for MACs, Finished values and other secrets.
 */
export function equalBytesConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const HEX = "0123456789abcdef";

/** Lower-case hex, two digits a byte. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (HEX[b >> 4] as string) + (HEX[b & 15] as string);
  return s;
}

/** Bytes from hex (either case; spaces and newlines ignored, so test vectors paste as they are). */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new RangeError(`not a hex string: ${JSON.stringify(hex.slice(0, 40))}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
