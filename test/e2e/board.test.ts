import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Board, launch } from "../../emulator/src/index.ts";
import {
  bundleForBoard,
  ensureXsLibrary,
  type ImageResult,
  linkImage,
  packKv,
} from "../../runtime/baremetal/build/index.ts";
import { createKvRo } from "../../runtime/unix/src/index.ts";
import { linkFaultImage } from "./lib/board.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const HELLO = join(ROOT, "samples", "hello", "src", "unikernel.ts");
const SITE = join(ROOT, "samples", "static-website", "htdocs");

/** Boots an image to its end; stops QEMU if it outlives `ms`. */
async function boot(elf: string, opts: { seed?: boolean; ms?: number } = {}) {
  let board: Board | undefined;
  const guard = setTimeout(() => void board?.stop(), opts.ms ?? 15_000);
  try {
    board = launch({ image: elf, seed: opts.seed });
    const exit = await board.exited;
    return { ...exit, lines: board.lines, firstOutputMs: board.firstOutputMs };
  } finally {
    clearTimeout(guard);
  }
}

describe("board: bare-metal images on the emulated Cubieboard2 (QEMU)", () => {
  let dir: string;
  let hello: ImageResult;
  let linkMs: number;

  /** Bundles a wiring module (TypeScript source) and links it into an image. */
  async function image(name: string, wiring: string, kv?: Uint8Array, heapMiB?: number) {
    const app = join(dir, name);
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "main.ts"), wiring);
    const problems = await bundleForBoard(join(app, "main.ts"), join(app, `${name}.js`), ROOT);
    assert.deepEqual(problems, []);
    return linkImage({
      bundle: join(app, `${name}.js`),
      out: join(app, `${name}.elf`),
      kv,
      heapMiB,
    });
  }

  const wiring = (devices: string, body: string) =>
    [
      'import * as board from "@morgana/runtime-baremetal";',
      `board.boot({ name: "t", target: "cubieboard2" }, () => (${devices}), async (d: any) => {`,
      body,
      "});",
      "",
    ].join("\n");

  before(async function () {
    // XS compiles once per machine (about a minute on two idle cores); then it is cached.
    this.timeout(20 * 60_000);
    dir = mkdtempSync(join(tmpdir(), "morgana-board-test-"));
    await ensureXsLibrary();
    const started = performance.now();
    hello = await image(
      "hello",
      [
        'import * as board from "@morgana/runtime-baremetal";',
        `import { start } from ${JSON.stringify(HELLO)};`,
        'board.boot({ name: "hello", target: "cubieboard2" }, () => ({ console: board.createConsole(), clock: board.createClock() }), start);',
        "",
      ].join("\n"),
    );
    linkMs = performance.now() - started;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("links samples/hello into an image of about 1 MB, in seconds once XS is cached", () => {
    assert.ok(hello.text > 300_000 && hello.text < 1_500_000, `text is ${hello.text} bytes`);
    assert.ok(linkMs < 15_000, `bundling and linking took ${linkMs} ms`);
  });

  it("boots samples/hello unchanged: its lines, ticks 250 ms apart, exit 0", async () => {
    const run = await boot(hello.elf);
    assert.equal(run.code, 0, run.lines.join("\n"));
    assert.equal(run.lines[0], "hello from a Morgana unikernel");
    const ticks = run.lines.slice(1, 5).map((l) => /^tick (\d)\/4 at (\d+) ms$/.exec(l));
    ticks.forEach((m, i) => {
      assert.ok(m, `line ${i + 2}: ${run.lines[i + 1]}`);
      assert.equal(Number(m[1]), i + 1);
      // sleepNs never wakes early; under QEMU it may wake a little late.
      assert.ok(Number(m[2]) >= 250 * (i + 1) && Number(m[2]) < 250 * (i + 1) + 200, m[0]);
    });
    assert.equal(run.lines[5], "goodbye");
    assert.equal(run.lines.length, 6);
  });

  it("a start() that throws ends with the error on the console and exit 1", async () => {
    const img = await image(
      "throws",
      wiring("{}", '  throw new Error("the disk is made of cheese");'),
    );
    const run = await boot(img.elf);
    assert.equal(run.code, 1);
    assert.match(run.lines.join("\n"), /t: error: the disk is made of cheese/);
  });

  it("an app that runs out of memory ends with XS's report, the JS stack and exit 2", async () => {
    const img = await image(
      "oom",
      wiring(
        "{}",
        "  const keep: Uint8Array[] = [];\n  for (;;) keep.push(new Uint8Array(1 << 20));",
      ),
      undefined,
      32,
    );
    const run = await boot(img.elf);
    assert.equal(run.code, 2, run.lines.join("\n"));
    assert.match(run.lines.join("\n"), /XS ABORT: out of memory \(heap 32 MiB\)/);
    // Where JS was: the allocation that failed, innermost first.
    assert.match(
      run.lines.join("\n"),
      /JS stack \(innermost first\):\n {2}at ArrayBuffer\n {2}at Uint8Array/,
    );
  });

  it("the launcher's stop() ends a board that would run on, and leaves no QEMU behind", async () => {
    const img = await image(
      "sleeper",
      wiring(
        "{ console: board.createConsole(), clock: board.createClock() }",
        '  await d.console.log("sleeping");\n  await d.clock.sleepNs(600_000_000_000n);',
      ),
    );
    const lines: string[] = [];
    let sleeping: () => void = () => {};
    const asleep = new Promise<void>((r) => {
      sleeping = r;
    });
    const running = launch({
      image: img.elf,
      onLine: (l) => {
        lines.push(l);
        if (l === "sleeping") sleeping();
      },
    });
    await asleep;
    const exit = await running.stop();
    assert.equal(exit.stopped, true);
    assert.equal(exit.code, null, "a stopped board has no exit code of its own");
    assert.throws(() => process.kill(running.pid as number, 0), /ESRCH/, "QEMU is gone");
    assert.deepEqual(lines, ["sleeping"]);
  });

  it("a C fault prints the registers and the fault address, and exits 3", async () => {
    const img = await linkFaultImage(dir, join(dir, "fault.elf"));
    const run = await boot(img.elf);
    assert.equal(run.code, 3);
    const text = run.lines.join("\n");
    assert.match(text, /CRASH: data abort at pc 0x4000[0-9a-f]{4}/);
    assert.match(text, /read of address 0x00000123: translation fault/);
    assert.match(text, /sp {2}0x4[0-9a-f]{7} lr {2}0x[0-9a-f]{8} pc {2}0x[0-9a-f]{8} cpsr/);
  });

  describe("Random", () => {
    let img: ImageResult;
    before(async function () {
      this.timeout(60_000);
      img = await image(
        "random",
        wiring(
          "{ console: board.createConsole(), random: board.createRandom() }",
          [
            "  const b = d.random.fill(new Uint8Array(16));",
            '  await d.console.log("random " + [...b].map((x) => x.toString(16).padStart(2, "0")).join(""));',
          ].join("\n"),
        ),
      );
    });

    it("serves different bytes on each boot, from the emulator's fresh seed", async () => {
      const a = await boot(img.elf);
      const b = await boot(img.elf);
      assert.equal(a.code, 0, a.lines.join("\n"));
      assert.match(a.lines[0] ?? "", /^random [0-9a-f]{32}$/);
      assert.match(b.lines[0] ?? "", /^random [0-9a-f]{32}$/);
      assert.notEqual(a.lines[0], b.lines[0]);
    });

    it("refuses to serve on a board given no seed", async () => {
      const run = await boot(img.elf, { seed: false });
      assert.equal(run.code, 1);
      assert.match(run.lines.join("\n"), /random: the board was given no seed/);
    });
  });

  it("kv_ro packed into the image: the same keys, sizes and digests as on unix", async () => {
    const img = await image(
      "kv",
      wiring(
        '{ console: board.createConsole(), kv: board.createKvRo("htdocs") }',
        [
          "  const walk = async (key: string): Promise<void> => {",
          "    for (const e of await d.kv.list(key)) {",
          '      const k = key === "" ? e.name : key + "/" + e.name;',
          '      if (e.kind === "dictionary") await walk(k);',
          '      else await d.console.log(k + " " + (await d.kv.get(k)).length + " " + (await d.kv.digest(k)));',
          "    }",
          "  };",
          '  await walk("");',
          '  await d.console.log("missing " + (await d.kv.get("nope.html")) + " " + (await d.kv.exists("../etc")));',
        ].join("\n"),
      ),
      packKv({ htdocs: SITE, other: join(ROOT, "samples", "hello") }),
    );
    const run = await boot(img.elf);
    assert.equal(run.code, 0, run.lines.join("\n"));
    const unix = createKvRo(SITE);
    const expected: string[] = [];
    const walk = async (key: string): Promise<void> => {
      for (const e of await unix.list(key)) {
        const k = key === "" ? e.name : `${key}/${e.name}`;
        if (e.kind === "dictionary") await walk(k);
        else expected.push(`${k} ${(await unix.get(k))?.length} ${await unix.digest(k)}`);
      }
    };
    await walk("");
    assert.ok(expected.length > 1);
    assert.deepEqual(run.lines.slice(0, -1), expected);
    assert.equal(run.lines.at(-1), "missing null null");
  });
});
