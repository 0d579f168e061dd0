import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launch } from "../../emulator/src/index.ts";
import { bundleForBoard, ensureXsLibrary, linkImage } from "../../runtime/baremetal/build/index.ts";
import { build, type RunningUnikernel, run } from "../../tool/src/api/index.ts";
import { freePort } from "./lib/morgana.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** samples/hello with a function that has a local variable, called on each tick. */
const APP = `import type { Devices } from "morgana:devices";
import { NS_PER_MS } from "@morgana/stack/devices";

/** The debugger stops in here and reads measuredArea. */
export function measure(tick: number): number {
  const measuredArea = tick * 7;
  return measuredArea;
}

export async function start({ console, clock }: Devices): Promise<void> {
  await console.log("debug me");
  for (let tick = 1; tick <= 3; tick++) {
    await clock.sleepNs(100n * NS_PER_MS);
    await console.log(\`measured \${measure(tick)}\`);
  }
  await console.log("done");
}
`;

/** A debugger's end of xsbug's TCP protocol: whole messages in, commands out. */
class XsbugClient {
  private text = "";
  readonly messages: string[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => {
      this.text += d;
      let end = this.text.indexOf("</xsbug>\r\n");
      while (end >= 0) {
        const message = this.text.slice(0, end + "</xsbug>".length);
        assert.match(message, /^\r\n<xsbug>/, "every message framed as over TCP");
        this.messages.push(message.slice(2));
        this.text = this.text.slice(end + "</xsbug>\r\n".length);
        end = this.text.indexOf("</xsbug>\r\n");
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<XsbugClient> {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((ok, fail) => {
      socket.once("connect", ok);
      socket.once("error", fail);
    });
    return new XsbugClient(socket);
  }

  /** The first message (from `from` on) that matches, waiting up to `ms` for it. */
  async next(pattern: RegExp, from = 0, ms = 60_000): Promise<{ message: string; index: number }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.messages.findIndex((m, i) => i >= from && pattern.test(m));
      if (index >= 0) return { message: this.messages[index] as string, index };
      const left = deadline - Date.now();
      assert.ok(left > 0, `no ${pattern} from XS; messages: ${this.messages.join("\n")}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  send(command: string): void {
    this.socket.write(`\r\n${command}\r\n`);
  }

  close(): void {
    this.socket.end();
  }
}

/** Collects a running unikernel's output; resolves the xsbug port once announced. */
function watch(instance: RunningUnikernel) {
  let stdout = "";
  let stderr = "";
  instance.onOutput((text, stream) => {
    if (stream === "stdout") stdout += text;
    else stderr += text;
  });
  const port = (async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const m = /^xsbug on 127\.0\.0\.1:(\d+)/m.exec(stderr);
      if (m) return Number(m[1]);
      assert.ok(Date.now() < deadline, `no xsbug port announced; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return { port, stdout: () => stdout, stderr: () => stderr };
}

describe("board: --debug images, XS's debugger (xsbug) on a local TCP port (tool API, real QEMU)", () => {
  let dir: string;
  let bundleLine: number;

  before(async function () {
    // XS with its debugger compiles once per machine (a minute or two); then it is cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary(() => {}, "arm", { debug: true });
    dir = mkdtempSync(join(tmpdir(), "morgana-board-debug-"));
    cpSync(join(ROOT, "samples", "hello"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${join("hello", "dist")}`),
    });
    writeFileSync(join(dir, "src", "unikernel.ts"), APP);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("`run --debug`: login, a breakpoint on a bundle line is hit, a local read, `go`, exit 0", async function () {
    this.timeout(5 * 60_000);
    const started = await run({ projectDir: dir, target: "cubieboard2", flags: { debug: true } });
    assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
    const instance = started.instance;
    const out = watch(instance);
    let client: XsbugClient | undefined;
    try {
      // The bundle's line for `return measuredArea;`: XS records the bundle as "hello.js".
      const bundle = readFileSync(join(dir, "dist", "cubieboard2", "hello.js"), "utf8");
      bundleLine = bundle.split("\n").findIndex((l) => l.includes("return measuredArea;")) + 1;
      assert.ok(bundleLine > 0);

      client = await XsbugClient.connect(await out.port);
      const login = await client.next(/^<xsbug><login /);
      assert.match(login.message, /<login name="morgana" value="XS"\/>/);
      // The image waits at login: nothing of the app has run yet.
      assert.doesNotMatch(out.stdout(), /debug me/);

      client.send(`<set-breakpoint path="hello.js" line="${bundleLine}"/>`);
      const hit = await client.next(/<break /, login.index + 1);
      assert.match(hit.message, new RegExp(`<break path="hello\\.js" line="${bundleLine}">`));
      assert.match(hit.message, /# Break: breakpoint!/);
      // The innermost frame is measure(), at that line.
      assert.match(
        hit.message,
        new RegExp(
          `<frames><frame name="measure" value="@[0-9A-F]+" path="hello\\.js" line="${bundleLine}"/>`,
        ),
      );
      // Its locals: the first call is measure(1).
      const local = /<local name="measure"[^>]*>([\s\S]*?)<\/local>/.exec(hit.message);
      assert.ok(local, hit.message);
      assert.match(local[1] as string, /name="measuredArea" value="7"/);
      assert.match(local[1] as string, /name="tick" value="1"/);
      // Stopped there: the app has not printed its first measure.
      assert.doesNotMatch(out.stdout(), /measured/);

      client.send(`<clear-breakpoint path="hello.js" line="${bundleLine}"/>`);
      client.send("<go/>");
      const code = await instance.exited;
      const stdout = out.stdout();
      assert.equal(code, 0, `${stdout}\n${out.stderr()}`);
      assert.deepEqual(
        stdout.split(/\r?\n/).filter((l) => l !== ""),
        ["debug me", "measured 7", "measured 14", "measured 21", "done"],
      );
      assert.doesNotMatch(stdout, /xsbug|<\?xs/, "no debugger framing on the console");
    } finally {
      client?.close();
      await instance.stop();
    }
  });

  it("a --debug image booted without --debug runs at once, its console clean", async function () {
    this.timeout(2 * 60_000);
    const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
    assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
    const out = watch(started.instance);
    const code = await started.instance.exited;
    assert.equal(code, 0, `${out.stdout()}\n${out.stderr()}`);
    assert.match(
      out.stderr(),
      /^xsbug on 127\.0\.0\.1:\d+ \(a debugger may connect at any time\)/m,
    );
    assert.deepEqual(
      out
        .stdout()
        .split(/\r?\n/)
        .filter((l) => l !== ""),
      ["debug me", "measured 7", "measured 14", "measured 21", "done"],
    );
  });

  it("the launcher's debug option: a port asked for, and a debugger that leaves while stopped", async function () {
    this.timeout(2 * 60_000);
    const port = await freePort();
    const board = launch({ image: join(dir, "dist", "cubieboard2", "hello.elf"), debug: { port } });
    let client: XsbugClient | undefined;
    try {
      assert.equal(await board.xsbug?.listening, port);
      client = await XsbugClient.connect(port);
      const login = await client.next(/^<xsbug><login /);
      assert.equal(board.xsbug?.attached, true);
      client.send(`<set-breakpoint path="hello.js" line="${bundleLine}"/>`);
      await client.next(/<break path="hello\.js"/, login.index + 1);
      // The debugger goes away with XS stopped: its breakpoints go too, and the board runs on.
      client.close();
      const exit = await board.exited;
      assert.equal(exit.code, 0, board.lines.join("\n"));
      assert.deepEqual(
        board.lines.filter((l) => l !== ""),
        ["debug me", "measured 7", "measured 14", "measured 21", "done"],
      );
    } finally {
      client?.close();
      await board.stop();
    }
  });

  it("an idle board (WFI, a timer seconds away) wakes for a debugger that attaches late", async function () {
    this.timeout(2 * 60_000);
    // A board that logs, then sleeps 3 s: the launcher lets it run without a debugger.
    const app = join(dir, "idle");
    mkdirSync(app, { recursive: true });
    writeFileSync(
      join(app, "main.ts"),
      [
        'import * as board from "@morgana/runtime-baremetal";',
        'board.boot({ name: "idle", target: "cubieboard2" }, () => ({ console: board.createConsole(), clock: board.createClock() }), async (d: any) => {',
        '  d.console.log("sleeping");',
        "  await d.clock.sleepNs(3_000_000_000n);",
        '  d.console.log("woke");',
        "});",
        "",
      ].join("\n"),
    );
    assert.deepEqual(await bundleForBoard(join(app, "main.ts"), join(app, "idle.js"), ROOT), []);
    const image = await linkImage({
      bundle: join(app, "idle.js"),
      out: join(app, "idle.elf"),
      xs: { debug: true },
    });
    const board = launch({ image: image.elf, debug: { wait: false } });
    let client: XsbugClient | undefined;
    try {
      const port = await board.xsbug?.listening;
      const deadline = Date.now() + 30_000;
      while (!board.lines.includes("sleeping")) {
        assert.ok(Date.now() < deadline, board.lines.join("\n"));
        await new Promise((r) => setTimeout(r, 20));
      }
      client = await XsbugClient.connect(port as number);
      // XS logged in long ago: its login is replayed to the debugger that comes late.
      const login = await client.next(/^<xsbug><login /);
      // While no JS runs: `select` answers with the globals; the clear-breakpoint after it
      // ends XS's command loop (select alone would keep XS reading commands).
      client.send('<select id="@0"/>');
      client.send('<clear-breakpoint path="nowhere.js" line="1"/>');
      await client.next(/^<xsbug><global>/, login.index + 1, 1500);
      assert.ok(!board.lines.includes("woke"), "answered while the board slept, not when it woke");
      const exit = await board.exited;
      assert.equal(exit.code, 0, board.lines.join("\n"));
      assert.deepEqual(
        board.lines.filter((l) => l !== ""),
        ["sleeping", "woke"],
      );
    } finally {
      client?.close();
      await board.stop();
    }
  });

  it("`run --debug --no-build` on an image built without the debugger says so", async function () {
    this.timeout(2 * 60_000);
    const built = await build({ projectDir: dir, target: "cubieboard2" });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
    const started = await run({
      projectDir: dir,
      target: "cubieboard2",
      noBuild: true,
      flags: { debug: true },
    });
    assert.equal(started.ok, false);
    assert.match(
      started.diagnostics.map((d) => d.message).join("\n"),
      /hello\.elf was built without XS's debugger/,
    );
  });
});
