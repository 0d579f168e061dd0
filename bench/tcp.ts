// bench/tcp: Morgana's TCP/IP stack (stack/net) against Linux's, in one run:
//   1. throughput Linux -> Morgana over the direct target's tap bridge (socat), beside a
//      baseline of the same bridge with Linux on both ends (tap - socat - UDP - socat - tap);
//   2. throughput Morgana -> Linux, the same way;
//   3. HTTP req/s of static-website on direct beside the same sample on unix (wrk);
//   4. the CPU cost per segment of the stack alone: two stacks over a simulated link.
// Needs root (taps, network namespaces), socat, dnsmasq, wrk.
//
//   npx tsx bench/tcp.ts [--rounds 3] [--megabytes 50] [--duration 5] [--only throughput|http|segment]

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bridgeProblem,
  freeUdpPort,
  type run,
  startTapBridge,
  type TapBridge,
} from "../runtime/direct/src/bridge.ts";
import { UdpNetif } from "../runtime/direct/src/udp_netif.ts";
import { createRandom } from "../runtime/unix/src/random.ts";
import type { Flow } from "../stack/devices/stack.ts";
import { NetStack } from "../stack/net/stack.ts";
import { VirtualClock } from "../stack/net/testing/clock.ts";
import { SimLink } from "../stack/net/testing/link.ts";
import { makeNetns, unrefClock } from "../test/unit/net/helpers/netns.ts";
import { parseBenchArgs, positiveInt } from "./lib/args.ts";
import {
  BenchSetupError,
  freePort,
  progress,
  runCommand,
  type Server,
  startServer,
  stopServer,
} from "./lib/process.ts";
import { formatResult, repoRoot, runBenchmark, writeResult } from "./lib/runner.ts";
import { copySampleOnPort } from "./lib/sample.ts";
import type { Benchmark, Measurement, RunOptions, Side } from "./lib/types.ts";
import { assertCleanRun, parseWrkOutput, runWrk } from "./lib/wrk.ts";

type Netns = Awaited<ReturnType<typeof makeNetns>>;

const { run: runOptions, values } = parseBenchArgs(
  "usage: npx tsx bench/tcp.ts [options]   (as root: taps and network namespaces)",
  {
    megabytes: { type: "string", help: "bytes per throughput measurement, in MB", default: "50" },
    duration: { type: "string", help: "seconds of wrk per HTTP measurement", default: "5" },
    connections: { type: "string", help: "wrk connections", default: "32" },
    only: { type: "string", help: "run one part: throughput, http or segment" },
  },
);
const BYTES = positiveInt("megabytes", String(values.megabytes)) * 1_000_000;
const DURATION = positiveInt("duration", String(values.duration));
const CONNECTIONS = positiveInt("connections", String(values.connections));
const only = values.only === undefined ? null : String(values.only);

const mbps = (bytes: number, ms: number): Measurement => ({
  value: bytes / 1e6 / (ms / 1000),
  unit: "MB/s",
  higherIsBetter: true,
});

/** Linux in namespace `a` and Linux in namespace `b`, their taps bridged by two socats. */
interface LinuxPair {
  a: Netns;
  b: Netns;
  bridges: TapBridge[];
}

async function linuxPair(subnet: string): Promise<LinuxPair> {
  const a = await makeNetns();
  const b = await makeNetns();
  const pa = await freeUdpPort();
  const pb = await freeUdpPort();
  const tag = process.pid % 10000;
  const ba = await startTapBridge({
    tap: `mgla${tag}`,
    hostCidr: `${subnet}.1/24`,
    stackPort: pb,
    socatPort: pa,
    netns: a.name,
  });
  const bb = await startTapBridge({
    tap: `mglb${tag}`,
    hostCidr: `${subnet}.2/24`,
    stackPort: pa,
    socatPort: pb,
    netns: b.name,
  });
  return { a, b, bridges: [ba, bb] };
}

async function closePair(p: LinuxPair): Promise<void> {
  for (const br of p.bridges) await br.close();
  await p.a.remove();
  await p.b.remove();
}

/** Morgana's stack in this process, bridged to Linux in a fresh namespace. */
interface MorganaSide {
  ns: Netns;
  stack: NetStack;
  bridge: TapBridge;
}

