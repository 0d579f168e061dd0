// bench/tls: issue 7's measure. samples/https-site itself, built for the unix target once per
// crypto provider (node:crypto, then the portable one), beside a Node `https` server with the
// same certificate and page (bench/peers/node-https-static.mjs), in the same run, as ratios:
// full TLS 1.3 handshakes/s, keep-alive HTTPS requests/s (wrk, GET / = the site's
// index.html), and one connection's bulk MB/s (a 64 MiB file added to the site's htdocs).
//
//   npx tsx bench/tls.ts [--duration 3] [--rounds 3] [--providers node,noble] [--json]
//   npx tsx bench/tls.ts --pieces ...  the server pieces alone instead of the built sample:
//   TlsFlow + the stack's HTTP server answering one in-memory page (no kv_ro, no site fields)
//   (the long mutation run of the engine is bench/fuzz-tls.ts)
//
// Servers run in child processes, all started at once; the load comes from this process and
// wrk. Each round measures every server back to back, so a swing in the machine's load hits
// all of them; the ratios are per round, the figures printed their medians.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:https";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { ensureNativeAead } from "../runtime/unix/build/aead.ts";
import { createClock } from "../runtime/unix/src/clock.ts";
import { createNodeCryptoProvider } from "../runtime/unix/src/crypto.ts";
import type { NativeAead } from "../runtime/unix/src/native_aead.ts";
import { createRandom } from "../runtime/unix/src/random.ts";
import { createHostStack } from "../runtime/unix/src/stack.ts";
import { createNobleProvider } from "../stack/crypto/noble.ts";
import { serveFlow } from "../stack/http/server.ts";
import { TlsFlow } from "../stack/tls/flow.ts";
import { credentialsFromKey } from "../stack/tls/server.ts";
import { parseCertificatesPem, parsePrivateKeyPem } from "../stack/x509/index.ts";
import { testPki } from "../test/unit/tls/helpers.ts";
import { freePort } from "./lib/process.ts";

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
  // node:crypto as a built unikernel has it: with the record AEAD addon when it builds here.
  const addon = provider === "noble" ? null : ensureNativeAead();
  const aead =
    addon && "path" in addon
      ? (createRequire(import.meta.url)(addon.path) as NativeAead)
      : undefined;
  const crypto =
    provider === "noble"
      ? createNobleProvider(createRandom())
      : createNodeCryptoProvider(aead ? { aead } : {});
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

/** Runs `args` with node in `cwd` until its output shows `ready`. */
function startProcess(
  name: string,
  args: string[],
  cwd: string,
  ready: RegExp,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const watch = (d: Buffer) => {
      out = (out + String(d)).slice(-4000);
      if (ready.test(out)) resolve(p);
    };
    p.stdout?.on("data", watch);
    p.stderr?.on("data", watch);
    p.on("exit", (code) => reject(new Error(`${name} exited (${code}): ${out}`)));
  });
}

function start(kind: string, provider: string, port: number): Promise<ChildProcess> {
  const args = ["--import", "tsx", process.argv[1] as string, "--serve", kind];
  args.push("--provider", provider, "--port", String(port), "--pki", testPki().dir);
  return startProcess(`${kind} server`, args, process.cwd(), /READY/);
}

/** The CA the load's TLS clients trust: the dev CA, or (`--pieces`) the test PKI's. */
let caPem = "";

