import type { Devices } from "morgana:devices";
import { type HttpRequest, type HttpResponse, header } from "@morgana/stack/http";
import { contentTypeOf } from "./content_type.ts";

const ALLOW = "GET, HEAD";

/** `/a/b/` -> `a/b/index.html`; null for paths that cannot name a file (bad escapes, NUL). */
function keyOf(path: string): string | null {
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

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any
 * current representation.
 */
function matchesAny(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || opaque(t) === opaque(etag));
}

function text(status: number, body: string, extra: [string, string][] = []): HttpResponse {
  return { status, headers: [["Content-Type", "text/plain; charset=utf-8"], ...extra], body };
}

export async function start({ console, htdocs, http }: Devices): Promise<void> {
  async function handle(req: HttpRequest): Promise<HttpResponse> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return text(405, "method not allowed\n", [["Allow", ALLOW]]);
    }
    const key = keyOf(req.path);
    if (key === null) return text(400, "bad path\n");
    const digest = await htdocs.digest(key);
    if (digest === null) {
      // A folder named without its trailing slash: send the browser to the slash form.
      if ((await htdocs.exists(key)) === "dictionary") {
        return text(301, "moved\n", [
          ["Location", `${req.path}/${req.query ? `?${req.query}` : ""}`],
        ]);
      }
      return text(404, "not found\n");
    }
    const etag = `"${digest.slice(0, 32)}"`;
    const inm = header(req, "if-none-match");
    if (inm !== undefined && matchesAny(inm, etag)) {
      return { status: 304, headers: [["ETag", etag]] };
    }
    const body = await htdocs.get(key);
    if (body === null) return text(404, "not found\n"); // removed between the two reads
    return {
      status: 200,
      headers: [
        ["Content-Type", contentTypeOf(key)],
        ["ETag", etag],
      ],
      body,
    };
  }

  await console.log(`static-website: serving htdocs on port ${http.port}`);
  await http.serve(handle);
}
