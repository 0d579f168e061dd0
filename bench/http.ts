// bench/http: requests per second of the static-website unikernel on the unix target
// against a plain Node `http` server serving the same file, both loaded by wrk with the
// same threads, connections and duration, interleaved round by round.
//
//   npx tsx bench/http.ts [--rounds 5] [--connections 32] [--duration 5] [--json]
//   npx tsx bench/http.ts --help

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseBenchArgs, positiveInt } from "./lib/args.ts";
import { summarizeProfile } from "./lib/cpuprofile.ts";
import {
  assertAlive,
  BenchSetupError,
  freePort,
  progress,
  requireTool,
  runCommand,
  type Server,
  startServer,
  stopServer,
} from "./lib/process.ts";
import { main, repoRoot } from "./lib/runner.ts";
import { copySampleOnPort, httpHostPort } from "./lib/sample.ts";
import type { Benchmark, Measurement, Side } from "./lib/types.ts";
import { assertCleanRun, runWrk, WRK_INSTALL, type WrkOptions, wrkVersion } from "./lib/wrk.ts";

const HOST = "127.0.0.1";
const SAMPLE = "static-website";
const sampleDir = join(repoRoot, "samples", SAMPLE);
const sampleFile = join(sampleDir, "htdocs", "index.html");
let htdocsFile = sampleFile;
// The bench's own copy of the sample, outside the checkout (so no tsconfig or linter sees it),
// one per checkout.
const copyDir = join(
  tmpdir(),
  `morgana-bench-${createHash("sha256").update(repoRoot).digest("hex").slice(0, 8)}`,
  SAMPLE,
);
const peerScript = join(repoRoot, "bench", "peers", "node-http-static.mjs");
const cli = join(repoRoot, "tool", "bin", "morgana.js");

