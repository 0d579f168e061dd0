import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launch } from "../../emulator/src/index.ts";
import {
  bundleForBoard,
  ensureXsLibrary,
  linkImage,
  QEMU_BOARD,
} from "../../runtime/baremetal/build/index.ts";
import { MORGANA } from "./lib/morgana.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const HELLO = join(ROOT, "samples", "hello", "src", "unikernel.ts");

/** The C source files an ELF was linked from (its FILE symbols; the debug ELF keeps them). */
async function sourceFiles(elf: string): Promise<string[]> {
  const out = await new Promise<string>((done, fail) =>
    execFile("arm-none-eabi-readelf", ["-s", elf], { maxBuffer: 64 << 20 }, (e, o) =>
      e ? fail(e) : done(o),
    ),
  );
  return [...out.matchAll(/\sFILE\s+LOCAL\s+\S+\s+ABS\s+(\S+)$/gm)].map((m) => m[1] as string);
}

/**
 * A platform-only image (no XS) that drives the interrupt controller by hand, with IRQs
 * masked, through intc.h: arm timer 0, wait for its interrupt, check that the acknowledged
 * interrupt is not pending again while active, clear it, end it; three rounds. A driver that
 * never acknowledged, or never ended, an interrupt fails the second check or the next round.
 */
const POLL_MAIN = `
#include "board.h"
#include "intc.h"
#include "platform.h"

/* QEMU's orangepi-pc is an Allwinner H3: its timer 0 raises SPI 18, interrupt ID 50. */
#define H3_TIMER0_ID 50
#define TMR_IRQ_STA 0x04
#define TMR0_CTRL 0x10
#define TMR0_INTV 0x14

static int wait_pending(void) {
  for (unsigned long spins = 0; spins < 50000000ul; spins++) {
    int id = intc_pending();
    if (id >= 0) return id;
  }
  return -1;
}

int runtime_main(void) {
  __asm__ volatile("cpsid i" ::: "memory"); /* poll the controller; take nothing */
  intc_enable(H3_TIMER0_ID);
  if (intc_pending() != -1) {
    platform_printf("gic: an interrupt is pending before the timer runs\\n");
    return 1;
  }
  for (int round = 0; round < 3; round++) {
    mmio_write(TIMER_BASE + TMR0_CTRL, 0);
    mmio_write(TIMER_BASE + TMR0_INTV, TIMER_HZ / 1000u); /* 1 ms, one-shot, 24 MHz */
    mmio_write(TIMER_BASE + TMR0_CTRL, (1u << 7) | (1u << 2) | (1u << 1) | 1u);
    int id = wait_pending();
    int again = intc_pending();
    platform_printf("gic: round %d: interrupt %d, then %d while active\\n", round, id, again);
    if (id != H3_TIMER0_ID || again != -1) return 1;
    mmio_write(TIMER_BASE + TMR_IRQ_STA, 1);
    intc_done((unsigned)id);
  }
  platform_printf("gic: done\\n");
  return 0;
}
`;

/**
 * The real Cubieboard2's A20 has a GIC-400 where QEMU's cubieboard (an A10) has the A10
 * controller, and QEMU 7.2 has no A20 to boot. So: the image links for the A20 with the GIC
 * driver and without the A10 one; and the GIC driver runs against QEMU's GIC-400 model on
 * its orangepi-pc machine, an Allwinner H3 that has the GIC at the A20's addresses
 * (0x01C81000, 0x01C82000), the same timer block at 0x01C20C00 and UART0 at 0x01C28000.
 */
