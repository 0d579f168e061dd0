/**
 * Incremental HTTP/1.1 request parser (RFC 9112, semantics from RFC 9110), sans-IO.
 *
 * `RequestParser.parse(buf)` looks at the bytes of one request starting at `buf[0]` and
 * answers ok (the request and how many bytes it used), need-more, or error (the status to
 * answer with). Between calls the caller passes the same bytes again with any new ones
 * appended; the parser remembers how far it got, so nothing is scanned twice and header text
 * is decoded once per field. After ok or error the parser is ready for the next request.
 *
 * Smuggling defences follow RFC 9112 §6.1 and §6.3: any doubt about where the body ends is
 * an error, never a guess.
 */

import { copyBytes, latin1Decode, latin1DecodeInterned } from "../bytes/index.ts";
import { charClass, TCHAR } from "./chars.ts";
import type { HttpRequest } from "./message.ts";

export interface ParserLimits {
  /** Longest request line in bytes, CRLF included; longer -> 414. Default 8 KiB. */
  maxRequestLineBytes: number;
  /** Largest header section (and trailer section) in bytes; larger -> 431. Default 32 KiB. */
  maxHeaderBytes: number;
  /** Most header fields (and trailer fields); more -> 431. Default 100. */
  maxHeaderCount: number;
  /** Largest body after chunked decoding; larger -> 413. Default 1 MiB. */
  maxBodyBytes: number;
}

export const DEFAULT_PARSER_LIMITS: Readonly<ParserLimits> = {
  maxRequestLineBytes: 8 * 1024,
  maxHeaderBytes: 32 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 1024 * 1024,
};

/** What the parser learnt beyond the request itself. */
export interface ParsedRequest {
  kind: "ok";
  request: HttpRequest;
  /** Bytes of `buf` this request used; the next request starts there. */
  consumed: number;
  /** Whether the client wants the connection kept open (RFC 9112 §9.3). */
  keepAlive: boolean;
}

export interface ParseError {
  kind: "error";
  /** The status to answer with: 400, 413, 414, 431, 501 or 505. */
  status: number;
  /** A short, fixed explanation (never echoes input). */
  reason: string;
}

export type ParseResult = ParsedRequest | { kind: "need-more" } | ParseError;

const NEED_MORE: { kind: "need-more" } = { kind: "need-more" };

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;

/** Longest chunk-size line (size, extensions, CRLF) we accept; RFC 9112 §7.1.1 sets none. */
const MAX_CHUNK_LINE_BYTES = 4096;

/** field-vchar / SP / HTAB (RFC 9110 §5.5): VCHAR, obs-text, SP, HTAB; no CTLs, no DEL. */
const FIELD_CHAR = charClass((c) => c === HTAB || (c >= 0x20 && c !== 0x7f));

/** Visible ASCII, what a request-target may contain (RFC 9112 §3.2, RFC 3986). */
const TARGET_CHAR = charClass((c) => c > 0x20 && c < 0x7f);

type Phase =
  | "request-line"
  | "headers"
  | "body-length"
  | "chunk-size"
  | "chunk-data"
  | "chunk-end"
  | "trailers";

/** An error to unwind with; turned into a ParseError at the single exit in `parse`. */
class Reject {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

/** The body of every request without one: shared, since it has no bytes to change. */
const EMPTY_BODY = new Uint8Array(0);

function reject(status: number, reason: string): never {
  throw new Reject(status, reason);
}

export class RequestParser {
  private readonly limits: ParserLimits;
  private phase: Phase = "request-line";
  /** Where the next unparsed line (or body part) starts. */
  private pos = 0;
  /** How far the search for LF has gone without finding one. */
  private scanned = 0;
  private method = "";
  private target = "";
  private version: "1.0" | "1.1" = "1.1";
  private headers: [string, string][] = [];
  private trailers: [string, string][] = [];
  private sectionStart = 0;
  /** Body bytes still to come: the Content-Length, or the current chunk's size. */
  private remaining = 0;
  private bodyParts: Uint8Array[] = [];
  private bodyLength = 0;
  private keepAlive = true;
  private expectContinue = false;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.limits = { ...DEFAULT_PARSER_LIMITS, ...limits };
  }

