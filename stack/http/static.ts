/**
 * Serving files from a key-value store over HTTP, as a website does: GET and HEAD, a media
 * type by extension, a strong ETag from the store's digest with If-None-Match (RFC 9110
 * §13.1.2) answered 304, 404, 405 with Allow, and a folder named without its slash sent to the
 * slash form. One handler for every sample and app that serves a folder.
 */
import type { KvRo } from "../devices/kv.ts";
import { contentTypeOf } from "./content-type.ts";
import { type HttpHandler, type HttpRequest, type HttpResponse, header } from "./message.ts";
import { freezeHeaders } from "./serializer.ts";

const ALLOW = "GET, HEAD";

/** `/a/b/` -> `a/b/index.html`; null for paths that cannot name a file (bad escapes, NUL). */
export function keyOfPath(path: string): string | null {
  let decoded = path;
  // Without a "%" there is nothing to decode (and nothing decodeURIComponent could reject).
  if (path.includes("%")) {
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
  }
  if (decoded.includes("\0")) return null;
  let from = 0;
  while (decoded.charCodeAt(from) === 0x2f) from++; // "/"
  const key = from === 0 ? decoded : decoded.slice(from);
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
  extra: readonly [string, string][] = [],
): HttpResponse {
  return { status, headers: [["Content-Type", "text/plain; charset=utf-8"], ...extra], body };
}

export interface ServeStoreOptions {
  /**
   * Fields added to every response, after the handler's own: a site's security fields
   * (HSTS, Content-Security-Policy, ...). Sent unchanged, so encoded once per file.
   */
  headers?: readonly [string, string][];
}

/** A file's fields for one digest of it, frozen so the serializer encodes them once. */
interface FileFields {
  digest: string;
  etag: string;
  ok: [string, string][];
  notModified: [string, string][];
}

/** At most this many files' fields are kept; the oldest go first. */
const MAX_CACHED_FILES = 1024;

/**
 * A handler serving the files of `store`. The store is asked for each request (its digest,
 * then its bytes), so a changed file is served fresh; what follows from a digest (the ETag
 * and the encoded fields of 200 and 304) is worked out once per file and digest. Responses
 * carrying a file share one frozen header list: copy it to add fields, or pass `headers`.
 */
export function serveStore(store: KvRo, options: ServeStoreOptions = {}): HttpHandler {
  const extra = options.headers ?? [];
  const files = new Map<string, FileFields>();

  function fieldsOf(key: string, digest: string): FileFields {
    const known = files.get(key);
    if (known !== undefined && known.digest === digest) return known;
    const etag = `"${digest.slice(0, 32)}"`;
    const fields: FileFields = {
      digest,
      etag,
      ok: freezeHeaders([["Content-Type", contentTypeOf(key)], ["ETag", etag], ...extra]),
      notModified: freezeHeaders([["ETag", etag], ...extra]),
    };
    if (known === undefined && files.size >= MAX_CACHED_FILES) {
      files.delete(files.keys().next().value as string);
    }
    files.set(key, fields);
    return fields;
  }

  return async (req: HttpRequest): Promise<HttpResponse> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return textResponse(405, "method not allowed\n", [["Allow", ALLOW], ...extra]);
    }
    const key = keyOfPath(req.path);
    if (key === null) return textResponse(400, "bad path\n", extra);
    const digest = await store.digest(key);
    if (digest === null) {
      // A folder named without its trailing slash: send the browser to the slash form.
      if ((await store.exists(key)) === "dictionary") {
        return textResponse(301, "moved\n", [
          ["Location", `${req.path}/${req.query ? `?${req.query}` : ""}`],
          ...extra,
        ]);
      }
      return textResponse(404, "not found\n", extra);
    }
    const fields = fieldsOf(key, digest);
    const inm = header(req, "if-none-match");
    if (inm !== undefined && matchesAny(inm, fields.etag)) {
      return { status: 304, headers: fields.notModified };
    }
    const body = await store.get(key);
    // Removed between the two reads.
    if (body === null) return textResponse(404, "not found\n", extra);
    return { status: 200, headers: fields.ok, body };
  };
}