describe("board: the A20 build (-DBOARD_REAL_A20, the GIC-400 driver)", function () {
  this.timeout(120_000);
  let dir: string;

  before(async function () {
    // XS compiles once per machine (about a minute on two idle cores); then it is cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = mkdtempSync(join(tmpdir(), "morgana-a20-test-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("hello links for the A20 with intc_gic.c and without intc_a10.c; the emulated build the other way round", async () => {
    const main = join(dir, "hello.ts");
    writeFileSync(
      main,
      [
        'import * as board from "@morgana/runtime-baremetal";',
        `import { start } from ${JSON.stringify(HELLO)};`,
        'board.boot({ name: "hello", target: "cubieboard2" }, () => ({ console: board.createConsole(), clock: board.createClock() }), start);',
        "",
      ].join("\n"),
    );
    assert.deepEqual(await bundleForBoard(main, join(dir, "hello.js"), ROOT), []);
    const a20 = await linkImage({
      bundle: join(dir, "hello.js"),
      out: join(dir, "a20", "hello.elf"),
      chip: "a20",
    });
    const a10 = await linkImage({ bundle: join(dir, "hello.js"), out: join(dir, "hello.elf") });
    const a20Files = await sourceFiles(a20.debugElf);
    const a10Files = await sourceFiles(a10.debugElf);
    assert.ok(a20Files.includes("intc_gic.c") && !a20Files.includes("intc_a10.c"), `${a20Files}`);
    assert.ok(a10Files.includes("intc_a10.c") && !a10Files.includes("intc_gic.c"), `${a10Files}`);
    assert.ok(a20.text > 500_000, `an XS image: text ${a20.text}`);
  });

  it("the GIC driver acknowledges and ends the timer's interrupt on QEMU's GIC-400 (orangepi-pc)", async () => {
    const src = join(dir, "gic-poll.c");
    writeFileSync(src, POLL_MAIN);
    writeFileSync(join(dir, "none.js"), ""); // a platform-only image embeds no script
    const image = await linkImage({
      bundle: join(dir, "none.js"),
      out: join(dir, "gic-poll.elf"),
      main: src,
      chip: "a20",
    });
    const run = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = execFile(
        QEMU_BOARD.qemu,
        [
          ...["-M", "orangepi-pc", "-m", "1024M", "-display", "none", "-monitor", "none"],
          ...["-serial", "stdio", "-no-reboot", "-semihosting-config", "enable=on,target=native"],
          ...["-kernel", image.elf],
        ],
        { timeout: 60_000 },
        (_e, out, err) => done({ code: child.exitCode, out: `${out}${err}` }),
      );
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /gic: round 0: interrupt 50, then -1 while active\r?\n/);
    assert.match(run.out, /gic: round 2: interrupt 50, then -1 while active\r?\ngic: done/);
  });

  it("`MORGANA_BOARD_CHIP=a20 morgana build -t cubieboard2` builds the real board's image; a wrong chip is refused by name", async () => {
    const project = join(dir, "cli", "hello");
    const env = { ...process.env, NO_COLOR: "1" };
    const morgana = (args: string[], extra: Record<string, string> = {}) =>
      new Promise<{ code: number; out: string }>((done) =>
        execFile(
          process.execPath,
          [MORGANA, ...args],
          { cwd: dir, env: { ...env, ...extra }, timeout: 300_000 },
          (e, out, err) => done({ code: e ? Number(e.code ?? 1) : 0, out: `${out}${err}` }),
        ),
      );
    const made = await morgana(["new", "hello", project]);
    assert.equal(made.code, 0, made.out);
    const built = await morgana(["build", "-t", "cubieboard2", "-p", project], {
      MORGANA_BOARD_CHIP: "a20",
    });
    assert.equal(built.code, 0, built.out);
    const files = await sourceFiles(join(project, "dist", "cubieboard2", "hello.debug.elf"));
    assert.ok(files.includes("intc_gic.c") && !files.includes("intc_a10.c"), `${files}`);
    // QEMU's cubieboard has no GIC: booting this image there is refused, not left to hang.
    const boot = await morgana(["run", "-t", "cubieboard2", "--no-build", "-p", project]);
    assert.notEqual(boot.code, 0);
    assert.match(boot.out, /is built for a real Cubieboard2 \(MORGANA_BOARD_CHIP=a20/);
    assert.throws(
      () => launch({ image: join(project, "dist", "cubieboard2", "hello.elf") }),
      /QEMU's cubieboard is an A10 and cannot boot it/,
    );
    const wrong = await morgana(["build", "-t", "cubieboard2", "-p", project], {
      MORGANA_BOARD_CHIP: "a30",
    });
    assert.notEqual(wrong.code, 0);
    assert.match(
      wrong.out,
      /MORGANA_BOARD_CHIP must be "a10" \(QEMU's cubieboard\) or "a20" \(a real Cubieboard2\), not "a30"/,
    );
  });
});
