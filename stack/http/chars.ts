/**
 * Character classes of HTTP/1.1 as 256-entry tables (1 = in the class), indexed by byte or
 * char code: one lookup per character in the parser's and serializer's hot loops.
 */

/** A table of the codes 0-255 that pass `test`. */
export function charClass(test: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = test(c) ? 1 : 0;
  return table;
}

/** tchar (RFC 9110 §5.6.2): "!#$%&'*+-.^_`|~" / DIGIT / ALPHA. */
export const TCHAR = charClass((c) => {
  if (c >= 0x30 && c <= 0x39) return true;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
});

/** token = 1*tchar (RFC 9110 §5.6.2): a method or a field name. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] === 0) return false;
  }
  return true;
}
