import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureXsLibrary } from "../../runtime/baremetal/build/index.ts";
import { createKvRo } from "../../runtime/unix/src/index.ts";
import { build, run } from "../../tool/src/api/index.ts";
import { linkFaultImage, staticWebsiteForBoard } from "./lib/board.ts";
import { morgana } from "./lib/morgana.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");

describe("board: the cubieboard2 target builds and boots samples/hello (tool API, real QEMU)", () => {
  let dir: string;
  const steps: string[] = [];

  before(async function () {
    // XS compiles once per machine; then every build only bundles and links.
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = mkdtempSync(join(tmpdir(), "morgana-board-target-"));
    cpSync(join(ROOT, "samples", "hello"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${join("hello", "dist")}`),
    });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("`build -t cubieboard2` links dist/cubieboard2/hello.elf and reports its size", async () => {
    const progress = {
      step: async <T>(label: string, work: () => Promise<T>) => {
        steps.push(label);
        return work();
      },
    };
    const started = performance.now();
    const result = await build({ projectDir: dir, target: "cubieboard2", progress });
    const ms = performance.now() - started;
    assert.ok(result.ok, JSON.stringify(result.diagnostics));
    assert.equal(result.output, join("dist", "cubieboard2", "hello.elf"));
    assert.ok(existsSync(join(dir, "dist", "cubieboard2", "hello.debug.elf")));
    assert.ok(existsSync(join(dir, "dist", "cubieboard2", "hello.js.map")), "source map beside");
    // Stripped image: XS, the platform, the bundle; well under the 1.5 MB goal.
    assert.ok((result.bytes ?? 0) > 300_000 && (result.bytes ?? 0) < 1_500_000, `${result.bytes}`);
    assert.ok(
      steps.some((s) => /^image: text \d+ KiB, data \d+ KiB, bss \d+ KiB$/.test(s)),
      steps.join("; "),
    );
    assert.ok(ms < 15_000, `a rebuild took ${ms} ms`);
  });

  it("`run -t cubieboard2` boots it in QEMU: hello's lines, then exit 0", async () => {
    const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
    assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
    let out = "";
    started.instance.onOutput((text) => {
      out += text;
    });
    const code = await started.instance.exited;
    const lines = out.split(/\r?\n/).filter((l) => l !== "");
    assert.equal(code, 0, out);
    assert.equal(lines[0], "hello from a Morgana unikernel");
    assert.match(lines[4] ?? "", /^tick 4\/4 at \d+ ms$/);
    assert.equal(lines[5], "goodbye");
  });
});

describe("board: samples/static-website on the emulated board, through QEMU's forwarded port", () => {
  let dir: string;
  let port: number;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    ({ dir, port } = await staticWebsiteForBoard("morgana-board-site-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("takes its address by DHCP and serves every file byte-exact, with the unix target's ETags", async function () {
    this.timeout(60_000);
    const built = await build({ projectDir: dir, target: "cubieboard2" });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
    const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
    assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
    const board = started.instance;
    let out = "";
    board.onOutput((text) => {
      out += text;
    });
    try {
      // start() runs once DHCP gave the stack its address; the app then says it serves.
      const deadline = Date.now() + 30_000;
      while (!out.includes("serving htdocs on port 80")) {
        assert.ok(Date.now() < deadline, `no "serving" line; console: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const base = `http://127.0.0.1:${port}`;
      // The forwarded URL, announced by the runtime and picked up by `run`.
      assert.deepEqual(board.urls, [`${base}/`]);
      let first: Response | undefined;
      while (!first) {
        assert.ok(Date.now() < deadline, `no answer on ${base}; console: ${out}`);
        first = await fetch(`${base}/`, { signal: AbortSignal.timeout(2000) }).catch(
          () => undefined,
        );
      }
      assert.equal(first.status, 200);
      await first.arrayBuffer();
      const htdocs = join(dir, "htdocs");
      const unix = createKvRo(htdocs);
      for (const name of readdirSync(htdocs)) {
        const res = await fetch(`${base}/${name}`);
        assert.equal(res.status, 200, name);
        const body = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual(body, new Uint8Array(readFileSync(join(htdocs, name))), name);
        const digest = await unix.digest(name);
        assert.equal(res.headers.get("etag"), `"${digest?.slice(0, 32)}"`, name);
      }
      const missing = await fetch(`${base}/nope.html`);
      assert.equal(missing.status, 404);
      await missing.arrayBuffer();
    } finally {
      await board.stop();
    }
  });
});

describe("board: `morgana run -t cubieboard2` passes a failing guest's report and exit code on", () => {
  let dir: string;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = mkdtempSync(join(tmpdir(), "morgana-board-fail-"));
    cpSync(join(ROOT, "samples", "hello"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${join("hello", "dist")}`),
    });
    writeFileSync(
      join(dir, "src", "unikernel.ts"),
      [
        'import type { Devices } from "morgana:devices";',
        "",
        "export async function start({ console }: Devices): Promise<void> {",
        '  await console.log("about to fail");',
        '  throw new RangeError("the moon is made of cheese");',
        "}",
        "",
      ].join("\n"),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a guest whose start() throws: its error on the console, exit 1", async function () {
    this.timeout(60_000);
    const r = await morgana(["run", "-t", "cubieboard2"], dir);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /about to fail/);
    assert.match(r.stdout, /hello: error: the moon is made of cheese/);
    assert.match(r.stderr, /the unikernel exited with 1: the unikernel failed: start\(\) threw/);
  });

  it("a guest that runs out of memory: XS's report with the JS stack, exit 2", async function () {
    this.timeout(120_000);
    writeFileSync(
      join(dir, "src", "unikernel.ts"),
      [
        'import type { Devices } from "morgana:devices";',
        "",
        "export async function start({ console }: Devices): Promise<void> {",
        '  await console.log("allocating");',
        "  const keep: Uint8Array[] = [];",
        "  for (;;) keep.push(new Uint8Array(1 << 20));",
        "}",
        "",
      ].join("\n"),
    );
    const yaml = join(dir, "unikernel.yaml");
    writeFileSync(yaml, `${readFileSync(yaml, "utf8")}targets:\n  cubieboard2:\n    memory: 32M\n`);
    const r = await morgana(["run", "-t", "cubieboard2"], dir);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /allocating/);
    assert.match(r.stdout, /XS ABORT: out of memory/);
    assert.match(r.stdout, /JS stack \(innermost first\):/);
    assert.match(r.stderr, /the unikernel exited with 2: XS gave up: out of memory/);
  });

  it("a guest that faults in C: the crash report with registers, exit 3", async function () {
    this.timeout(120_000);
    // No JS can fault the CPU: the artifact is a platform-only image that faults in C, booted
    // by `run --no-build` exactly as a built one is.
    mkdirSync(join(dir, "dist", "cubieboard2"), { recursive: true });
    await linkFaultImage(dir, join(dir, "dist", "cubieboard2", "hello.elf"));
    const r = await morgana(["run", "-t", "cubieboard2", "--no-build"], dir);
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /about to fault/);
    assert.match(r.stdout, /CRASH: data abort at pc 0x4000[0-9a-f]{4}/);
    assert.match(r.stdout, /read of address 0x00000123: translation fault/);
    assert.match(r.stdout, /sp {2}0x4[0-9a-f]{7} lr {2}0x[0-9a-f]{8} pc {2}0x[0-9a-f]{8} cpsr/);
    assert.match(
      r.stderr,
      /the unikernel exited with 3: the CPU faulted .*arm-none-eabi-addr2line -f -e dist\/cubieboard2\/hello\.debug\.elf PC/,
    );
    const json = await morgana(["run", "-t", "cubieboard2", "--no-build", "--json"], dir);
    const result = JSON.parse(json.stdout);
    assert.equal(result.exitCode, 3);
    assert.match(result.exitMeaning, /^the CPU faulted/);
  });
});
