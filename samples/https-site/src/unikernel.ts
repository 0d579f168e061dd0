import type { Devices } from "morgana:devices";
import { type HttpRequest, header, serveStore } from "@morgana/stack/http";

/**
 * Where clients reach the HTTPS port, by the port they reached plain HTTP on: the host ports
 * `targets.unix.ports` forwards (8080 -> 80, 8443 -> 443). Reached on port 80 itself, as on a
 * board with its own address, HTTPS is on 443. Keep it in step with unikernel.yaml.
 */
const HTTPS_PORT_FOR: Record<string, string> = { "8080": "8443", "80": "443" };

/** Two years, with subdomains: what HSTS preload lists ask for (RFC 6797). */
const HSTS = "max-age=63072000; includeSubDomains";

/** Plain HTTP only sends the browser to HTTPS (RFC 9110 §15.4.2: 301 keeps the method for GET). */
function redirectToHttps(req: HttpRequest) {
  const host = header(req, "host") ?? "localhost";
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  const name = m?.[1] ?? "localhost";
  const port = HTTPS_PORT_FOR[m?.[2] ?? "80"] ?? "443";
  const location = `https://${name}${port === "443" ? "" : `:${port}`}${req.target.startsWith("/") ? req.target : "/"}`;
  return {
    status: 301,
    headers: [
      ["Location", location],
      ["Content-Type", "text/plain; charset=utf-8"],
    ] as [string, string][],
    body: `moved to ${location}\n`,
  };
}

/**
 * Headers every HTTPS response carries: HSTS, so the browser uses HTTPS from now on, and the
 * usual hardening for a static site (no sniffing, no framing, scripts and styles from this
 * origin only, no referrer sent elsewhere). `serveStore` adds them to every response it
 * makes (200, 304, 404, ...) and encodes them once per file, not once per response.
 */
const SECURITY_HEADERS: [string, string][] = [
  ["Strict-Transport-Security", HSTS],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"],
  ["Referrer-Policy", "no-referrer"],
];

export async function start({ console, htdocs, https, http }: Devices): Promise<void> {
  await console.log(`https-site: htdocs over TLS on port ${https.port}, redirects on ${http.port}`);
  await Promise.all([
    https.serve(serveStore(htdocs, { headers: SECURITY_HEADERS })),
    http.serve(redirectToHttps),
  ]);
}
