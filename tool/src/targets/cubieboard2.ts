import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import {
  imageHasDebugger,
  linkImage,
  linkSnapshotImage,
  missingToolchain,
  packKv,
  QEMU_BOARD,
  qemuArgs,
  SnapshotError,
  seedFile,
  unbootableInQemu,
} from "../../../runtime/baremetal/build/index.ts";
import { checkoutPath } from "../checkout.ts";
import type { DeviceConfig, Diagnostic } from "../config/index.ts";
import type { Target, WiringContext } from "./types.ts";
import { tlsStackCall, unixTarget } from "./unix.ts";

const lit = (v: unknown) => JSON.stringify(v);

/**
 * guest port -> the URL the host reaches it at, for each HTTP device on this stack (https for
 * one on a tls device over it) whose port is forwarded (targets.cubieboard2.ports): the
 * runtime prints it once listening.
 */
function announced(stack: DeviceConfig, ctx: WiringContext): string {
  // An http device on a tls device over this stack listens here too, speaking https.
  const tlsOver = new Set(
    ctx.devices.filter((d) => d.type === "tls" && d.deps.stack === stack.name).map((d) => d.name),
  );
  const entries = ctx.devices.flatMap((d) => {
    if (d.type !== "http") return [];
    const scheme =
      d.deps.stack === stack.name ? "http" : tlsOver.has(d.deps.stack) ? "https" : null;
    if (scheme === null) return [];
    const fwd = ctx.options.ports.find((p) => p.protocol === "tcp" && p.guest === d.options.port);
    return fwd ? [`${d.options.port}: ${lit(`${scheme}://127.0.0.1:${fwd.host}/`)}`] : [];
  });
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}
const MiB = 1024 * 1024;
/** DRAM the image, its stacks and the seed take before the heap starts (link.ld). */
const RESERVED_MiB = 8;

/** Why the target cannot build or boot here (checked once per process), or null. */
let missing: string | null | undefined;
function whyUnavailable(): string | null {
  if (missing === undefined) {
    const toolchain = missingToolchain();
    const qemu = spawnSync(QEMU_BOARD.qemu, ["--version"], { stdio: "ignore" });
    const install = [
      toolchain,
      qemu.error || qemu.status !== 0
        ? process.env.MORGANA_QEMU
          ? `fix MORGANA_QEMU: ${QEMU_BOARD.qemu} does not run`
          : "apt-get install -y qemu-system-arm"
        : null,
    ].filter((x): x is string => x !== null);
    missing =
      install.length === 0
        ? null
        : `the cubieboard2 target needs the ARM toolchain and QEMU: ${install.join(" && ")} (or run npm run setup as root)`;
  }
  return missing;
}

/**
 * The Cubieboard2: the app and the stack bundled as one script, linked with the XS engine
 * and Morgana's C platform into a bare-metal ARM image (runtime/baremetal), booted in QEMU's
 * `cubieboard` machine (emulator/ holds the board profile and its differences).
 */
export const cubieboard2Target: Target = {
  name: "cubieboard2",
  summary: "a bare-metal ARMv7 image (XS + Morgana's C platform), booted in QEMU's cubieboard",
  get unavailable() {
    return whyUnavailable();
  },
  wiring: {
    boot: "board.boot",
    imports: {
      "@morgana/runtime-baremetal": "* as board",
      "@morgana/stack/http": "{ createHttpServer }",
      "@morgana/stack/tls": "{ createTlsStack }",
    },
    prelude: [],
  },
  bundle: {
    platform: "neutral",
    format: "iife",
    target: "es2022",
    // XS 13.3 fails on a class whose static field constructs the class (@noble/curves).
    supported: { "class-static-field": false },
    file: (name) => `${name}.js`,
  },
  // The variants this target offers ("debug", "snapshot", "pcap"): each is listed here once
  // its link (ctx.flags) and launch (ctx.flags) parts have landed, never before.
  flags: ["pcap", "snapshot", "debug"],
  artifact: (name) => `${name}.elf`,
  async link(ctx) {
    const stores: Record<string, string> = {};
    for (const d of ctx.config.devices) {
      if (d.type === "kv_ro") stores[d.name] = resolve(ctx.root, d.options.path);
    }
    const memory = ctx.config.targets.cubieboard2?.memoryBytes;
    const out = join(ctx.outDir, `${ctx.config.name}.elf`);
    const diagnostics: Diagnostic[] = [];
    try {
      const input = {
        bundle: ctx.bundle,
        out,
        kv: Object.keys(stores).length > 0 ? packKv(stores) : null,
        heapMiB: memory === undefined ? undefined : Math.max(4, memory / MiB - RESERVED_MiB),
        // --debug: XS with its debugger (xsbug over the UART; launch splits it off).
        xs: { debug: ctx.flags.debug === true },
      };
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      // --snapshot: boot once in QEMU to evaluate the bundle, ship XS's heap instead of it.
      const image = ctx.flags.snapshot
        ? await ctx.step("boot the image once in QEMU and take an XS heap snapshot", async () => {
            const made = await linkSnapshotImage(input);
            await ctx.step(
              `snapshot: ${kib(made.snapshotBytes)} of XS heap, ${kib(made.packedBytes)} packed (taken in ${(made.takeMs / 1000).toFixed(1)} s), restored at boot instead of evaluating the bundle`,
              async () => {},
            );
            return made;
          })
        : await ctx.step("link the image with XS and the board's platform", () => linkImage(input));
      await ctx.step(
        `image: text ${kib(image.text)}, data ${kib(image.data)}, bss ${kib(image.bss)}`,
        async () => {},
      );
      return { diagnostics, artifact: out };
    } catch (err) {
      if (err instanceof SnapshotError) {
        const message = `could not take the heap snapshot (--snapshot): ${err.message}`;
        diagnostics.push({ severity: "error", code: "link-error", message });
        return { diagnostics };
      }
      diagnostics.push({
        severity: "error",
        code: "link-error",
        message: `could not link the cubieboard2 image: ${(err as Error).message}`,
      });
      return { diagnostics };
    }
  },
  async launch({ config, root, artifact, options, flags }) {
    const why = whyUnavailable();
    if (why) return { diagnostics: [{ severity: "error", code: "launch-error", message: why }] };
    const a20 = unbootableInQemu(artifact);
    if (a20) return { diagnostics: [{ severity: "error", code: "launch-error", message: a20 }] };
    // A fresh seed for every boot, readable only by us, removed when QEMU ends.
    const dir = mkdtempSync(join(tmpdir(), "morgana-seed-"));
    const seed = join(dir, "seed.bin");
    writeFileSync(seed, seedFile(), { mode: 0o600 });
    const qemu = [
      QEMU_BOARD.qemu,
      ...qemuArgs(
        artifact,
        seed,
        config.devices.some((d) => d.type === "net") ? { forwards: options.ports } : undefined,
        // QEMU's filter-dump on the EMAC's netdev: both directions, Ethernet frames.
        { pcap: flags.pcap },
      ),
    ];
    const cleanup = async () => rmSync(dir, { recursive: true, force: true });
    // A --debug image shares its UART with XS's debugger: QEMU runs under the emulator's
    // splitter, which keeps the console clean and serves xsbug on a local port, announced on
    // stderr as "xsbug on 127.0.0.1:PORT". With --debug the image waits for a debugger; an
    // image built with --debug but booted without runs at once (a debugger may still attach).
    const hasDebugger = imageHasDebugger(artifact);
    if (flags.debug && !hasDebugger) {
      await cleanup();
      return {
        diagnostics: [
          {
            severity: "error",
            code: "launch-error",
            message: `${relative(root, artifact)} was built without XS's debugger, so there is nothing to attach to`,
            hint: "Build it with `morgana build -t cubieboard2 --debug`, or drop --no-build.",
          },
        ],
      };
    }
    if (hasDebugger) {
      const port = process.env.MORGANA_XSBUG_PORT;
      return {
        command: process.execPath,
        args: [
          checkoutPath("emulator", "bin", "xsbug-serial.js"),
          ...(port ? ["--port", port] : []),
          ...(flags.debug ? [] : ["--no-wait"]),
          "--",
          ...qemu,
        ],
        cwd: root,
        cleanup,
      };
    }
    return { command: qemu[0] as string, args: qemu.slice(1), cwd: root, cleanup };
  },
  // platform.h's EXIT_* codes, which QEMU passes on through semihosting.
  exitMeaning(code, artifact) {
    switch (code) {
      case 1:
        return "the unikernel failed: start() threw or rejected, or a device was refused (its error is above)";
      case 2:
        return "XS gave up: out of memory, a stack overflow or an unhandled exception (XS's report and the JS stack are above); `memory:` under targets.cubieboard2 sets the heap";
      case 3:
        return `the CPU faulted or the platform panicked (the crash report is above); the pc's function and line: arm-none-eabi-addr2line -f -e ${artifact.replace(/\.elf$/, ".debug.elf")} PC`;
      default:
        return undefined;
    }
  },
  devices: {
    console: {
      summary: "UART0 (16550), synchronous writes",
      construct: () => "board.createConsole()",
    },
    clock: {
      summary: "the SoC's 64-bit counter (monotonic), the RTC (wall), timer 0 to wake WFI",
      construct: () => "board.createClock()",
    },
    random: {
      summary: "ChaCha20 keyed by the emulator's fresh seed and timer jitter; refuses unseeded",
      construct: () => "board.createRandom()",
    },
    kv_ro: {
      summary: "the folder packed into the image at build time (same digests as unix)",
      construct: (d) => `board.createKvRo(${lit(d.name)})`,
    },
    net: {
      summary: "Morgana's TCP/IP (stack/net) over the EMAC; QEMU's user network (DHCP, forwards)",
      construct: (d, ctx) => {
        const ipv4 = d.options.ipv4;
        const v = ipv4 === "dhcp" ? lit("dhcp") : lit(`${ipv4.address}/${ipv4.prefixLength}`);
        const gateway = d.options.gateway ? lit(d.options.gateway) : "null";
        return `board.createNetStack({ ipv4: ${v}, gateway: ${gateway}, announce: ${announced(d, ctx)} })`;
      },
    },
    tls: {
      summary:
        "Morgana's TLS 1.3 over the stack (crypto in C from BearSSL, or @noble; the board's seeded Random)",
      construct: (d, ctx) =>
        tlsStackCall(d, ctx, {
          // native: the hot primitives in C (BearSSL); portable: @noble only (docs/board.md).
          crypto: `board.createCryptoProvider(${lit(d.options.crypto === "portable" ? "noble" : "c")})`,
          clock: "board.createClock()",
        }),
    },
    http: unixTarget.devices.http,
  },
};