async function morganaSide(subnet: string): Promise<MorganaSide> {
  const ns = await makeNetns();
  const socatPort = await freeUdpPort();
  const netif = new UdpNetif({ port: 0, peerPort: socatPort });
  const bridge = await startTapBridge({
    tap: `mgm${process.pid % 10000}`,
    hostCidr: `${subnet}.1/24`,
    stackPort: await netif.bound,
    socatPort,
    netns: ns.name,
  });
  const stack = new NetStack(netif, unrefClock(), createRandom(), { ipv4: `${subnet}.2/24` });
  return { ns, stack, bridge };
}

async function closeMorgana(m: MorganaSide): Promise<void> {
  await m.stack.close();
  await m.bridge.close();
  await m.ns.remove();
}

/** A one-shot Linux receiver in `ns` that discards a connection's bytes, then exits. */
function linuxReceiver(ns: Netns, port: number): Promise<Awaited<ReturnType<typeof run>>> {
  return ns.exec("socat", ["-u", `TCP-LISTEN:${port},reuseaddr`, "OPEN:/dev/null"]);
}

async function linuxSend(ns: Netns, to: string, port: number): Promise<void> {
  const r = await ns.exec("sh", [
    "-c",
    `head -c ${BYTES} /dev/zero | socat -u - TCP:${to}:${port}`,
  ]);
  if (r.code !== 0) throw new BenchSetupError(`the Linux sender failed: ${r.stderr}`);
}

/** Waits until a Linux listener is up in `ns` (socat binds in a few ms). */
async function listening(ns: Netns, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await ns.exec("ss", ["-ltnH", `sport = :${port}`]);
    if (r.stdout.trim() !== "") return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new BenchSetupError(`nothing listens on port ${port}`);
}

function linuxBaseline(direction: "a->b" | "b->a"): Side<LinuxPair> {
  return {
    name: "linux-linux",
    role: "peer",
    describe:
      "Linux -> Linux over the same bridge (tap, socat, UDP, socat, tap), socat sender and receiver",
    setup: () => linuxPair("10.211.0"),
    async measure(p) {
      const [from, to, toIp] =
        direction === "a->b" ? [p.a, p.b, "10.211.0.2"] : [p.b, p.a, "10.211.0.1"];
      const recv = linuxReceiver(to, 9000);
      await listening(to, 9000);
      const t0 = performance.now();
      await linuxSend(from, toIp, 9000);
      const r = await recv;
      if (r.code !== 0) throw new BenchSetupError(`the Linux receiver failed: ${r.stderr}`);
      return mbps(BYTES, performance.now() - t0);
    },
    teardown: closePair,
  };
}

/** Linux sends BYTES to a discard server on Morgana; measured until Morgana read the end. */
const linuxToMorgana: Side<MorganaSide & { done: (() => void) | null; got: number }> = {
  name: "linux-morgana",
  role: "ours",
  describe:
    "socat in a namespace -> Morgana's stack (this process) over the direct target's bridge",
  async setup() {
    const m = await morganaSide("10.212.0");
    const ctx = { ...m, done: null as (() => void) | null, got: 0 };
    await m.stack.tcp.listen(9000, (flow: Flow) => {
      void (async () => {
        for (let d = await flow.read(); d !== null; d = await flow.read()) ctx.got += d.length;
        await flow.close();
        ctx.done?.();
      })();
    });
    return ctx;
  },
  async measure(ctx) {
    ctx.got = 0;
    const finished = new Promise<void>((r) => {
      ctx.done = r;
    });
    const t0 = performance.now();
    await linuxSend(ctx.ns, "10.212.0.2", 9000);
    await finished;
    const ms = performance.now() - t0;
    if (ctx.got !== BYTES) throw new BenchSetupError(`Morgana read ${ctx.got} bytes, not ${BYTES}`);
    return mbps(BYTES, ms);
  },
  teardown: closeMorgana,
};

