/**
 * Response serialization (RFC 9112 §4, §6; RFC 9110 §15 for statuses): the head as one byte
 * array and the body as another, so the driver can hand both to one `writev`.
 */

import {
  allocPooled,
  latin1Encode,
  latin1EncodePooled,
  utf8Encode,
  writeLatin1,
} from "../bytes/index.ts";
import { isToken } from "./chars.ts";
import type { HttpResponse } from "./message.ts";

export interface SerializeOptions {
  /** The request was HEAD: Content-Length is kept, no body is sent (RFC 9110 §9.3.2). */
  headRequest?: boolean;
  /** Wall-clock milliseconds for the Date field (RFC 9110 §6.6.1); no Date if absent. */
  dateMs?: number;
  /** Announce and do a close after this response (RFC 9112 §9.6). */
  close?: boolean;
  /** Announce persistence to an HTTP/1.0 client, "Connection: keep-alive" (RFC 9112 §9.3). */
  keepAlive?: boolean;
}

export interface SerializedResponse {
  /** Status line and header section, ending in the empty line. */
  head: Uint8Array;
  /** Body bytes to send after the head; null when there are none. */
  body: Uint8Array | null;
  /** Whether the connection must close after this response (asked by options or handler). */
  close: boolean;
}

/** Reason phrases of RFC 9110 §15 (and 429/431 from RFC 6585). */
const REASONS: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

/** The reason phrase for `status`; "" for statuses without one (RFC 9112 §4 allows it). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "";
}

/** RFC 9110 §6.4.1: 1xx, 204 and 304 responses never have content. */
export function statusHasBody(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

let cachedDateSecond = Number.NaN;
let cachedDate = "";

/** IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedDateSecond) return cachedDate;
  const d = new Date(second * 1000);
  const text = `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} GMT`;
  cachedDateSecond = second;
  cachedDate = text;
  return text;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** field-value (RFC 9110 §5.5): no CR, LF, NUL or other CTLs, so no response splitting. */
function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

function hasToken(value: string, token: string): boolean {
  for (const part of value.split(",")) if (part.trim().toLowerCase() === token) return true;
  return false;
}

export interface HeadOptions extends SerializeOptions {
  /** Send "Transfer-Encoding: chunked" (RFC 9112 §7.1) and no Content-Length. */
  chunked?: boolean;
  /** The Content-Length to send, if any (ignored when chunked). */
  contentLength?: number;
}

/**
 * Serializes a status line and header section. Content-Length, Transfer-Encoding and
 * Connection come from `options`; the handler's own Content-Length is kept only for a HEAD
 * or 304 response without body. Throws TypeError/RangeError on an invalid status, field
 * name or field value (CR/LF in a value would allow response splitting).
 *
 * A frozen list of frozen pairs (`freezeHeaders`) is checked and encoded on its first
 * response and copied as bytes after that: a handler answering with the same fields again
 * and again (a file's Content-Type and ETag, a site's security fields) pays for them once.
 */
export function serializeHead(
  status: number,
  headers: readonly (readonly [string, string])[],
  options: HeadOptions = {},
): { head: Uint8Array; close: boolean } {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`invalid status ${status}`);
  }
  let close = options.close === true;
  let hasDate = false;
  let keepOwnLength = false;
  // The head is gathered as pieces and written once into pooled bytes: no concatenated
  // string to build and flatten for every response. Plain pushes, no helper closure: one
  // made per response cost more than the pushes (under esbuild's keepNames, a defineProperty).
  const block = encodedBlock(headers);
  const fields: string[] = [];
  if (block === null) {
    for (const [name, value] of headers) {
      if (!isToken(name)) throw new TypeError(`invalid field name ${JSON.stringify(name)}`);
      if (!isFieldValue(value)) throw new TypeError(`invalid value for field ${name}`);
      const managed = managedField(name);
      if (managed === "connection") {
        if (hasToken(value, "close")) close = true;
        continue;
      }
      if (managed === "transfer-encoding") continue;
      if (managed === "content-length") {
        // RFC 9110 §8.6: a HEAD or 304 response may carry the length the GET would have.
        const own = options.contentLength === undefined && !options.chunked;
        const allowed = status === 304 || (options.headRequest === true && statusHasBody(status));
        if (!own || !allowed || !/^[0-9]+$/.test(value)) continue;
        keepOwnLength = true;
      }
      if (managed === "date") hasDate = true;
      fields.push(name, ": ", value, "\r\n");
    }
  }
  const line = statusLine(status);
  const date = !hasDate && options.dateMs !== undefined ? dateLine(options.dateMs) : null;
  const tail: string[] = [];
  if (options.chunked) tail.push("Transfer-Encoding: chunked\r\n");
  else if (options.contentLength !== undefined && !keepOwnLength) {
    tail.push("Content-Length: ", String(options.contentLength), "\r\n");
  }
  if (close) tail.push("Connection: close\r\n");
  else if (options.keepAlive) tail.push("Connection: keep-alive\r\n");
  tail.push("\r\n");
  let length = line.length + (block?.length ?? 0) + (date?.length ?? 0);
  for (const piece of fields) length += piece.length;
  for (const piece of tail) length += piece.length;
  const head = allocPooled(length);
  head.set(line, 0);
  let at = line.length;
  if (block !== null) {
    head.set(block, at);
    at += block.length;
  }
  for (const piece of fields) at = writeLatin1(head, at, piece);
  if (date !== null) {
    head.set(date, at);
    at += date.length;
  }
  for (const piece of tail) at = writeLatin1(head, at, piece);
  return { head, close };
}