  /** True once the header section is complete and only the body is missing. */
  get inBody(): boolean {
    return this.phase !== "request-line" && this.phase !== "headers";
  }

  /**
   * True while the body is missing and the client sent "Expect: 100-continue": it may be
   * waiting for a 100 (Continue) before sending the body (RFC 9110 §10.1.1).
   */
  get waitsForContinue(): boolean {
    return this.expectContinue && this.inBody;
  }

  /** Forgets any partial request. */
  reset(): void {
    this.phase = "request-line";
    this.pos = 0;
    this.scanned = 0;
    this.headers = [];
    this.trailers = [];
    this.bodyParts = [];
    this.bodyLength = 0;
    this.expectContinue = false;
  }

  /**
   * Parses the request at the start of `buf`. `buf` must begin with the bytes given on the
   * previous call (if that answered need-more).
   */
  parse(buf: Uint8Array): ParseResult {
    try {
      const result = this.run(buf);
      if (result.kind !== "need-more") this.reset();
      return result;
    } catch (e) {
      this.reset();
      if (e instanceof Reject) return { kind: "error", status: e.status, reason: e.reason };
      throw e;
    }
  }

  private run(buf: Uint8Array): ParseResult {
    for (;;) {
      switch (this.phase) {
        case "request-line": {
          // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the
          // request-line.
          for (;;) {
            const c = buf[this.pos];
            if (c === LF) this.pos += 1;
            else if (c === CR) {
              if (this.pos + 1 >= buf.length) return NEED_MORE;
              if (buf[this.pos + 1] !== LF) reject(400, "bare CR");
              this.pos += 2;
            } else break;
            if (this.pos > this.limits.maxRequestLineBytes) reject(400, "too many empty lines");
          }
          if (this.pos >= buf.length) return NEED_MORE;
          const lf = this.findLine(buf, this.limits.maxRequestLineBytes, 414, "request line");
          if (lf < 0) return NEED_MORE;
          this.requestLine(buf, this.pos, lineEnd(buf, this.pos, lf));
          this.pos = lf + 1;
          this.sectionStart = this.pos;
          this.phase = "headers";
          break;
        }
        case "headers": {
          const lf = this.findLine(buf, this.limits.maxHeaderBytes, 431, "header section");
          if (lf < 0) return NEED_MORE;
          const end = lineEnd(buf, this.pos, lf);
          if (end === this.pos) {
            this.pos = lf + 1;
            this.startBody();
            break;
          }
          this.fieldLine(buf, this.pos, end, this.headers);
          this.pos = lf + 1;
          break;
        }
        case "body-length": {
          if (buf.length - this.pos < this.remaining) return NEED_MORE;
          const body =
            this.remaining === 0 ? EMPTY_BODY : copyBytes(buf, this.pos, this.pos + this.remaining);
          this.pos += this.remaining;
          return this.finish(body);
        }
        case "chunk-size": {
          const lf = this.findLine(buf, MAX_CHUNK_LINE_BYTES, 400, "chunk-size line");
          if (lf < 0) return NEED_MORE;
          const size = this.chunkSize(buf, this.pos, lineEnd(buf, this.pos, lf));
          this.pos = lf + 1;
          if (size === 0) {
            this.sectionStart = this.pos;
            this.phase = "trailers";
          } else {
            this.remaining = size;
            this.phase = "chunk-data";
          }
          break;
        }
        case "chunk-data": {
          if (buf.length - this.pos < this.remaining) return NEED_MORE;
          this.bodyParts.push(buf.subarray(this.pos, this.pos + this.remaining));
          this.pos += this.remaining;
          this.phase = "chunk-end";
          break;
        }
        case "chunk-end": {
          // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 9112 §7.1); a bare LF
          // is accepted as a line terminator (§2.2).
          if (this.pos >= buf.length) return NEED_MORE;
          if (buf[this.pos] === CR) {
            if (this.pos + 1 >= buf.length) return NEED_MORE;
            if (buf[this.pos + 1] !== LF) reject(400, "chunk data not followed by CRLF");
            this.pos += 2;
          } else if (buf[this.pos] === LF) {
            this.pos += 1;
          } else reject(400, "chunk data longer than its size");
          this.scanned = this.pos;
          this.phase = "chunk-size";
          break;
        }
        case "trailers": {
          const lf = this.findLine(buf, this.limits.maxHeaderBytes, 431, "trailer section");
          if (lf < 0) return NEED_MORE;
          const end = lineEnd(buf, this.pos, lf);
          if (end === this.pos) {
            this.pos = lf + 1;
            return this.finish(concatParts(this.bodyParts, this.bodyLength));
          }
          this.fieldLine(buf, this.pos, end, this.trailers);
          this.pos = lf + 1;
          break;
        }
      }
    }
  }

