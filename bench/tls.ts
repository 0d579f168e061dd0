// bench/tls: Morgana's TLS 1.3 (TlsFlow + the stack's HTTP server, on the unix target's host
// sockets) against a Node `https` server with the same certificate and page, measured in the
// same run, as ratios: full TLS 1.3 handshakes/s, keep-alive HTTPS requests/s (wrk), and one
// connection's bulk MB/s. Each with the node:crypto provider and with the portable one.
//
//   npx tsx bench/tls.ts [--duration 3] [--providers node,noble] [--json]
//   npx tsx bench/tls.ts --fuzz 20000 [--seed 1]   the long mutation run (the light one is a test)
//
// Servers run in child processes (this file with --serve), the load in this process and wrk.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, request } from "node:https";
import { connect } from "node:tls";
import { createClock } from "../runtime/unix/src/clock.ts";
import { createNodeCryptoProvider } from "../runtime/unix/src/crypto.ts";
import { createRandom } from "../runtime/unix/src/random.ts";
import { createHostStack } from "../runtime/unix/src/stack.ts";
import { createNobleProvider } from "../stack/crypto/noble.ts";
import { serveFlow } from "../stack/http/server.ts";
import { TlsFlow } from "../stack/tls/flow.ts";
import { credentialsFromKey } from "../stack/tls/server.ts";
import { parseCertificatesPem, parsePrivateKeyPem } from "../stack/x509/index.ts";
import { testPki } from "../test/unit/tls/helpers.ts";
import { mutationRun } from "../test/unit/tls/mutate.ts";

const PAGE = `<!doctype html><title>bench</title>${"<p>Morgana TLS bench page.</p>".repeat(120)}\n`;
const BULK = 64 << 20;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

// ---- server side (child process) ----

/** The parent's test PKI (made once by openssl), read back in the server process. */
function leafFrom(dir: string) {
  const chainFile = `${dir}/p256-chain.pem`;
  const keyFile = `${dir}/p256.key`;
  const certs = parseCertificatesPem(readFileSync(chainFile, "utf8"));
  const key = parsePrivateKeyPem(readFileSync(keyFile, "utf8"));
  if (!certs.ok || !key.ok) throw new Error("cannot read the bench certificate");
  return { chainFile, keyFile, chain: certs.value.map((c) => c.der), key: key.value };
}

async function serve(kind: string, provider: string, port: number): Promise<void> {
  const leaf = leafFrom(arg("pki", ""));
  const bulk = new Uint8Array(BULK).fill(0x61);
  // The page as bytes, once, for both servers: the bench measures TLS, not text encoding.
  const page = new TextEncoder().encode(PAGE);
  if (kind === "node") {
    const s = createServer(
      {
        cert: readFileSync(leaf.chainFile),
        key: readFileSync(leaf.keyFile),
        minVersion: "TLSv1.3",
      },
      (req, res) => {
        const body = req.url === "/bulk" ? bulk : page;
        res.writeHead(200, { "content-type": "text/html", "content-length": String(body.length) });
        res.end(body);
      },
    );
    s.keepAliveTimeout = 60_000;
    s.listen(port, "127.0.0.1", () => process.stdout.write("READY\n"));
    return;
  }
  const crypto =
    provider === "noble" ? createNobleProvider(createRandom()) : createNodeCryptoProvider();
  const credentials = credentialsFromKey(crypto, leaf.chain, leaf.key);
  const clock = createClock();
  const stack = createHostStack();
  await stack.tcp.listen(port, (flow) => {
    TlsFlow.server(flow, {
      crypto,
      credentials,
      alpn: ["http/1.1"],
      now: clock.monotonicNs,
      wallMs: clock.wallMs,
    })
      .then((tls) =>
        serveFlow(
          tls,
          (req) => ({
            status: 200,
            headers: [["content-type", "text/html"]],
            body: req.path === "/bulk" ? bulk : page,
          }),
          clock,
        ),
      )
      .catch(() => flow.close());
  });
  process.stdout.write("READY\n");
}

// ---- load side ----

