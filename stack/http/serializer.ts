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
 */
export function serializeHead(
  status: number,
  headers: readonly [string, string][],
  options: HeadOptions = {},
): { head: Uint8Array; close: boolean } {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`invalid status ${status}`);
  }
  let close = options.close === true;
  // The head is gathered as pieces and written once into pooled bytes: no concatenated
  // string to build and flatten for every response. Plain pushes, no helper closure: one
  // made per response cost more than the pushes (under esbuild's keepNames, a defineProperty).
  const parts: string[] = [statusLine(status)];
  let hasDate = false;
  let keepOwnLength = false;
  for (const [name, value] of headers) {
    if (!isToken(name)) throw new TypeError(`invalid field name ${JSON.stringify(name)}`);
    if (!isFieldValue(value)) throw new TypeError(`invalid value for field ${name}`);
    const lower = name.length === 4 || name.length >= 10 ? name.toLowerCase() : "";
    if (lower === "connection") {
      if (hasToken(value, "close")) close = true;
      continue;
    }
    if (lower === "transfer-encoding") continue;
    if (lower === "content-length") {
      // RFC 9110 §8.6: a HEAD or 304 response may carry the length the GET would have.
      const own = options.contentLength === undefined && !options.chunked;
      const allowed = status === 304 || (options.headRequest === true && statusHasBody(status));
      if (!own || !allowed || !/^[0-9]+$/.test(value)) continue;
      keepOwnLength = true;
    }
    if (lower === "date") hasDate = true;
    parts.push(name, ": ", value, "\r\n");
  }
  if (!hasDate && options.dateMs !== undefined) parts.push(dateLine(options.dateMs));
  if (options.chunked) parts.push("Transfer-Encoding: chunked\r\n");
  else if (options.contentLength !== undefined && !keepOwnLength) {
    parts.push("Content-Length: ", String(options.contentLength), "\r\n");
  }
  if (close) parts.push("Connection: close\r\n");
  else if (options.keepAlive) parts.push("Connection: keep-alive\r\n");
  parts.push("\r\n");
  let length = 0;
  for (const piece of parts) length += piece.length;
  const head = allocPooled(length);
  let at = 0;
  for (const piece of parts) at = writeLatin1(head, at, piece);
  return { head, close };
}

const STATUS_LINES = new Map<number, string>();

/** "HTTP/1.1 200 OK\r\n", made once per status. */
function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
    if (STATUS_LINES.size < 1000) STATUS_LINES.set(status, line);
  }
  return line;
}

/** "Date: ...\r\n", made once per second (httpDate caches the date itself). */
function dateLine(ms: number): string {
  const date = httpDate(ms);
  if (date !== cachedDateLineFor) {
    cachedDateLineFor = date;
    cachedDateLine = `Date: ${date}\r\n`;
  }
  return cachedDateLine;
}
let cachedDateLineFor = "";
let cachedDateLine = "";

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