  /**
   * Finds the LF ending the line at `pos`. A missing LF beyond `max` bytes (counted from the
   * start of the line, or of the header/trailer section) fails with `status`.
   */
  private findLine(buf: Uint8Array, max: number, status: number, what: string): number {
    const inSection = this.phase === "headers" || this.phase === "trailers";
    const base = inSection ? this.sectionStart : this.pos;
    const lf = buf.indexOf(LF, Math.max(this.pos, this.scanned));
    if (lf < 0) {
      this.scanned = buf.length;
      if (buf.length - base > max) reject(status, `${what} too long`);
      return -1;
    }
    if (lf + 1 - base > max) reject(status, `${what} too long`);
    return lf;
  }

  /** request-line = method SP request-target SP HTTP-version (RFC 9112 §3). */
  private requestLine(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end && TCHAR[buf[i] as number] === 1) i++;
    if (i === start || i >= end || buf[i] !== SP) reject(400, "invalid method");
    const methodEnd = i++;
    const targetStart = i;
    while (i < end && TARGET_CHAR[buf[i] as number] === 1) i++;
    if (i === targetStart || i >= end || buf[i] !== SP) reject(400, "invalid request-target");
    const targetEnd = i++;
    this.version = parseVersion(buf, i, end);
    this.method = latin1DecodeInterned(buf, start, methodEnd);
    this.target = latin1Decode(buf, targetStart, targetEnd);
  }

  /** field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). */
  private fieldLine(buf: Uint8Array, start: number, end: number, into: [string, string][]): void {
    const first = buf[start];
    // RFC 9112 §5.2: obs-fold is rejected in requests; §2.2: so is whitespace between the
    // start-line and the first field.
    if (first === SP || first === HTAB) reject(400, "obsolete line folding");
    let i = start;
    while (i < end && TCHAR[buf[i] as number] === 1) i++;
    if (i >= end) reject(400, "field line without colon");
    const stop = buf[i];
    if (stop !== COLON) {
      // RFC 9112 §5.1: no whitespace is allowed between the field name and colon.
      reject(400, stop === SP || stop === HTAB ? "whitespace before colon" : "invalid field name");
    }
    if (i === start) reject(400, "empty field name");
    const nameEnd = i++;
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    let valueEnd = end;
    while (valueEnd > i && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
    for (let k = i; k < valueEnd; k++) {
      if (FIELD_CHAR[buf[k] as number] !== 1) {
        // RFC 9112 §2.2: a bare CR is invalid; RFC 9110 §5.5: so are NUL and other CTLs.
        reject(400, buf[k] === CR ? "bare CR" : "invalid character in field value");
      }
    }
    if (into.length >= this.limits.maxHeaderCount) reject(431, "too many fields");
    into.push([latin1DecodeInterned(buf, start, nameEnd), latin1DecodeInterned(buf, i, valueEnd)]);
  }

  /** Decides how the body is framed (RFC 9112 §6.3) once the header section is complete. */
  private startBody(): void {
    let hosts = 0;
    let contentLength = -1;
    let codings: string[] | null = null;
    let close = false;
    let keepAlive = false;
    let expectContinue = false;
    for (const [name, value] of this.headers) {
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === "host") {
            hosts++;
            // RFC 9112 §3.2: 400 for a Host field with an invalid value.
            if (!isHostValue(value)) reject(400, "invalid Host");
          }
          break;
        case 6:
          // RFC 9110 §10.1.1: the client waits for 100 (Continue) before sending the body.
          if (name.toLowerCase() === "expect" && value.toLowerCase() === "100-continue") {
            expectContinue = true;
          }
          break;
        case 10:
          if (name.toLowerCase() === "connection") {
            for (const option of listElements(value)) {
              if (option === "close") close = true;
              else if (option === "keep-alive") keepAlive = true;
            }
          }
          break;
        case 14:
          if (name.toLowerCase() === "content-length") {
            const n = parseContentLength(value);
            // RFC 9110 §8.6 / RFC 9112 §6.3 item 5: differing values are unrecoverable.
            if (contentLength >= 0 && n !== contentLength)
              reject(400, "conflicting Content-Length");
            contentLength = n;
          }
          break;
        case 17:
          if (name.toLowerCase() === "transfer-encoding") {
            codings ??= [];
            for (const coding of listElements(value)) codings.push(coding);
          }
          break;
      }
    }
    // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, or any request with several.
    if (hosts > 1) reject(400, "more than one Host");
    if (hosts === 0 && this.version === "1.1") reject(400, "missing Host");
    // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
    this.keepAlive = !close && (this.version === "1.1" || keepAlive);
    this.expectContinue = expectContinue && this.version === "1.1";

    this.phase = "body-length";
    this.remaining = 0;
    if (codings !== null) {
      // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
      if (this.version === "1.0") reject(400, "Transfer-Encoding in HTTP/1.0");
      // RFC 9112 §6.1: a server MAY reject Content-Length with Transfer-Encoding; we do, as
      // the pair is the classic request-smuggling vector.
      if (contentLength >= 0) reject(400, "both Transfer-Encoding and Content-Length");
      // RFC 9112 §6.3 item 4: chunked must be the final coding, else 400.
      if (codings[codings.length - 1] !== "chunked") reject(400, "final coding is not chunked");
      // RFC 9112 §7: chunked is applied at most once.
      if (codings.indexOf("chunked") !== codings.length - 1) reject(400, "chunked applied twice");
      // RFC 9112 §6.1: a coding we do not decode -> 501.
      if (codings.length > 1) reject(501, "unsupported transfer coding");
      this.phase = "chunk-size";
      this.scanned = this.pos;
      return;
    }
    if (contentLength > this.limits.maxBodyBytes) reject(413, "body too large");
    if (contentLength > 0) this.remaining = contentLength;
  }

  /** chunk-size [ chunk-ext ] (RFC 9112 §7.1, §7.1.1); returns the size. */
  private chunkSize(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let size = 0;
    let digits = 0;
    for (; i < end; i++) {
      const h = hexValue(buf[i] as number);
      if (h < 0) break;
      if (digits > 0 || h > 0) digits++;
      size = size * 16 + h;
    }
    if (i === start) reject(400, "invalid chunk size");
    // RFC 9112 §7.1: recipients MUST anticipate large hex numbers and prevent overflow.
    if (digits > 16) reject(400, "chunk size overflow");
    while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
    if (i < end) {
      if (buf[i] !== 0x3b) reject(400, "invalid chunk size");
      for (let k = i; k < end; k++) {
        if (FIELD_CHAR[buf[k] as number] !== 1) reject(400, "invalid chunk extension");
      }
    }
    if (size > this.limits.maxBodyBytes - this.bodyLength) reject(413, "body too large");
    this.bodyLength += size;
    return size;
  }

  private finish(body: Uint8Array): ParsedRequest {
    const { path, query } = splitTarget(this.method, this.target);
    const request: HttpRequest = {
      method: this.method,
      target: this.target,
      path,
      query,
      version: this.version,
      headers: this.headers,
      body,
    };
    if (this.trailers.length > 0) request.trailers = this.trailers;
    return { kind: "ok", request, consumed: this.pos, keepAlive: this.keepAlive };
  }
}

