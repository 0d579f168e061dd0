import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ensureXsLibrary } from "../../runtime/baremetal/build/index.ts";
import { build } from "../../tool/src/api/index.ts";
import { staticWebsiteForBoard } from "./lib/board.ts";
import { DapClient } from "./lib/dap.ts";
import { exec } from "./lib/morgana.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const ADAPTER = join(ROOT, "debugger", "bin", "morgana-debug-adapter.js");

/** samples/hello with a function to stop in, an exception it catches, and ticks to pause. */
const APP = `import type { Devices } from "morgana:devices";
import { NS_PER_MS } from "@morgana/stack/devices";

/** The debugger stops in here. */
export function measure(tick: number): number {
  const measuredArea = tick * 7;
  const shape = { kind: "square", sides: [tick, tick] };
  return measuredArea + shape.sides.length - 2;
}

/** Throws and catches: the exceptions filter stops at the throw. */
function risky(): string {
  try {
    throw new Error("thrown on purpose");
  } catch (e) {
    return (e as Error).message;
  }
}

export async function start({ console, clock }: Devices): Promise<void> {
  await console.log("debug me");
  for (let tick = 1; tick <= 3; tick++) {
    await clock.sleepNs(300n * NS_PER_MS);
    await console.log(\`measured \${measure(tick)}\`);
  }
  await console.log(risky());
  await console.log("done");
}
`;
const EXPECTED = [
  "debug me",
  "measured 7",
  "measured 14",
  "measured 21",
  "thrown on purpose",
  "done",
];

/** The 1-based line of `text`'s first line holding `needle`. */
function lineOf(text: string, needle: string): number {
  const at = text.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(at >= 0, `no line holding ${needle}`);
  return at + 1;
}

