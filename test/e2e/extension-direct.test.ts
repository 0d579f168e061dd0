/**
 * F5 on the direct target in a real VS Code (code-server in Chromium, as extension.test.ts):
 * the extension boots the unikernel through the target's launch plan (the tap bridge, in a
 * namespace of this test's own), and a breakpoint in the stack's TCP core stops when a client
 * in that namespace connects. Needs root (a tap and a namespace). Screenshots go to
 * $MORGANA_ARTIFACTS/extension-direct (default: the system temp folder).
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { packageVsix } from "../../extension/bundle.mjs";
import {
  type CodeServer,
  ensureCodeServer,
  installVsix,
  startCodeServer,
} from "../../extension/test-harness/code-server.ts";
import { openWorkbench, type Workbench } from "../../extension/test-harness/workbench.ts";
import { run } from "../../runtime/direct/src/bridge.ts";
import { makeNetns, netnsProblem } from "../unit/net/helpers/netns.ts";
import { copySample } from "./lib/morgana.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const artifacts = join(
  process.env.MORGANA_ARTIFACTS ?? join(tmpdir(), "morgana-artifacts"),
  "extension-direct",
);
/** The TCP core's line where a SYN for a listener becomes a connection (SYN-RECEIVED). */
const CORE = join(root, "stack", "net", "tcp", "core.ts");
const SYN_LINE =
  "const c = this.newConnection(dst, seg.dstPort, src, seg.srcPort, nowNs, false, l.port);";

describe("VS Code extension: F5 on direct stops in stack/net/tcp when a client connects", () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let project: string;
  let ns: Awaited<ReturnType<typeof makeNetns>> | undefined;

  before(async function () {
    this.timeout(600_000); // the first run installs code-server into the cache
    const problem = netnsProblem(true);
    if (problem) assert.fail(`the direct target needs a tap and a namespace: ${problem}`);
    ensureCodeServer();
    rmSync(artifacts, { recursive: true, force: true });
    const vsix = await packageVsix();
    ns = await makeNetns();
    project = copySample("static-website", "morgana-ext-direct-");
    // F5 with the status-bar target (direct, from the setting).
    mkdirSync(join(project, ".vscode"), { recursive: true });
    writeFileSync(
      join(project, ".vscode", "launch.json"),
      JSON.stringify(
        {
          version: "0.2.0",
          configurations: [
            { type: "morgana", request: "launch", name: "Morgana: debug the unikernel" },
          ],
        },
        null,
        2,
      ),
    );
    // code-server, its extension host and the CLI it runs inherit this: the tap goes there.
    process.env.MORGANA_DIRECT_NETNS = ns.name;
    try {
      server = await startCodeServer({
        settings: {
          "morgana.checkout": root,
          "morgana.target": "direct",
          "files.autoSave": "off",
        },
        prepare: (s) => {
          installVsix(s, vsix);
        },
      });
    } finally {
      delete process.env.MORGANA_DIRECT_NETNS;
    }
    ({ browser, wb } = await openWorkbench(server.home, server.folderUrl(project), artifacts));
  });

  afterEach(async function () {
    await wb?.screenshotIfFailed(this.currentTest);
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.endDebugSession();
    await browser?.close();
    await server?.stop();
    await ns?.remove();
    if (project) rmSync(dirname(project), { recursive: true, force: true });
  });

  it("shows direct as the target", async function () {
    this.timeout(60_000); // the extension host's cold start
    await wb.page.locator(".statusbar-item", { hasText: "direct" }).waitFor();
  });

  it("F5 boots through the tap bridge, pauses at the SYN, continues: curl gets 200; Stop cleans up", async function () {
    this.timeout(240_000); // a build, js-debug's start, DHCP, the pause
    assert.ok(ns);
    const line = lineOf(CORE, SYN_LINE);
    await wb.openFile(CORE);
    await wb.goTo(line, 1);
    await wb.command("Debug: Toggle Breakpoint");
    await wb.editor
      .locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified")
      .first()
      .waitFor();
    // The cursor elsewhere: the pause, not this step, must bring the editor to that line.
    await wb.goTo(1, 1);

    await wb.command("Debug: Start Debugging");
    // The unikernel's console (through the CLI) in the Debug Console: the URL it took by DHCP.
    const announce = wb.page.locator(".repl", { hasText: /listening on http:\/\/10\.77\./ });
    await announce.first().waitFor({ timeout: 120_000 });
    const text = (await announce.first().textContent()) ?? "";
    const url = /listening on (http:\/\/10\.77\.0\.\d+:80\/)/.exec(text)?.[1];
    assert.ok(url, text);
    await wb.screenshot("direct-booted");

    const curl = ns.exec("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--max-time",
      "120",
      url,
    ]);
    // Paused in the TCP core, at the line where the SYN becomes a connection.
    await wb.page.locator(".tab.active", { hasText: "core.ts" }).waitFor({ timeout: 60_000 });
    const frame = wb.editor.locator(".debug-top-stack-frame-line");
    await frame.waitFor({ timeout: 60_000 });
    await wb.page
      .locator(".debug-call-stack .monaco-list-row", { hasText: "listenInput" })
      .first()
      .waitFor();
    // The editor shows the paused frame's line, the breakpoint's: the status bar says Ln <line>.
    await wb.page
      .locator(".statusbar-item", { hasText: new RegExp(`Ln ${line},`) })
      .first()
      .waitFor();
    const variables = wb.page.locator(".debug-variables");
    await variables.locator(".monaco-list-row", { hasText: "seg" }).first().waitFor();
    await wb.screenshot("debug-stopped-in-tcp-core");

    await wb.page.keyboard.press("F5"); // Continue
    const got = await curl;
    assert.equal(got.stdout, "200", got.stderr);
    await wb.screenshot("continued-200");

    await wb.page.keyboard.press("Shift+F5"); // Stop
    await wb.page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 60_000 });
    // Nothing left: the tap went with the bridge, no socat, unikernel or CLI for this project.
    await waitUntil(
      async () => !/morgana/.test((await ns?.exec("ip", ["-br", "link"]))?.stdout ?? ""),
    );
    await waitUntil(async () => (await processesOf(project)).length === 0);
    await waitUntil(async () => (await processesOf(`netns ${ns?.name}`)).length === 0);
    await wb.command("Remove All Breakpoints");
    await wb.screenshot("stopped");
  });

  it("the namespace is removed", async () => {
    assert.ok(ns);
    await ns.remove();
    const list = await run("ip", ["netns", "list"]);
    assert.doesNotMatch(list.stdout, new RegExp(`\\b${ns.name}\\b`));
    ns = undefined;
  });
});

/** The 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  const line =
    readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => l.includes(text)) + 1;
  assert.ok(line > 0, `${text} in ${file}`);
  return line;
}

/**
 * Running processes that mention `text`, or CLI runs (`morgana.js run`) working in `text`:
 * their `pid args` lines.
 */
async function processesOf(text: string): Promise<string[]> {
  const ps = await run("ps", ["-eo", "pid=,args="]);
  return ps.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => {
      const pid = l.split(" ")[0] ?? "";
      if (l === "" || pid === String(process.pid) || l.includes("mocha")) return false;
      if (l.includes(text)) return true;
      if (!l.includes("morgana.js run")) return false;
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === text;
      } catch {
        return false; // gone meanwhile
      }
    });
}

/** Polls `check` (a process list, a link list) until it holds. */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}
