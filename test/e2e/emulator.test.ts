import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Board, launch } from "../../emulator/src/index.ts";
import { bundleForBoard, ensureXsLibrary, linkImage } from "../../runtime/baremetal/build/index.ts";
import { build } from "../../tool/src/api/index.ts";
import { exec, freePort, Running } from "./lib/morgana.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds, polling; fails with `what` and the console after `ms`. */
async function until(ok: () => boolean, what: string, board: Board, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    assert.ok(Date.now() < deadline, `${what}; console:\n${board.lines.join("\n")}`);
    await sleep(100);
  }
}

/** QEMU's temp dir (seed, QMP socket) from its command line, to check it is removed. */
function qemuDir(pid: number): string {
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const qmp = args[args.indexOf("-qmp") + 1] ?? "";
  return qmp.replace(/^unix:/, "").replace(/\/qmp\.sock$/, "");
}

/** The pcap file's records (libpcap format, as QEMU's filter-dump writes it). */
function pcapRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  assert.ok(file.byteLength >= 24, "a pcap global header");
  // Magic 0xa1b2c3d4 in the writer's byte order; QEMU writes the host's (little-endian here).
  assert.equal(view.getUint32(0, true), 0xa1b2c3d4, "pcap magic");
  assert.equal(view.getUint32(20, true), 1, "link type Ethernet");
  const records: Uint8Array[] = [];
  let at = 24;
  while (at + 16 <= file.byteLength) {
    const captured = view.getUint32(at + 8, true);
    records.push(file.subarray(at + 16, at + 16 + captured));
    at += 16 + captured;
  }
  assert.equal(at, file.byteLength, "records end where the file ends");
  return records;
}

/**
 * The launcher's QMP control (pause, resume, quit, state) and its pcap capture, with real QEMU
 * and real images: a ticking image whose ticks must stop while paused, and static-website,
 * which must not answer while paused and must answer once resumed.
 */