/** Full handshakes per second: `conc` loops of connect, handshake, close, for `ms`. */
async function handshakes(port: number, ms: number, conc = 8): Promise<number> {
  const ca = caPem;
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
  const ca = caPem;
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
          // A fresh connection each time: a pooled one may have met the server's idle
          // timeout while the other servers were measured (a "socket hang up" race).
          agent: false,
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

type Metric = "handshakesPerS" | "requestsPerS" | "bulkMBps";
const METRICS: Metric[] = ["handshakesPerS", "requestsPerS", "bulkMBps"];

interface Server {
  name: string;
  port: number;
  process: ChildProcess;
}

/** Node https first (every ratio's reference), then Morgana on each provider. */
async function startAll(providers: string[]): Promise<Server[]> {
  const servers: Server[] = [];
  const kinds: [string, string][] = [
    ["node", "node"],
    ...providers.map((p): [string, string] => ["morgana", p]),
  ];
  for (const [kind, provider] of kinds) {
    // A port the system just handed out, not a random one (which can meet an ephemeral port).
    const port = await freePort();
    servers.push({
      name: kind === "node" ? "node https" : `morgana (${provider})`,
      port,
      process: await start(kind, provider, port),
    });
  }
  return servers;
}

/** One round: each metric measured on every server back to back, so a load swing hits all. */
async function round(servers: Server[], seconds: number): Promise<Row[]> {
  const rows: Row[] = servers.map((s) => ({
    server: s.name,
    handshakesPerS: 0,
    requestsPerS: 0,
    bulkMBps: 0,
  }));
  for (const [i, s] of servers.entries()) {
    (rows[i] as Row).handshakesPerS = await handshakes(s.port, seconds * 1000);
  }
  for (const [i, s] of servers.entries()) (rows[i] as Row).requestsPerS = requests(s.port, seconds);
  for (const [i, s] of servers.entries()) (rows[i] as Row).bulkMBps = await bulk(s.port);
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const SITE = join(repoRoot, "samples", "https-site");

/**
 * The default: samples/https-site itself, copied to the temp dir and built for unix once per
 * provider (the tls device's `crypto`: `native` is node:crypto, `portable` @noble), with a
 * 64 MiB `bulk` file added to its htdocs and a dev certificate from a dev CA of the bench's
 * own; beside it bench/peers/node-https-static.mjs with the same certificate and files.
 */
const siteRoot = join(tmpdir(), `morgana-bench-tls-${process.pid}`);

async function startSite(providers: string[]): Promise<Server[]> {
  const root = siteRoot;
  rmSync(root, { recursive: true, force: true });
  const caDir = join(root, "dev-ca");
  const servers: Server[] = [];
  let first: string | null = null;
  try {
    for (const provider of providers) {
      const dir = join(root, provider);
      const skip = new Set(["dist", ".morgana", "keys"]);
      cpSync(SITE, dir, { recursive: true, filter: (src) => !skip.has(relative(SITE, src)) });
      mkdirSync(join(dir, "keys"));
      // Every copy serves the first build's certificate (a build never replaces keys).
      for (const f of first ? ["server.pem", "server.key"] : []) {
        copyFileSync(join(first as string, "keys", f), join(dir, "keys", f));
      }
      writeFileSync(join(dir, "htdocs", "bulk"), new Uint8Array(BULK).fill(0x61));
      const port = await freePort();
      const yamlPath = join(dir, "unikernel.yaml");
      const doc = parseDocument(readFileSync(yamlPath, "utf8"));
      doc.setIn(["targets", "unix", "ports"], [`${port}:443`, `${await freePort()}:80`]);
      doc.setIn(["devices", "tls", "crypto"], provider === "noble" ? "portable" : "native");
      writeFileSync(yamlPath, doc.toString());
      const built = spawnSync(
        process.execPath,
        [join(repoRoot, "tool", "bin", "morgana.js"), "build", "-t", "unix", "-p", dir],
        { encoding: "utf8", env: { ...process.env, MORGANA_CA_DIR: caDir } },
      );
      if (built.status !== 0)
        throw new Error(`morgana build ${dir}: ${built.stdout}${built.stderr}`);
      first ??= dir;
      const script = join(dir, "dist", "unix", "https-site.mjs");
      const p = await startProcess(
        `https-site (${provider})`,
        [script],
        dir,
        /listening on https:/,
      );
      servers.push({ name: `https-site (${provider})`, port, process: p });
    }
    const htdocs = join(first as string, "htdocs");
    const keys = join(first as string, "keys");
    const port = await freePort();
    const peer = await startProcess(
      "node https peer",
      [join(repoRoot, "bench", "peers", "node-https-static.mjs"), "--htdocs", htdocs]
        .concat(["--cert", join(keys, "server.pem"), "--key", join(keys, "server.key")])
        .concat(["--port", String(port)]),
      root,
      /READY/,
    );
    servers.unshift({ name: "node https", port, process: peer });
    caPem = readFileSync(join(caDir, "ca.pem"), "utf8");
    return servers;
  } catch (e) {
    for (const s of servers) s.process.kill();
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

async function bench(): Promise<void> {
  const seconds = Number(arg("duration", "3"));
  const rounds = Number(arg("rounds", "3"));
  const providers = arg("providers", "node,noble").split(",");
  // `--site` was the flag before the site became the default; still accepted.
  const site = !process.argv.includes("--pieces");
  testPki().leaf("p256");
  caPem = testPki().caPem;
  const load0 = loadavg()[0] as number;
  const servers = site ? await startSite(providers) : await startAll(providers);
  const runs: Row[][] = [];
  try {
    // Warm-up, not counted: every server's code paths compiled before measuring.
    for (const s of servers) {
      await handshakes(s.port, 500);
      requests(s.port, 1);
    }
    for (let r = 0; r < rounds; r++) runs.push(await round(servers, seconds));
  } finally {
    for (const s of servers) s.process.kill();
    if (site) rmSync(siteRoot, { recursive: true, force: true }); // two 64 MiB copies
  }
  const load1 = loadavg()[0] as number;
  // Each figure of a round as a ratio to node https in the same round; medians over rounds.
  const figure = (i: number, k: Metric) => median(runs.map((rows) => (rows[i] as Row)[k]));
  const ratios = (i: number, k: Metric) =>
    runs.map((rows) => (rows[i] as Row)[k] / (rows[0] as Row)[k]);
  if (process.argv.includes("--json")) {
    const out = servers.map((s, i) => ({
      server: s.name,
      ...Object.fromEntries(METRICS.map((k) => [k, figure(i, k)])),
      ratios: Object.fromEntries(METRICS.map((k) => [k, median(ratios(i, k))])),
      rounds: runs.map((rows) => rows[i]),
    }));
    const mode = site ? "site" : "pieces";
    process.stdout.write(
      `${JSON.stringify({ mode, load: [load0, load1], servers: out }, null, 2)}\n`,
    );
    return;
  }
  const f = (x: number) => x.toFixed(1).padStart(9);
  const r2 = (x: number) => x.toFixed(2);
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  const what = site
    ? "samples/https-site built for unix, per provider"
    : "the server pieces (TlsFlow + HTTP server, one in-memory page)";
  process.stdout.write(
    `${what}, at ${commit.stdout.trim() || "?"}; beside node https with the same certificate and page\n` +
      `${rounds} rounds of ${seconds} s, load average ${load0.toFixed(1)} -> ${load1.toFixed(1)}\n` +
      "medians; ratios to node https in the same round (each round's in brackets)\n" +
      "server               handshakes/s ratio      req/s ratio  bulk MB/s ratio\n",
  );
  for (const [i, s] of servers.entries()) {
    const cols = METRICS.map((k) => `${f(figure(i, k))} ${r2(median(ratios(i, k)))}`);
    process.stdout.write(`${s.name.padEnd(20)} ${cols.join(" ")}\n`);
    if (i > 0) {
      const each = METRICS.map((k) => `[${ratios(i, k).map(r2).join(" ")}]`);
      process.stdout.write(`${"".padEnd(21)}${each.join(" ")}\n`);
    }
  }
}

if (process.argv.includes("--serve")) {
  // A clean exit on SIGINT/SIGTERM, so `--cpu-prof` writes its profile.
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(0));
  await serve(arg("serve", "morgana"), arg("provider", "node"), Number(arg("port", "0")));
} else {
  await bench();
  process.exit(0);
}
