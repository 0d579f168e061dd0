/**
 * Serving files from a key-value store over HTTP, as a website does: GET and HEAD, a media
 * type by extension, a strong ETag from the store's digest with If-None-Match (RFC 9110
 * §13.1.2) answered 304, 404, 405 with Allow, and a folder named without its slash sent to the
 * slash form. One handler for every sample and app that serves a folder.
 */
import type { KvRo } from "../devices/kv.ts";
import { contentTypeOf } from "./content-type.ts";
import { type HttpHandler, type HttpRequest, type HttpResponse, header } from "./message.ts";

const ALLOW = "GET, HEAD";

/** `/a/b/` -> `a/b/index.html`; null for paths that cannot name a file (bad escapes, NUL). */
export function keyOfPath(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const key = decoded.replace(/^\/+/, "");
  return key === "" || key.endsWith("/") ? `${key}index.html` : key;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
function matchesAny(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || opaque(t) === opaque(etag));
}

export function textResponse(
  status: number,
  body: string,
  extra: [string, string][] = [],
): HttpResponse {
  return { status, headers: [["Content-Type", "text/plain; charset=utf-8"], ...extra], body };
}

/** A handler serving the files of `store`. */
export function serveStore(store: KvRo): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return textResponse(405, "method not allowed\n", [["Allow", ALLOW]]);
    }
    const key = keyOfPath(req.path);
    if (key === null) return textResponse(400, "bad path\n");
    const digest = await store.digest(key);
    if (digest === null) {
      // A folder named without its trailing slash: send the browser to the slash form.
      if ((await store.exists(key)) === "dictionary") {
        return textResponse(301, "moved\n", [
          ["Location", `${req.path}/${req.query ? `?${req.query}` : ""}`],
        ]);
      }
      return textResponse(404, "not found\n");
    }
    const etag = `"${digest.slice(0, 32)}"`;
    const inm = header(req, "if-none-match");
    if (inm !== undefined && matchesAny(inm, etag)) {
      return { status: 304, headers: [["ETag", etag]] };
    }
    const body = await store.get(key);
    if (body === null) return textResponse(404, "not found\n"); // removed between the two reads
    return {
      status: 200,
      headers: [
        ["Content-Type", contentTypeOf(key)],
        ["ETag", etag],
      ],
      body,
    };
  };
}