/** Morgana sends BYTES to a Linux discard receiver; measured until the receiver exits. */
const morganaToLinux: Side<MorganaSide> = {
  name: "morgana-linux",
  role: "ours",
  describe:
    "Morgana's stack (this process) -> socat in a namespace over the direct target's bridge",
  setup: () => morganaSide("10.213.0"),
  async measure(ctx) {
    const recv = linuxReceiver(ctx.ns, 9000);
    await listening(ctx.ns, 9000);
    const t0 = performance.now();
    const flow = await ctx.stack.tcp.connect({ address: "10.213.0.1", port: 9000 });
    const chunk = new Uint8Array(64 * 1024);
    for (let sent = 0; sent < BYTES; sent += chunk.length) {
      await flow.write(sent + chunk.length <= BYTES ? chunk : chunk.subarray(0, BYTES - sent));
    }
    await flow.shutdown();
    const r = await recv;
    const ms = performance.now() - t0;
    await flow.close();
    if (r.code !== 0) throw new BenchSetupError(`the Linux receiver failed: ${r.stderr}`);
    return mbps(BYTES, ms);
  },
  teardown: closeMorgana,
};

// ---- HTTP: static-website on direct and on unix ----

const SAMPLE = join(repoRoot, "samples", "static-website");
const cli = join(repoRoot, "tool", "bin", "morgana.js");
const copyRoot = join(
  tmpdir(),
  `morgana-bench-tcp-${createHash("sha256").update(repoRoot).digest("hex").slice(0, 8)}`,
);

function wrkOptions() {
  return { threads: 1, connections: CONNECTIONS, duration: DURATION };
}

interface DirectSite {
  ns: Netns;
  bridge: TapBridge;
  child: ReturnType<typeof spawn>;
  url: string;
}

const directSite: Side<DirectSite> = {
  name: "direct",
  role: "ours",
  describe:
    "static-website built for direct (Morgana's TCP/IP), wrk in a namespace over the tap bridge",
  async setup() {
    const dir = join(copyRoot, "direct");
    copySampleOnPort(SAMPLE, dir, "unix", 8080);
    runCommand(process.execPath, [cli, "build", "-t", "direct", "-p", dir], repoRoot);
    const ns = await makeNetns();
    const stackPort = await freeUdpPort();
    const bridge = await startTapBridge({
      tap: `mgh${process.pid % 10000}`,
      hostCidr: "10.214.0.1/24",
      stackPort,
      netns: ns.name,
      dhcp: { from: "10.214.0.50", to: "10.214.0.60" },
    });
    const child = spawn(process.execPath, [join(dir, "dist", "direct", "static-website.mjs")], {
      cwd: dir,
      env: {
        ...process.env,
        MORGANA_DIRECT_PORT: String(stackPort),
        MORGANA_DIRECT_PEER: String(bridge.socatPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BenchSetupError(`the direct unikernel never announced a URL:\n${out}`)),
        30_000,
      );
      const seen = (d: Buffer) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      };
      child.stdout?.on("data", seen);
      child.stderr?.on("data", seen);
      child.once("exit", (code) =>
        reject(new BenchSetupError(`the direct unikernel exited (${code}):\n${out}`)),
      );
    });
    return { ns, bridge, child, url };
  },
  async measure(ctx) {
    const r = await ctx.ns.exec("wrk", [
      `-t1`,
      `-c${CONNECTIONS}`,
      `-d${DURATION}s`,
      "--latency",
      ctx.url,
    ]);
    const result = parseWrkOutput(r.stdout);
    assertCleanRun(result, "static-website on direct", r.stdout);
    return {
      value: result.requestsPerSec,
      unit: "req/s",
      higherIsBetter: true,
      details: { ...result },
    };
  },
  async teardown(ctx) {
    ctx.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    await ctx.bridge.close();
    await ctx.ns.remove();
  },
};

const unixSite: Side<{ server: Server; url: string }> = {
  name: "unix",
  role: "peer",
  describe: "static-website built for unix (host sockets), wrk on 127.0.0.1",
  async setup() {
    const dir = join(copyRoot, "unix");
    const port = await freePort();
    copySampleOnPort(SAMPLE, dir, "unix", port);
    runCommand(process.execPath, [cli, "build", "-t", "unix", "-p", dir], repoRoot);
    const server = await startServer({
      name: "static-website (unix)",
      command: process.execPath,
      args: [join(dir, "dist", "unix", "static-website.mjs")],
      cwd: dir,
      host: "127.0.0.1",
      port,
    });
    return { server, url: `http://127.0.0.1:${port}/` };
  },
  async measure(ctx) {
    const { result, raw } = await runWrk(ctx.url, wrkOptions());
    assertCleanRun(result, "static-website on unix", raw);
    return {
      value: result.requestsPerSec,
      unit: "req/s",
      higherIsBetter: true,
      details: { ...result },
    };
  },
  teardown: (ctx) => stopServer(ctx.server),
};

