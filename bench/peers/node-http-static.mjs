// The peer for bench/http.ts: a plain Node `http` server that reads one file at start and
// answers every GET (and HEAD) with it, with Content-Type, Content-Length and a strong ETag
// (304 on a matching If-None-Match). Keep-alive is Node's default. Nothing tuned, nothing
// cached beyond the one buffer: what a reasonable person would write.
//
//   node bench/peers/node-http-static.mjs --file <path> --port <n> [--host 127.0.0.1]

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    file: { type: "string" },
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
  },
});
if (!values.file || !values.port) {
  process.stderr.write("usage: node-http-static.mjs --file <path> --port <n> [--host <addr>]\n");
  process.exit(2);
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};
const body = readFileSync(values.file);
const contentType = types[extname(values.file)] ?? "application/octet-stream";
const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;

const server = createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Length": 0 });
    res.end();
    return;
  }
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    "Content-Type": contentType,
    "Content-Length": body.length,
    ETag: etag,
  });
  res.end(req.method === "HEAD" ? undefined : body);
});

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`node-http-static listening on http://${values.host}:${values.port}/\n`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
