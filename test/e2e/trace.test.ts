import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseTraceEventJson, type TraceEvent } from "../../stack/trace/index.ts";
import { makeNetns, netnsProblem } from "../unit/net/helpers/netns.ts";
import { freePort, morgana, Running, removeDir, tempDir } from "./lib/morgana.ts";

/** The trace file's events; fails on any line that is not one. */
function traceOf(file: string): TraceEvent[] {
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines.pop(), "", "the trace ends with a newline");
  return lines.map((line, i) => {
    const e = parseTraceEventJson(line);
    assert.ok(e, `line ${i + 1} is not a trace event: ${line.slice(0, 200)}`);
    return e;
  });
}

function curl(args: string[]): Promise<{ code: number; err: string }> {
  return new Promise((done) =>
    execFile("curl", ["-sS", "-o", "/dev/null", "--max-time", "10", ...args], (e, _out, err) =>
      done({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, err }),
    ),
  );
}

/** Ctrl-C, then the exit; the trace summary line is printed after the unikernel is gone. */
async function interrupt(run: Running): Promise<void> {
  run.interrupt();
  const { code, signal } = await run.exited;
  assert.ok(code === 130 || signal === "SIGINT", `exit ${code} ${signal}\n${run.stderr}`);
}

describe("e2e: `morgana run --trace FILE` on unix: https-site's TLS and HTTP events", function () {
  this.timeout(90_000);
  let dir: string;
  let run: Running | undefined;
  const savedCa = process.env.MORGANA_CA_DIR;
  const savedKeyLog = process.env.SSLKEYLOGFILE;

  before(async () => {
    dir = tempDir("trace");
    process.env.MORGANA_CA_DIR = join(dir, "ca");
    const made = await morgana(["new", "https-site", join(dir, "site")]);
    assert.equal(made.code, 0, made.stderr);
  });

  after(() => {
    run?.kill();
    for (const [k, v] of [
      ["MORGANA_CA_DIR", savedCa],
      ["SSLKEYLOGFILE", savedKeyLog],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    removeDir(dir);
  });

  it("a target without a trace channel refuses --trace with a usage error", async () => {
    const r = await morgana(["run", "-t", "cubieboard2", "--trace", "t.jsonl"], join(dir, "site"));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--trace is not available for the cubieboard2 target/);
  });

  it("curl's handshake is in the file, ClientHello to Finished, with the suite; no secret", async () => {
    const site = join(dir, "site");
    const [https, http] = [await freePort(), await freePort()];
    const yaml = join(site, "unikernel.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8").replace('"8443:443", "8080:80"', `"${https}:443", "${http}:80"`),
    );
    const keyLog = join(dir, "keys.log");
    const file = join(dir, "trace.jsonl");
    process.env.SSLKEYLOGFILE = keyLog;
    try {
      run = new Running(["run", "-t", "unix", "--trace", file, "--json"], site);
    } finally {
      delete process.env.SSLKEYLOGFILE;
    }
    await run.waitFor(new RegExp(`listening on https://127\\.0\\.0\\.1:${https}/`), 60_000);
    const got = await curl([
      "--tlsv1.3",
      "--cacert",
      join(dir, "ca", "ca.pem"),
      `https://localhost:${https}/`,
    ]);
    assert.equal(got.code, 0, got.err);
    await interrupt(run);

    const events = traceOf(file);
    const tls = events.filter((e) => e.layer === "tls");
    const ids = [...new Set(tls.map((e) => e.id))];
    assert.equal(ids.length, 1, `one TLS session: ${ids}`);
    const messages = tls
      .filter((e) => e.name === "handshake-message")
      .map((e) => `${e.detail?.direction} ${e.detail?.type}`);
    assert.deepEqual(messages, [
      "in ClientHello",
      "out ServerHello",
      "out EncryptedExtensions",
      "out Certificate",
      "out CertificateVerify",
      "out Finished",
      "in Finished",
    ]);
    const done = tls.filter((e) => e.name === "handshake-message").at(-1);
    assert.equal(done?.state.version, "TLSv1.3");
    assert.match(
      String(done?.state.suite),
      /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20)/,
    );
    assert.equal(done?.state.sni, "localhost");
    assert.equal(done?.state.alpn, "http/1.1");
    // The events are in the core's time order, and HTTP reported the request over TLS.
    const times = events.map((e) => e.atNs);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const request = events.find((e) => e.layer === "http" && e.name === "request");
    assert.equal(request?.detail?.target, "/");

    // The key log has the session's secrets; not one of them (nor the client random that
    // names them) is anywhere in the trace.
    const text = readFileSync(file, "utf8").toLowerCase();
    const logLines = readFileSync(keyLog, "utf8").trim().split("\n");
    assert.ok(logLines.length >= 4, `the key log has the session: ${logLines.length} lines`);
    for (const line of logLines) {
      const [label, random, secret] = line.split(" ");
      assert.ok(random && secret, line);
      assert.ok(!text.includes(secret.toLowerCase()), `${label} is in the trace`);
      assert.ok(!text.includes(secret.slice(0, 16).toLowerCase()), `part of ${label} is in it`);
      assert.ok(!text.includes(random.toLowerCase()), "the client random is in the trace");
    }

    const result = JSON.parse(run.stdout);
    assert.equal(result.trace.file, file);
    assert.equal(result.trace.events, events.length);
    assert.equal(result.trace.dropped, 0);

    // `morgana trace FILE`: the same session, summed up.
    const summary = await morgana(["trace", file, "--json"]);
    assert.equal(summary.code, 0, summary.stderr);
    const s = JSON.parse(summary.stdout);
    assert.equal(s.events, events.length);
    assert.equal(s.badLines, 0);
    const session = s.items.find((i: { layer: string }) => i.layer === "tls");
    assert.equal(session.id, ids[0]);
    assert.equal(session.events, tls.length);
    assert.equal(session.names["handshake-message"], 7);
    assert.equal(session.state.suite, done?.state.suite);
    const printed = await morgana(["trace", file]);
    assert.match(
      printed.stdout,
      /^tls tls:443#0-127\.0\.0\.1:\d+ +\d+ events, [\d.]+ ms\n {2}TLSv1\.3 TLS_\S+ x25519 /m,
    );
    assert.match(printed.stdout, /^http http:443#0-127\.0\.0\.1:\d+ .*\n {2}closed .*1 requests$/m);
    const missing = await morgana(["trace", join(dir, "nope.jsonl")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.jsonl/);
  });
});

describe("e2e: `morgana run -t direct --trace FILE`: static-website's TCP connection", function () {
  this.timeout(120_000);
  let dir: string;
  let ns: Awaited<ReturnType<typeof makeNetns>> | undefined;
  let run: Running | undefined;

  before(async () => {
    const problem = netnsProblem(true);
    if (problem) assert.fail(`the direct target needs a tap and a namespace: ${problem}`);
    ns = await makeNetns();
    dir = tempDir("trace-direct");
    const made = await morgana(["new", "static-website", join(dir, "site")]);
    assert.equal(made.code, 0, made.stderr);
  });

  after(async () => {
    run?.kill();
    await ns?.remove();
    if (dir) removeDir(dir);
  });

  it("the file has the connection from SYN-RECEIVED through ESTABLISHED to its close", async () => {
    assert.ok(ns);
    const file = join(dir, "trace.jsonl");
    process.env.MORGANA_DIRECT_NETNS = ns.name;
    try {
      run = new Running(["run", "-t", "direct", "--trace", file], join(dir, "site"));
    } finally {
      delete process.env.MORGANA_DIRECT_NETNS;
    }
    const m = await run.waitFor(/listening on (http:\/\/10\.77\.0\.\d+:80\/)/, 60_000);
    const got = await ns.exec("curl", [
      "-sS",
      "-f",
      "-o",
      "/dev/null",
      "--max-time",
      "10",
      `${m[1]}`,
    ]);
    assert.equal(got.code, 0, got.stderr);
    // The connection closes after curl leaves; give the last ACK a moment before stopping.
    await new Promise((r) => setTimeout(r, 500));
    await interrupt(run);
    assert.match(run.stderr, new RegExp(`trace: \\d+ events in ${file}`));

    const tcp = traceOf(file).filter((e) => e.layer === "tcp" && e.id.includes(":80-"));
    const ids = [...new Set(tcp.map((e) => e.id))];
    assert.equal(ids.length, 1, `one connection to port 80: ${ids}`);
    const states = tcp.filter((e) => e.name === "state").map((e) => e.detail?.to);
    assert.deepEqual(states.slice(0, 2), ["SYN-RECEIVED", "ESTABLISHED"], `states: ${states}`);
    assert.ok(
      ["CLOSED", "TIME-WAIT"].includes(String(states.at(-1))),
      `the connection ended: ${states}`,
    );
    // Segments both ways, the first one in being curl's SYN, each with the state after it.
    const first = tcp.find((e) => e.name === "segment-in");
    assert.equal(first?.name, "segment-in");
    assert.equal(first?.detail?.flags, "SYN");
    assert.equal(first?.state.state, "SYN-RECEIVED");
    assert.ok(tcp.some((e) => e.name === "segment-out" && e.detail?.flags === "SYN,ACK"));
    const established = tcp.find((e) => e.name === "state" && e.detail?.to === "ESTABLISHED");
    for (const k of ["sndUna", "sndNxt", "sndWnd", "rcvNxt", "rcvWnd", "cwnd", "ssthresh", "rto"]) {
      assert.equal(typeof established?.state[k], "number", `${k} in the state`);
    }
    const summary = JSON.parse((await morgana(["trace", file, "--json"])).stdout);
    const conn = summary.items.find((i: { id: string }) => i.id === ids[0]);
    assert.equal(conn.events, tcp.length);
    assert.equal(conn.state.state, states.at(-1));
    assert.equal(conn.names["segment-in"], tcp.filter((e) => e.name === "segment-in").length);
  });
});