/** Parses one request from the start of `bytes` with a fresh parser. */
export function parseRequest(bytes: Uint8Array, limits?: Partial<ParserLimits>): ParseResult {
  return new RequestParser(limits).parse(bytes);
}

/** The end of the line's content: the LF, or the CR just before it. */
function lineEnd(buf: Uint8Array, start: number, lf: number): number {
  return lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
}

/** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). */
function parseVersion(buf: Uint8Array, i: number, end: number): "1.0" | "1.1" {
  if (
    end - i < 6 ||
    buf[i] !== 0x48 ||
    buf[i + 1] !== 0x54 ||
    buf[i + 2] !== 0x54 ||
    buf[i + 3] !== 0x50 ||
    buf[i + 4] !== 0x2f
  ) {
    reject(400, "invalid HTTP-version");
  }
  const major = (buf[i + 5] as number) - 0x30;
  if (major < 0 || major > 9) reject(400, "invalid HTTP-version");
  if (end - i === 6) {
    // "HTTP/2", "HTTP/3": the form later versions use; not ours.
    if (major !== 1) reject(505, "HTTP version not supported");
    reject(400, "invalid HTTP-version");
  }
  const minor = (buf[i + 7] as number) - 0x30;
  if (end - i !== 8 || buf[i + 6] !== 0x2e || minor < 0 || minor > 9) {
    reject(400, "invalid HTTP-version");
  }
  if (major !== 1) reject(505, "HTTP version not supported");
  // RFC 9110 §2.5: a higher minor version is handled as the highest one we implement.
  return minor === 0 ? "1.0" : "1.1";
}