// ---- The stack alone: CPU per segment over a simulated link ----

async function segmentCost(): Promise<{ segments: number; cpuMs: number; usPerSegment: number }> {
  const clock = new VirtualClock();
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const random = { fill: (b: Uint8Array) => b.map(() => Math.floor(next() * 256)) };
  const link = new SimLink(clock, { random: next, delayNs: 100_000n });
  const a = new NetStack(link.a, clock, random, { ipv4: "10.0.0.1/24" });
  const b = new NetStack(link.b, clock, random, { ipv4: "10.0.0.2/24" });
  let done = false;
  await b.tcp.listen(9, (f) => {
    void (async () => {
      while ((await f.read()) !== null) {}
      done = true;
      await f.close();
    })();
  });
  const chunk = new Uint8Array(64 * 1024);
  void (async () => {
    const f = await a.tcp.connect({ address: "10.0.0.2", port: 9 });
    for (let s = 0; s < BYTES; s += chunk.length) await f.write(chunk);
    await f.close();
  })();
  const cpu0 = process.cpuUsage();
  while (!done) {
    await new Promise((r) => setImmediate(r));
    clock.step(clock.monotonicNs() + 10_000_000_000n);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Each segment is emitted by one stack and taken in by the other: one "segment" here is
  // both halves of its life, plus the simulated link's copy.
  const segments = a.tcpCore.counters.segmentsOut + b.tcpCore.counters.segmentsOut;
  await a.close();
  await b.close();
  return { segments, cpuMs, usPerSegment: (cpuMs * 1000) / segments };
}

async function runOne(bench: Benchmark, o: RunOptions): Promise<void> {
  const result = await runBenchmark(bench, o);
  if (o.resultsDir !== null)
    progress(`[${bench.name}] result written to ${writeResult(result, o.resultsDir)}`);
  process.stdout.write(`${o.json ? JSON.stringify(result, null, 2) : formatResult(result)}\n`);
}

const problem = bridgeProblem(true);
if (problem && only !== "segment") {
  progress(
    `bench failed: ${problem}; run it as root (sudo npx tsx bench/tcp.ts), or --only segment`,
  );
  process.exit(1);
}
const parameters = { megabytes: BYTES / 1e6, duration: DURATION, connections: CONNECTIONS };
try {
  if (only === null || only === "throughput") {
    await runOne(
      {
        name: "tcp-linux-to-morgana",
        description: `${BYTES / 1e6} MB from Linux (socat) to a discard server, over the tap bridge`,
        target: 0.8,
        parameters,
        sides: [linuxToMorgana, linuxBaseline("a->b")],
      },
      runOptions,
    );
    await runOne(
      {
        name: "tcp-morgana-to-linux",
        description: `${BYTES / 1e6} MB to Linux (socat, discarding), over the tap bridge`,
        target: 0.8,
        parameters,
        sides: [morganaToLinux, linuxBaseline("b->a")],
      },
      runOptions,
    );
  }
  if (only === null || only === "http") {
    await runOne(
      {
        name: "tcp-http-direct",
        description: `static-website, GET / keep-alive, wrk -t1 -c${CONNECTIONS} -d${DURATION}s: direct beside unix`,
        parameters,
        sides: [directSite, unixSite],
      },
      runOptions,
    );
  }
  if (only === null || only === "segment") {
    const s = await segmentCost();
    process.stdout.write(
      `tcp-segment-cost: ${s.usPerSegment.toFixed(1)} us of CPU per segment (${s.segments} segments of a ${BYTES / 1e6} MB transfer between two stacks over a simulated link, ${s.cpuMs.toFixed(0)} ms CPU; both ends and the link counted)\n`,
    );
  }
} catch (e) {
  if (e instanceof BenchSetupError) {
    progress(`bench failed: ${e.message}`);
    process.exit(1);
  }
  throw e;
}
