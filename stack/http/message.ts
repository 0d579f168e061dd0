/**
 * HTTP messages as the handler sees them (RFC 9110 §6): the request, the response, the
 * handler type, and field lookup. The parser builds these, the serializer writes them, the
 * connection core and the driver pass them along; this module imports none of those.
 */

export interface HttpRequest {
  method: string;
  /** The request-target as sent (RFC 9112 §3.2). */
  target: string;
  /** The target's path, still percent-encoded ("*" for OPTIONS *, "" for CONNECT). */
  path: string;
  /** The target's query without "?", still percent-encoded; "" if none. */
  query: string;
  version: "1.0" | "1.1";
  /** Header fields in arrival order; names keep their case (use `header()` to look up). */
  headers: [name: string, value: string][];
  /** The body, chunked coding removed. */
  body: Uint8Array;
  /** Trailer fields of a chunked body, if any were sent. */
  trailers?: [name: string, value: string][];
}

export interface HttpResponse {
  status: number;
  headers?: [name: string, value: string][];
  /** A string is sent as UTF-8. Content-Length is set from it. */
  body?: Uint8Array | string;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** The value of field `name` (case-insensitive); several fields are joined with ", ". */
export function header(req: HttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let found: string | undefined;
  for (const [n, v] of req.headers) {
    if (n.length === wanted.length && n.toLowerCase() === wanted) {
      found = found === undefined ? v : `${found}, ${v}`;
    }
  }
  return found;
}