/** Content-Length = 1*DIGIT (RFC 9110 §8.6); a sign, hex, spaces or a list are invalid. */
function parseContentLength(value: string): number {
  if (value.length === 0) reject(400, "invalid Content-Length");
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) reject(400, "invalid Content-Length");
  }
  // Beyond 15 digits the number is not exact, and far beyond any body limit.
  return value.length > 15 ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** Elements of a comma-separated list (RFC 9110 §5.6.1), trimmed, lowercased, parameters cut. */
function listElements(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(",")) {
    const semi = part.indexOf(";");
    const element = (semi < 0 ? part : part.slice(0, semi)).trim().toLowerCase();
    if (element.length > 0) out.push(element);
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function concatParts(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Splits the request-target (RFC 9112 §3.2) into path and query, both still percent-encoded.
 * origin-form "/p?q"; absolute-form "http://host/p?q"; asterisk-form "*" (OPTIONS);
 * authority-form "host:port" (CONNECT) has neither.
 */
function splitTarget(method: string, target: string): { path: string; query: string } {
  let rest = target;
  if (target.charCodeAt(0) !== 0x2f) {
    if (target === "*" && method === "OPTIONS") return { path: "*", query: "" };
    if (method === "CONNECT") return { path: "", query: "" };
    const scheme = target.indexOf("://");
    if (scheme <= 0) reject(400, "invalid request-target");
    const slash = target.indexOf("/", scheme + 3);
    const question = target.indexOf("?", scheme + 3);
    const from = slash < 0 ? question : question < 0 ? slash : Math.min(slash, question);
    rest = from < 0 ? "/" : target.slice(from);
    if (rest.charCodeAt(0) === 0x3f) rest = `/${rest}`;
  }
  const q = rest.indexOf("?");
  if (q < 0) return { path: rest, query: "" };
  return { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/**
 * Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2): an IP-literal in brackets, or
 * a reg-name / IPv4 address of unreserved, pct-encoded and sub-delims characters; may be empty
 * when the target has no authority.
 */
const HOST_VALUE =
  /^(?:\[[0-9A-Za-z:._~!$&'()*+,;=-]+\]|[0-9A-Za-z._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

function isHostValue(value: string): boolean {
  return HOST_VALUE.test(value);
}