/**
 * The lower-case name of a field the serializer writes itself (Connection,
 * Transfer-Encoding, Content-Length, Date), else "". Only names of those lengths are
 * lower-cased: no new string for every other field of every response.
 */
function managedField(name: string): string {
  const n = name.length;
  if (n !== 4 && n !== 10 && n !== 14 && n !== 17) return "";
  const lower = name.toLowerCase();
  return lower === "connection" ||
    lower === "transfer-encoding" ||
    lower === "content-length" ||
    lower === "date"
    ? lower
    : "";
}

/**
 * Encoded fields of frozen header lists, checked once; `NOT_PLAIN` for a list naming a
 * managed field (what is written for it depends on the response: the general path, always).
 */
const BLOCKS = new WeakMap<object, Uint8Array>();
const NOT_PLAIN = new Uint8Array(0);

/**
 * The bytes of a frozen list of frozen pairs ("Name: value\r\n" each), made and checked on
 * its first use; null for any other list (it may change, so it is checked every time) and
 * for a list naming a managed field. Throws like `serializeHead` on a bad name or value.
 */
function encodedBlock(headers: readonly (readonly [string, string])[]): Uint8Array | null {
  if (headers.length === 0 || !Object.isFrozen(headers)) return null;
  const known = BLOCKS.get(headers);
  if (known !== undefined) return known === NOT_PLAIN ? null : known;
  let length = 0;
  for (const pair of headers) {
    const [name, value] = pair;
    if (!Object.isFrozen(pair) || managedField(name) !== "") {
      BLOCKS.set(headers, NOT_PLAIN);
      return null;
    }
    if (!isToken(name)) throw new TypeError(`invalid field name ${JSON.stringify(name)}`);
    if (!isFieldValue(value)) throw new TypeError(`invalid value for field ${name}`);
    length += name.length + value.length + 4;
  }
  const block = new Uint8Array(length);
  let at = 0;
  for (const [name, value] of headers) {
    at = writeLatin1(block, at, name);
    at = writeLatin1(block, at, ": ");
    at = writeLatin1(block, at, value);
    at = writeLatin1(block, at, "\r\n");
  }
  BLOCKS.set(headers, block);
  return block;
}

/**
 * `headers` copied and frozen, the list and each pair, so `serializeHead` checks and encodes
 * them once for all the responses that carry this very list: for fields a handler sends
 * unchanged many times. The response's `headers` may be such a list.
 */
export function freezeHeaders(headers: readonly (readonly [string, string])[]): [string, string][] {
  const frozen = Object.freeze(headers.map((pair) => Object.freeze([pair[0], pair[1]])));
  // Typed as the mutable list `HttpResponse.headers` is; writing to it throws.
  return frozen as unknown as [string, string][];
}

const STATUS_LINES = new Map<number, Uint8Array>();

/** "HTTP/1.1 200 OK\r\n" as bytes, made once per status. */
function statusLine(status: number): Uint8Array {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = latin1Encode(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`);
    if (STATUS_LINES.size < 1000) STATUS_LINES.set(status, line);
  }
  return line;
}

/** "Date: ...\r\n" as bytes, made once per second (httpDate caches the date itself). */
function dateLine(ms: number): Uint8Array {
  const date = httpDate(ms);
  if (date !== cachedDateLineFor) {
    cachedDateLineFor = date;
    cachedDateLine = latin1Encode(`Date: ${date}\r\n`);
  }
  return cachedDateLine;
}
let cachedDateLineFor = "";
let cachedDateLine: Uint8Array = new Uint8Array(0);

/**
 * Serializes a whole response. Content-Length is set from the body (RFC 9110 §8.6), except
 * for 1xx and 204 (never) and 304 (only the handler's own); HEAD keeps the length and drops
 * the body.
 */
export function serializeResponse(
  res: HttpResponse,
  options: SerializeOptions = {},
): SerializedResponse {
  const raw = res.body;
  let body: Uint8Array | null =
    raw === undefined ? null : typeof raw === "string" ? utf8Encode(raw) : raw;
  let contentLength: number | undefined;
  if (!statusHasBody(res.status)) {
    body = null;
  } else if (body !== null || !options.headRequest) {
    contentLength = body === null ? 0 : body.length;
  }
  const { head, close } = serializeHead(res.status, res.headers ?? [], {
    headRequest: options.headRequest,
    dateMs: options.dateMs,
    close: options.close,
    keepAlive: options.keepAlive,
    contentLength,
  });
  if (options.headRequest || body?.length === 0) body = null;
  return { head, body, close };
}

const CRLF = latin1Encode("\r\n");

/** One chunk of a chunked body (RFC 9112 §7.1): size line, data, CRLF; empty data -> []. */
export function encodeChunk(data: Uint8Array): Uint8Array[] {
  if (data.length === 0) return []; // a zero size would end the body
  return [latin1EncodePooled(`${data.length.toString(16)}\r\n`), data, CRLF];
}

/** The last chunk and trailer section that end a chunked body (RFC 9112 §7.1.2). */
export function encodeLastChunk(trailers: readonly [string, string][] = []): Uint8Array {
  let text = "0\r\n";
  for (const [name, value] of trailers) {
    if (!isToken(name)) throw new TypeError(`invalid field name ${JSON.stringify(name)}`);
    if (!isFieldValue(value)) throw new TypeError(`invalid value for field ${name}`);
    text += `${name}: ${value}\r\n`;
  }
  return latin1Encode(`${text}\r\n`);
}
