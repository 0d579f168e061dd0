/**
 * PEM text encoding (RFC 7468). Reading follows the strict grammar of §3: a line
 * `-----BEGIN LABEL-----`, base64 lines (at most 64 characters, only the last shorter), and a
 * line `-----END LABEL-----` with the same label. Text outside the boundaries is ignored
 * (§2 allows explanatory text). Headers (RFC 1421 "Proc-Type:", encrypted PEM) are refused.
 */
import { base64Decode, base64Encode } from "./base64.ts";

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

export type PemErrorCode =
  | "no-pem"
  | "bad-label"
  | "unterminated"
  | "label-mismatch"
  | "bad-base64"
  | "unexpected-label";

export interface PemError {
  readonly code: PemErrorCode;
  readonly message: string;
  /** 1-based line of the problem. */
  readonly line: number;
}

export type PemResult<T> = { ok: true; value: T } | { ok: false; error: PemError };

/** RFC 7468 §3: label = [ labelchar *( ["-" / SP] labelchar ) ], labelchar = %x21-2C / %x2E-7E. */
const LABEL = /^(?:[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?$/;
const BEGIN = /^-----BEGIN (.*)-----[ \t]*$/;
const END = /^-----END (.*)-----[ \t]*$/;

function failPem(
  code: PemErrorCode,
  message: string,
  line: number,
): { ok: false; error: PemError } {
  return { ok: false, error: { code, message, line } };
}

/** Every PEM block in `text`, in order. */
export function decodePemAll(text: string): PemResult<PemBlock[]> {
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i] as string);
    if (begin === null) continue;
    const label = begin[1] as string;
    if (!LABEL.test(label))
      return failPem("bad-label", `bad PEM label ${JSON.stringify(label)}`, i + 1);
    const startLine = i + 1;
    let body = "";
    let short = false;
    for (i++; ; i++) {
      if (i >= lines.length) return failPem("unterminated", `no END line for ${label}`, startLine);
      const line = (lines[i] as string).replace(/[ \t]+$/, "");
      const end = END.exec(line);
      if (end !== null) {
        if (end[1] !== label)
          return failPem("label-mismatch", `BEGIN ${label} ended by END ${end[1]}`, i + 1);
        break;
      }
      if (line.length === 0 && lines.slice(i).every((l) => l.trim() === "")) {
        return failPem("unterminated", `no END line for ${label}`, startLine);
      }
      // §3 strict: base64 lines of 64 characters, the last one possibly shorter.
      if (short || line.length > 64 || line.length === 0)
        return failPem(
          "bad-base64",
          "base64 lines must be 1-64 characters, only the last shorter than 64",
          i + 1,
        );
      if (line.length < 64) short = true;
      body += line;
    }
    const der = base64Decode(body);
    if (der === undefined || der.length === 0)
      return failPem("bad-base64", `${label}: not canonical base64`, startLine);
    blocks.push({ label, der });
  }
  if (blocks.length === 0) return failPem("no-pem", "no PEM block found", 1);
  return { ok: true, value: blocks };
}

/** The single block with one of `labels` (the first if several). */
export function decodePem(text: string, labels: readonly string[]): PemResult<PemBlock> {
  const all = decodePemAll(text);
  if (!all.ok) return all;
  const block = all.value.find((b) => labels.includes(b.label));
  if (block === undefined) {
    return failPem(
      "unexpected-label",
      `expected ${labels.join(" or ")}, found ${all.value.map((b) => b.label).join(", ")}`,
      1,
    );
  }
  return { ok: true, value: block };
}

/** PEM text for `der`, 64 base64 characters a line, ending in a newline (RFC 7468 §2). */
export function encodePem(label: string, der: Uint8Array): string {
  if (!LABEL.test(label)) throw new RangeError(`bad PEM label ${JSON.stringify(label)}`);
  const b64 = base64Encode(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${label}-----\n`;
}