function start(kind: string, provider: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        process.argv[1] as string,
        "--serve",
        kind,
        "--provider",
        provider,
        "--port",
        String(port),
        "--pki",
        testPki().dir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    p.stderr?.on("data", (d) => {
      err += String(d);
    });
    p.stdout?.on("data", (d) => {
      if (String(d).includes("READY")) resolve(p);
    });
    p.on("exit", (code) => reject(new Error(`${kind} server exited (${code}): ${err}`)));
  });
}

/** Full handshakes per second: `conc` loops of connect, handshake, close, for `ms`. */
async function handshakes(port: number, ms: number, conc = 8): Promise<number> {
  const ca = testPki().caPem;
  const end = Date.now() + ms;
  let n = 0;
  const loop = async () => {
    while (Date.now() < end) {
      await new Promise<void>((resolve, reject) => {
        const s = connect(
          { port, host: "127.0.0.1", servername: "localhost", ca, minVersion: "TLSv1.3" },
          () => {
            n++;
            s.destroy();
            resolve();
          },
        );
        s.on("error", reject);
      });
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: conc }, loop));
  return n / ((Date.now() - t0) / 1000);
}

/** Keep-alive requests per second, measured by wrk over HTTPS. */
function requests(port: number, seconds: number): number {
  const r = spawnSync(
    "wrk",
    ["-t", "2", "-c", "16", "-d", `${seconds}s`, `https://localhost:${port}/`],
    { encoding: "utf8" },
  );
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

/** One connection's download rate of a 64 MiB body, MB/s (best of 3). */
async function bulk(port: number): Promise<number> {
  const ca = testPki().caPem;
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const got = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/bulk",
          servername: "localhost",
          ca,
          minVersion: "TLSv1.3",
        },
        (res) => {
          let n = 0;
          res.on("data", (d: Buffer) => {
            n += d.length;
          });
          res.on("end", () => resolve(n));
        },
      );
      req.on("error", reject);
      req.end();
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (got !== BULK) throw new Error(`bulk: got ${got} bytes`);
    best = Math.max(best, got / 1e6 / s);
  }
  return best;
}

interface Row {
  server: string;
  handshakesPerS: number;
  requestsPerS: number;
  bulkMBps: number;
}

async function measure(kind: string, provider: string, seconds: number): Promise<Row> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const p = await start(kind, provider, port);
  try {
    const h = await handshakes(port, seconds * 1000);
    const r = requests(port, seconds);
    const b = await bulk(port);
    return {
      server: kind === "node" ? "node https" : `morgana (${provider})`,
      handshakesPerS: h,
      requestsPerS: r,
      bulkMBps: b,
    };
  } finally {
    p.kill();
  }
}

async function bench(): Promise<void> {
  const seconds = Number(arg("duration", "3"));
  const providers = arg("providers", "node,noble").split(",");
  testPki().leaf("p256");
  const rows: Row[] = [];
  const node = await measure("node", "node", seconds);
  rows.push(node);
  for (const p of providers) rows.push(await measure("morgana", p, seconds));
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const f = (x: number) => x.toFixed(1).padStart(9);
  const ratio = (a: number, b: number) => (a / b).toFixed(2).padStart(6);
  process.stdout.write(
    `server               handshakes/s   req/s     bulk MB/s   (ratios to node https)\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.server.padEnd(20)} ${f(r.handshakesPerS)} ${ratio(r.handshakesPerS, node.handshakesPerS)}  ${f(r.requestsPerS)} ${ratio(r.requestsPerS, node.requestsPerS)}  ${f(r.bulkMBps)} ${ratio(r.bulkMBps, node.bulkMBps)}\n`,
    );
  }
}

if (process.argv.includes("--serve")) {
  // A clean exit on SIGINT/SIGTERM, so `--cpu-prof` writes its profile.
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(0));
  await serve(arg("serve", "morgana"), arg("provider", "node"), Number(arg("port", "0")));
} else if (process.argv.includes("--fuzz")) {
  const count = Number(arg("fuzz", "20000"));
  const t0 = Date.now();
  const outcomes = mutationRun(count, Number(arg("seed", "1")));
  process.stdout.write(
    `${count} mutations in ${((Date.now() - t0) / 1000).toFixed(1)} s, no throw:\n`,
  );
  for (const [k, v] of [...outcomes].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`  ${k.padEnd(24)} ${v}\n`);
  process.exit(0);
} else {
  await bench();
  process.exit(0);
}