/** QEMU processes booting an image under `dir` (none once a session is over). */
function qemusFor(dir: string): string[] {
  try {
    return execFileSync("pgrep", ["-a", "-x", "qemu-system-arm"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(dir));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** initialize, launch (which boots the board), the breakpoints, configurationDone. */
async function launch(
  dap: DapClient,
  args: Record<string, unknown>,
  breakpoints: { path: string; lines: number[] }[] = [],
  exceptions = false,
): Promise<DebugProtocol.Breakpoint[][]> {
  await dap.request("initialize", {
    adapterID: "morgana",
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: "path",
  });
  const launched = dap.send("launch", { target: "cubieboard2", ...args }, 180_000);
  await Promise.race([
    dap.event("initialized"),
    launched.then((r) => assert.fail(`launch answered first: ${r.message}\n${dap.transcript()}`)),
  ]);
  const set: DebugProtocol.Breakpoint[][] = [];
  for (const b of breakpoints) {
    const body = await dap.request<{ breakpoints: DebugProtocol.Breakpoint[] }>("setBreakpoints", {
      source: { path: b.path },
      breakpoints: b.lines.map((line) => ({ line })),
    });
    set.push(body.breakpoints);
  }
  await dap.request("setExceptionBreakpoints", { filters: exceptions ? ["exceptions"] : [] });
  await dap.request("configurationDone");
  const r = await launched;
  assert.ok(r.success, `launch failed: ${r.message}\n${dap.transcript()}`);
  return set;
}

async function topFrames(dap: DapClient): Promise<DebugProtocol.StackFrame[]> {
  const body = await dap.request<{ stackFrames: DebugProtocol.StackFrame[] }>("stackTrace", {
    threadId: 1,
  });
  return body.stackFrames;
}

async function locals(dap: DapClient, frameId = 1): Promise<DebugProtocol.Variable[]> {
  const { scopes } = await dap.request<{ scopes: DebugProtocol.Scope[] }>("scopes", { frameId });
  const local = scopes.find((s) => s.name.startsWith("Local"));
  assert.ok(local, JSON.stringify(scopes));
  return (
    await dap.request<{ variables: DebugProtocol.Variable[] }>("variables", {
      variablesReference: local.variablesReference,
    })
  ).variables;
}

const valueNamed = (vars: DebugProtocol.Variable[], name: string) =>
  vars.find((v) => v.name === name)?.value;

/** The stopped event after event index `from`, checked for its reason. */
async function stoppedFor(dap: DapClient, reason: string, from: number) {
  const stopped = await dap.event<DebugProtocol.StoppedEvent>("stopped", () => true, from);
  assert.equal(stopped.body.reason, reason, dap.transcript());
  return stopped;
}

describe("board: the debug adapter (DAP over xsbug, TypeScript positions; real QEMU)", () => {
  let dir: string;
  let source: string;
  let dap: DapClient | undefined;

  before(async function () {
    // XS with its debugger compiles once per machine (a minute or two); then it is cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary(() => {}, "arm", { debug: true });
    dir = mkdtempSync(join(tmpdir(), "morgana-board-dap-"));
    cpSync(join(ROOT, "samples", "hello"), dir, {
      recursive: true,
      filter: (src) => !src.includes(`${join("hello", "dist")}`),
    });
    source = join(dir, "src", "unikernel.ts");
    writeFileSync(source, APP);
    // The sessions that boot with noBuild find this build; the first one builds again itself.
    const built = await build({ projectDir: dir, target: "cubieboard2", flags: { debug: true } });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
  });

  afterEach(async () => {
    dap?.kill();
    dap = undefined;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stops on a TypeScript line, reads locals and an object, steps, goes on to exit 0, leaves no QEMU", async function () {
    this.timeout(5 * 60_000);
    dap = new DapClient(process.execPath, [ADAPTER]);
    const first = lineOf(APP, "const measuredArea = tick * 7;");
    const blank = lineOf(APP, "/** The debugger stops in here. */");
    const [bps] = await launch(dap, { project: dir }, [{ path: source, lines: [first, blank] }]);
    assert.equal(bps?.[0]?.verified, true);
    assert.equal(bps?.[0]?.line, first);
    // A comment has no code in the image: refused, saying where the next code is.
    assert.equal(bps?.[1]?.verified, false);
    assert.match(
      bps?.[1]?.message ?? "",
      /no code on line \d+ in the image \(the next line with code is \d+\)/,
    );

    await stoppedFor(dap, "breakpoint", 0);
    const frames = await topFrames(dap);
    assert.equal(frames[0]?.name, "measure");
    assert.equal(frames[0]?.source?.path, source);
    assert.equal(frames[0]?.line, first);
    // The caller, in TypeScript too: the line that calls measure().
    assert.equal(frames[1]?.source?.path, source);
    assert.equal(frames[1]?.line, lineOf(APP, "measure(tick)}"));
    // Stopped before any of measure(1) ran: the board has not printed its first measure.
    assert.doesNotMatch(dap.output("stdout"), /measured/);
    assert.equal(valueNamed(await locals(dap), "tick"), "1");
    // The caller's variables (xsbug `select`).
    assert.equal(valueNamed(await locals(dap, 2), "tick"), "1");

    // next: one TypeScript line (xsbug `step`).
    let mark = dap.events.length;
    await dap.request("next", { threadId: 1 });
    await stoppedFor(dap, "step", mark);
    assert.equal((await topFrames(dap))[0]?.line, lineOf(APP, "const shape ="));
    assert.equal(valueNamed(await locals(dap), "measuredArea"), "7");

    mark = dap.events.length;
    await dap.request("next", { threadId: 1 });
    await stoppedFor(dap, "step", mark);
    assert.equal((await topFrames(dap))[0]?.line, lineOf(APP, "return measuredArea"));
    // An object, opened (xsbug `toggle`): its properties, and an array inside it.
    const shape = (await locals(dap)).find((v) => v.name === "shape");
    assert.ok(shape && shape.variablesReference > 0, JSON.stringify(shape));
    const props = (
      await dap.request<{ variables: DebugProtocol.Variable[] }>("variables", {
        variablesReference: shape.variablesReference,
      })
    ).variables;
    assert.equal(valueNamed(props, "kind"), '"square"');
    const sides = props.find((v) => v.name === "sides");
    assert.ok(sides && sides.variablesReference > 0, JSON.stringify(props));
    const items = (
      await dap.request<{ variables: DebugProtocol.Variable[] }>("variables", {
        variablesReference: sides.variablesReference,
      })
    ).variables;
    assert.equal(valueNamed(items, "[0]"), "1");
    assert.equal(valueNamed(items, "[1]"), "1");
    // Names and paths evaluate from what XS showed (hover, watch); code does not.
    const hover = await dap.request<{ result: string }>("evaluate", {
      expression: "shape.kind",
      frameId: 1,
      context: "hover",
    });
    assert.equal(hover.result, '"square"');
    const refused = await dap.send("evaluate", { expression: "tick + 1", frameId: 1 });
    assert.equal(refused.success, false);
    assert.match(refused.message ?? "", /XS's eval needs code compiled on the host/);

    // Breakpoints off, continue: the app runs to its end and the session ends with its code.
    await dap.request("setBreakpoints", { source: { path: source }, breakpoints: [] });
    mark = dap.events.length;
    await dap.request("continue", { threadId: 1 });
    const exited = await dap.event<DebugProtocol.ExitedEvent>("exited", () => true, mark);
    assert.equal(exited.body.exitCode, 0, dap.transcript());
    await dap.event("terminated", () => true, mark);
    assert.deepEqual(
      dap
        .output("stdout")
        .split(/\r?\n/)
        .filter((l) => l !== ""),
      EXPECTED,
    );
    assert.doesNotMatch(dap.output("stdout"), /xsbug|<\?xs/);
    await dap.request("disconnect", {});
    assert.equal(await dap.exited, 0);
    assert.deepEqual(qemusFor(dir), []);
  });

  it("next over an `await` stops at the next line once it resolves; disconnect while stopped stops QEMU", async function () {
    this.timeout(3 * 60_000);
    dap = new DapClient(process.execPath, [ADAPTER]);
    const sleep = lineOf(APP, "await clock.sleepNs(300n * NS_PER_MS);");
    await launch(dap, { project: dir, noBuild: true }, [{ path: source, lines: [sleep] }]);
    assert.doesNotMatch(dap.output(), /type-check/, "noBuild: nothing built");
    await stoppedFor(dap, "breakpoint", 0);
    // XS's own step would run on (start() leaves its frame at the await): the adapter's
    // breakpoints on start()'s lines catch it when it resumes, 300 ms later.
    const mark = dap.events.length;
    await dap.request("next", { threadId: 1 });
    await stoppedFor(dap, "step", mark);
    const frames = await topFrames(dap);
    assert.equal(frames[0]?.name, "start");
    assert.equal(frames[0]?.line, lineOf(APP, "measure(tick)}"));
    assert.equal(valueNamed(await locals(dap), "tick"), "1");
    assert.equal(qemusFor(dir).length, 1, "one QEMU while stopped");
    await dap.request("disconnect", { terminateDebuggee: true });
    assert.equal(await dap.exited, 0);
    assert.deepEqual(qemusFor(dir), []);
  });

  it("stopOnEntry, the exceptions filter (a caught throw), pause while the board sleeps", async function () {
    this.timeout(3 * 60_000);
    dap = new DapClient(process.execPath, [ADAPTER]);
    await launch(dap, { project: dir, noBuild: true, stopOnEntry: true }, [], true);
    // Entry: the first line of JavaScript the board runs, in the bundle's TypeScript.
    await stoppedFor(dap, "entry", 0);
    const entry = (await topFrames(dap))[0];
    assert.match(entry?.source?.path ?? "", /\.ts$/, JSON.stringify(entry));
    assert.doesNotMatch(dap.output("stdout"), /debug me/);

    // Pause: wait until the board sleeps between ticks, then stop it wherever it is.
    let mark = dap.events.length;
    await dap.request("continue", { threadId: 1 });
    await dap.outputMatching(/debug me/, "stdout");
    mark = dap.events.length;
    await dap.request("pause", { threadId: 1 });
    await stoppedFor(dap, "pause", mark);
    const paused = (await topFrames(dap))[0];
    assert.match(paused?.source?.path ?? "", /\.ts$/, JSON.stringify(paused));

    // On: XS stops at the throw, caught or not, at its TypeScript line.
    mark = dap.events.length;
    await dap.request("continue", { threadId: 1 });
    const thrown = await stoppedFor(dap, "exception", mark);
    assert.ok(thrown.body.text, JSON.stringify(thrown.body));
    const at = (await topFrames(dap))[0];
    assert.equal(at?.source?.path, source);
    assert.equal(at?.line, lineOf(APP, 'throw new Error("thrown on purpose")'));
    assert.equal(at?.name, "risky");

    await dap.request("setExceptionBreakpoints", { filters: [] });
    mark = dap.events.length;
    await dap.request("continue", { threadId: 1 });
    const exited = await dap.event<DebugProtocol.ExitedEvent>("exited", () => true, mark);
    assert.equal(exited.body.exitCode, 0, dap.transcript());
    await dap.request("disconnect", {});
    assert.deepEqual(qemusFor(dir), []);
  });

  it("stopOnEntry alone (no breakpoint, no exceptions): stops before the app, then runs to exit 0", async function () {
    this.timeout(3 * 60_000);
    dap = new DapClient(process.execPath, [ADAPTER]);
    await launch(dap, { project: dir, noBuild: true, stopOnEntry: true });
    await stoppedFor(dap, "entry", 0);
    assert.match((await topFrames(dap))[0]?.source?.path ?? "", /\.ts$/);
    const mark = dap.events.length;
    await dap.request("continue", { threadId: 1 });
    const exited = await dap.event<DebugProtocol.ExitedEvent>("exited", () => true, mark);
    assert.equal(exited.body.exitCode, 0, dap.transcript());
    // The entry breakpoint went: the app ran through without another stop.
    assert.equal(dap.events.filter((e) => e.event === "stopped").length, 1, dap.transcript());
    await dap.request("disconnect", {});
    assert.deepEqual(qemusFor(dir), []);
  });

  it("a breakpoint in the stack (stack/http/server.ts) stops a curl's request; the response follows `continue`", async function () {
    this.timeout(5 * 60_000);
    const site = await staticWebsiteForBoard("morgana-board-dap-site-");
    try {
      dap = new DapClient(process.execPath, [ADAPTER]);
      const server = join(ROOT, "stack", "http", "server.ts");
      const line = lineOf(readFileSync(server, "utf8"), "result = this.handler(request);");
      const [bps] = await launch(dap, { project: site.dir }, [{ path: server, lines: [line] }]);
      assert.equal(bps?.[0]?.verified, true, JSON.stringify(bps));
      await dap.outputMatching(/listening on/, "stdout");

      const mark = dap.events.length;
      const curl = exec("curl", [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-m",
        "60",
        `http://127.0.0.1:${site.port}/`,
      ]);
      await stoppedFor(dap, "breakpoint", mark);
      const frames = await topFrames(dap);
      assert.equal(frames[0]?.source?.path, server);
      assert.equal(frames[0]?.line, line);
      // The request being dispatched, opened from the frame's locals.
      const request = (await locals(dap)).find((v) => v.name === "request");
      assert.ok(request && request.variablesReference > 0, dap.transcript());
      const fields = (
        await dap.request<{ variables: DebugProtocol.Variable[] }>("variables", {
          variablesReference: request.variablesReference,
        })
      ).variables;
      assert.equal(valueNamed(fields, "method"), '"GET"', JSON.stringify(fields));

      await dap.request("setBreakpoints", { source: { path: server }, breakpoints: [] });
      await dap.request("continue", { threadId: 1 });
      const answered = await curl;
      assert.equal(answered.stdout, "200", answered.stderr);
      await dap.request("disconnect", {});
      assert.equal(await dap.exited, 0);
      assert.deepEqual(qemusFor(site.dir), []);
    } finally {
      dap?.kill();
      rmSync(site.dir, { recursive: true, force: true });
    }
  });
});