describe("emulator: QMP pause, resume and quit; pcap capture of the board's network", function () {
  this.timeout(120_000);
  let dir: string;
  let ticker: string;
  let site: string;
  let project: string;
  let cliPort: number;

  before(async function () {
    // XS compiles once per machine (about a minute on two idle cores); then it is cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = mkdtempSync(join(tmpdir(), "morgana-emulator-test-"));
    writeFileSync(
      join(dir, "ticker.ts"),
      [
        'import * as board from "@morgana/runtime-baremetal";',
        'board.boot({ name: "ticker", target: "cubieboard2" }, () => ({ console: board.createConsole(), clock: board.createClock() }), async (d: any) => {',
        "  for (let i = 0; ; i++) {",
        '    await d.console.log("tick " + i);',
        "    await d.clock.sleepNs(100_000_000n);",
        "  }",
        "});",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      await bundleForBoard(join(dir, "ticker.ts"), join(dir, "ticker.js"), ROOT),
      [],
    );
    ticker = (await linkImage({ bundle: join(dir, "ticker.js"), out: join(dir, "ticker.elf") }))
      .elf;

    project = join(dir, "static-website");
    cpSync(join(ROOT, "samples", "static-website"), project, {
      recursive: true,
      filter: (src) => !src.includes(join("static-website", "dist")),
    });
    cliPort = await freePort();
    const yaml = join(project, "unikernel.yaml");
    writeFileSync(
      yaml,
      `${readFileSync(yaml, "utf8")}  cubieboard2:\n    ports: ["${cliPort}:80"]\n`,
    );
    const built = await build({ projectDir: project, target: "cubieboard2" });
    assert.ok(built.ok && built.output, JSON.stringify(built.diagnostics));
    site = join(project, built.output);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a paused board's ticks stop; resumed, they go on; quit ends QEMU and removes its files", async () => {
    const board = launch({ image: ticker });
    try {
      const ticks = () => board.lines.filter((l) => l.startsWith("tick ")).length;
      await until(() => ticks() >= 3, "no ticks", board);
      assert.equal(await board.state(), "running");
      await board.pause();
      assert.equal(await board.state(), "paused");
      const frozen = ticks();
      // Ten tick periods: a running board would print about ten lines.
      await sleep(1000);
      assert.equal(ticks(), frozen, "no tick while paused");
      await board.resume();
      assert.equal(await board.state(), "running");
      await until(() => ticks() >= frozen + 3, "no ticks after resume", board);
      const lines = board.lines.filter((l) => l.startsWith("tick "));
      assert.deepEqual(
        lines,
        lines.map((_, i) => `tick ${i}`),
        "every tick once, in order, across the pause",
      );
      const tmp = qemuDir(board.pid as number);
      assert.ok(existsSync(join(tmp, "seed.bin")), `QEMU's dir ${tmp} holds the seed`);
      const exit = await board.quit();
      assert.equal(exit.stopped, true);
      assert.equal(exit.code, null, "a board that was quit has no exit code of its own");
      assert.equal(await board.state(), "exited");
      assert.throws(() => process.kill(board.pid as number, 0), /ESRCH/, "QEMU is gone");
      assert.equal(existsSync(tmp), false, "the seed and the QMP socket are removed");
      await assert.rejects(board.pause(), /the board has exited; cannot stop/);
    } finally {
      await board.stop();
    }
  });

  it("static-website does not answer while paused and answers once resumed; the pcap holds the request", async () => {
    const port = await freePort();
    const pcap = join(dir, "site.pcap");
    const board = launch({
      image: site,
      net: { forwards: [{ host: port, guest: 80, protocol: "tcp" }] },
      pcap,
    });
    try {
      await until(
        () => board.lines.some((l) => l.includes("serving htdocs on port 80")),
        "static-website never served",
        board,
      );
      const url = `http://127.0.0.1:${port}/index.html`;
      const page = readFileSync(join(ROOT, "samples", "static-website", "htdocs", "index.html"));
      const first = await exec("curl", ["-sS", "-f", "--max-time", "30", url]);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, page.toString("utf8"));

      await board.pause();
      // QEMU's slirp still accepts on the host side, but no byte comes back from the guest.
      const paused = await exec("curl", ["-sS", "-f", "--max-time", "3", url]);
      assert.equal(paused.code, 28, `curl timed out (28), got ${paused.code}: ${paused.stderr}`);
      await board.resume();
      const after = await exec("curl", ["-sS", "-f", "--max-time", "30", url]);
      assert.equal(after.code, 0, after.stderr);
      assert.equal(after.stdout, page.toString("utf8"));
    } finally {
      await board.quit();
    }
    // The capture: the guest's DHCP and the HTTP exchanges, both directions, as Ethernet.
    const records = pcapRecords(readFileSync(pcap));
    const text = records.map((r) => Buffer.from(r).toString("latin1"));
    const requests = text.filter((t) => t.includes("GET /index.html HTTP/1.1\r\n"));
    assert.ok(requests.length >= 2, `${requests.length} HTTP requests in ${records.length} frames`);
    assert.ok(
      text.some((t) => t.includes("HTTP/1.1 200 OK\r\n")),
      "a response from the guest is captured too",
    );
    // The guest's MAC is the source of some frame (bytes 6..12 of the Ethernet header).
    const guestMac = "52:54:00:12:34:56";
    assert.ok(
      records.some(
        (r) =>
          [...r.subarray(6, 12)].map((b) => b.toString(16).padStart(2, "0")).join(":") === guestMac,
      ),
    );
    // And a standard reader agrees (Debian's tcpdump, installed by the set-up).
    const tcpdump = await exec("tcpdump", ["-nn", "-r", pcap, "tcp port 80"]);
    assert.equal(tcpdump.code, 0, tcpdump.stderr);
    assert.match(tcpdump.stdout, /10\.0\.2\.15\.80 > 10\.0\.2\.2\.\d+: Flags \[/);
  });

  it("`morgana run -t cubieboard2 --pcap FILE` captures the traffic; Ctrl-C leaves no QEMU", async () => {
    const pcap = join(dir, "cli.pcap");
    const run = new Running(["run", "-t", "cubieboard2", "--no-build", "--pcap", pcap], project);
    try {
      await run.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+\//, 60_000);
      const got = await exec("curl", [
        "-sS",
        "-f",
        "--max-time",
        "30",
        `http://127.0.0.1:${cliPort}/`,
      ]);
      assert.equal(got.code, 0, got.stderr);
      const qemu = await exec("pgrep", ["-g", String(run.child.pid), "-f", "qemu-system-arm"]);
      assert.equal(qemu.code, 0, "QEMU runs in the run's process group");
      run.interrupt();
      await run.exited;
      const left = await exec("pgrep", ["-g", String(run.child.pid), "-f", "qemu-system-arm"]);
      assert.equal(left.code, 1, `no QEMU left: ${left.stdout}`);
    } finally {
      run.kill();
    }
    const tcpdump = await exec("tcpdump", ["-nn", "-A", "-r", pcap, "tcp port 80"]);
    assert.equal(tcpdump.code, 0, tcpdump.stderr);
    assert.match(tcpdump.stdout, /GET \/ HTTP\/1\.1/);
    assert.match(tcpdump.stdout, /HTTP\/1\.1 200 OK/);
  });
});
