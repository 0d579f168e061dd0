// The peer for `bench/tls.ts --site`: a Node `https` server with https-site's certificate
// that answers GET / with the site's index.html and GET /bulk with the bulk file, each read
// once at start, with the headers https-site sends (Content-Type, ETag, HSTS and the other
// security headers). Keep-alive is Node's default. Nothing tuned: what a reasonable person
// would write.
//
//   node bench/peers/node-https-static.mjs --htdocs <dir> --cert <pem> --key <pem> --port <n>

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    htdocs: { type: "string" },
    cert: { type: "string" },
    key: { type: "string" },
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
if (!values.htdocs || !values.cert || !values.key || !values.port) {
  process.stderr.write(
    "usage: node-https-static.mjs --htdocs <dir> --cert <pem> --key <pem> --port <n>\n",
  );
  process.exit(2);
}

const SECURITY = {
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
};

function file(name, type) {
  const body = readFileSync(join(values.htdocs, name));
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
  return { body, type, etag };
}
const files = {
  "/": file("index.html", "text/html; charset=utf-8"),
  "/bulk": file("bulk", "application/octet-stream"),
};

const server = createServer(
  { cert: readFileSync(values.cert), key: readFileSync(values.key), minVersion: "TLSv1.3" },
  (req, res) => {
    const f = files[req.url ?? ""];
    if (!f) {
      res.writeHead(404, { "Content-Length": 0 });
      res.end();
      return;
    }
    res.writeHead(200, {
      "Content-Type": f.type,
      ETag: f.etag,
      ...SECURITY,
      "Content-Length": f.body.length,
    });
    res.end(f.body);
  },
);
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), values.host, () => process.stdout.write("READY\n"));