interface Probe {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One GET on a fresh connection, to check what a side serves before loading it. */
function probe(url: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: "close" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${url}: no answer within 5 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Fails unless `url` answers 200 with exactly `expected`: both sides must do the same work. */
async function checkServes(who: string, url: string, expected: Buffer): Promise<string> {
  let p: Probe;
  try {
    p = await probe(url);
  } catch (e) {
    throw new BenchSetupError(`${who}: GET ${url} failed: ${(e as Error).message}`);
  }
  if (p.status !== 200)
    throw new BenchSetupError(`${who}: GET ${url} answered ${p.status}, not 200`);
  if (!p.body.equals(expected)) {
    throw new BenchSetupError(
      `${who}: GET ${url} answered ${p.body.length} bytes that differ from ${relative(repoRoot, htdocsFile)} (${expected.length} bytes): the sides would not do the same work`,
    );
  }
  const missing = ["content-type", "etag"].filter((h) => p.headers[h] === undefined);
  if (missing.length > 0) progress(`[http] note: ${who} sends no ${missing.join(", ")} header`);
  return `200, ${p.body.length} bytes, content-type ${p.headers["content-type"] ?? "-"}, etag ${p.headers.etag ? "yes" : "no"}`;
}

interface HttpCtx {
  server: Server;
  url: string;
  profileDir?: string;
}

function httpSide(
  name: string,
  role: "ours" | "peer",
  describe: string,
  start: () => Promise<Server>,
  path: string,
  body: Buffer,
  wrk: WrkOptions,
  profileDir?: string,
): Side<HttpCtx> {
  return {
    name,
    role,
    describe,
    async setup() {
      const server = await start();
      const url = `http://${server.host}:${server.port}${path}`;
      try {
        const seen = await checkServes(name, url, body);
        progress(`[http] ${name} on ${url}: ${seen}`);
      } catch (e) {
        await stopServer(server);
        throw e;
      }
      return { server, url, ...(profileDir ? { profileDir } : {}) };
    },
    async measure(ctx): Promise<Measurement> {
      assertAlive(ctx.server);
      const { result, raw } = await runWrk(ctx.url, wrk);
      assertAlive(ctx.server);
      assertCleanRun(result, name, raw);
      return {
        value: result.requestsPerSec,
        unit: "req/s",
        higherIsBetter: true,
        details: {
          requests: result.requests,
          seconds: result.seconds,
          transferPerSec: result.transferPerSec,
          latencyAvgMs: result.latencyAvgMs,
          latencyMaxMs: result.latencyMaxMs,
        },
      };
    },
    async teardown(ctx) {
      await stopServer(ctx.server);
      if (ctx.profileDir) reportProfile(name, ctx.profileDir);
    },
  };
}

function reportProfile(name: string, dir: string): void {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")) : [];
  const newest = files.sort().at(-1);
  if (!newest) {
    progress(`[http] ${name}: no .cpuprofile written in ${dir} (did the process exit cleanly?)`);
    return;
  }
  const file = join(dir, newest);
  progress(`[http] ${name}: CPU profile ${relative(repoRoot, file)}`);
  progress(summarizeProfile(file, repoRoot, 25, [[copyDir, `samples/${SAMPLE}`]]));
}

function startPeer(name: string, port: number, nodeFlags: string[] = []): Promise<Server> {
  return startServer({
    name,
    command: process.execPath,
    args: [...nodeFlags, peerScript, "--file", htdocsFile, "--port", String(port), "--host", HOST],
    host: HOST,
    port,
  });
}

/** A path relative to the checkout if it is inside, else absolute. */
function shown(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith("..") ? path : rel;
}

/** `morgana build -t unix -p DIR` (it configures first). */
function buildUnikernel(dir: string): void {
  if (!existsSync(cli)) {
    throw new BenchSetupError(`the morgana CLI is missing (${relative(repoRoot, cli)})`);
  }
  progress(`[http] morgana build -t unix -p ${shown(dir)}`);
  runCommand(process.execPath, [cli, "build", "-t", "unix", "-p", dir], repoRoot);
}

const usage = `bench/http: req/s of the ${SAMPLE} unikernel (unix target) vs a plain Node http server
serving the same file, both loaded with wrk; prints medians and the ratio ours/node.

  npx tsx bench/http.ts [options]`;

await main(async () => {
  const { run, values } = parseBenchArgs(usage, {
    connections: { type: "string", help: "wrk connections (-c)", default: "32" },
    threads: { type: "string", help: "wrk threads (-t)", default: "1" },
    duration: { type: "string", help: "seconds per measurement (wrk -d)", default: "5" },
    path: { type: "string", help: "URL path requested", default: "/" },
    file: {
      type: "string",
      help: "file the Node peer serves (and every side must answer with)",
      default: relative(repoRoot, sampleFile),
    },
    "in-place": {
      type: "boolean",
      help: `build and run samples/${SAMPLE} itself on its unikernel.yaml port (default: a copy in the temp dir, on a free port)`,
    },
    "no-build": {
      type: "boolean",
      help: "skip morgana build: run the last build as it is",
    },
    "self-check": {
      type: "boolean",
      help: "put a second Node peer in place of the unikernel (an A/A run: the ratio shows the noise)",
    },
    "cpu-prof": {
      type: "boolean",
      help: "run our side under node --cpu-prof; print its top costs (bench/results/profiles/)",
    },
  });
  requireTool("wrk", WRK_INSTALL);
  const wrk: WrkOptions = {
    threads: positiveInt("threads", String(values.threads)),
    connections: positiveInt("connections", String(values.connections)),
    duration: positiveInt("duration", String(values.duration)),
  };
  if (wrk.connections < wrk.threads)
    throw new BenchSetupError("--connections must be at least --threads");
  const path = String(values.path);
  htdocsFile = resolve(repoRoot, String(values.file));
  if (!existsSync(htdocsFile)) {
    throw new BenchSetupError(
      `${relative(repoRoot, htdocsFile)} is missing: is the ${SAMPLE} sample there yet?`,
    );
  }
  const body = readFileSync(htdocsFile);
  const profileDir = values["cpu-prof"]
    ? join(repoRoot, run.resultsDir ?? "bench/results", "profiles")
    : undefined;
  const profFlags = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  let ours: Side<HttpCtx>;
  if (values["self-check"]) {
    const port = await freePort();
    ours = httpSide(
      "node-http-b",
      "ours",
      `a second node-http-static.mjs (self-check), node ${process.version}`,
      () => startPeer("node-http-b", port, profFlags),
      path,
      body,
      wrk,
      profileDir,
    );
  } else {
    let dir = sampleDir;
    let port: number;
    if (values["in-place"]) {
      port = httpHostPort(join(sampleDir, "unikernel.yaml"), "unix");
    } else {
      dir = copyDir;
      if (values["no-build"] && existsSync(join(copyDir, "unikernel.yaml"))) {
        port = httpHostPort(join(copyDir, "unikernel.yaml"), "unix");
      } else {
        port = await freePort();
        copySampleOnPort(sampleDir, copyDir, "unix", port);
      }
    }
    if (!values["no-build"]) buildUnikernel(dir);
    const builtScript = join(dir, "dist", "unix", `${SAMPLE}.mjs`);
    if (!existsSync(builtScript)) {
      throw new BenchSetupError(
        `${relative(repoRoot, builtScript)} is missing: build it with morgana build -t unix`,
      );
    }
    ours = httpSide(
      "morgana-unix",
      "ours",
      `node ${shown(builtScript)}${dir === sampleDir ? "" : ` (samples/${SAMPLE} built on port ${port})`}, node ${process.version}`,
      () =>
        startServer({
          name: "morgana-unix",
          command: process.execPath,
          args: [...profFlags, builtScript],
          cwd: dir,
          host: HOST,
          port,
        }),
      path,
      body,
      wrk,
      profileDir,
    );
  }
  const peerPort = await freePort();
  const peer = httpSide(
    "node-http",
    "peer",
    `node bench/peers/node-http-static.mjs, node ${process.version}`,
    () => startPeer("node-http", peerPort),
    path,
    body,
    wrk,
  );
  const bench: Benchmark = {
    name: "http",
    description: `GET ${path} answered with ${relative(repoRoot, htdocsFile)} (${body.length} bytes), keep-alive`,
    sides: [ours, peer],
    target: 0.8,
    parameters: {
      tool: `wrk ${(await wrkVersion()) ?? "?"}`,
      threads: wrk.threads,
      connections: wrk.connections,
      duration: `${wrk.duration}s`,
      ...(profileDir ? { cpuProf: true } : {}),
    },
  };
  return { bench, run };
});
