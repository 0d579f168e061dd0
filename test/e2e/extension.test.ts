/**
 * The extension in a real VS Code: code-server 4.100.3 in Debian's Chromium, driven like a
 * person would drive it. The .vsix is built and installed as a user would install it; the
 * sample is a fresh copy of samples/static-website. Screenshots of each step go to
 * $MORGANA_ARTIFACTS/extension (default: the system temp folder).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { packageVsix } from "../../extension/bundle.mjs";
import { runJson, targetsOf } from "../../extension/src/cli.ts";
import {
  type CodeServer,
  ensureCodeServer,
  extensionHostErrors,
  freePort,
  installVsix,
  startCodeServer,
} from "../../extension/test-harness/code-server.ts";
import { openWorkbench, Workbench } from "../../extension/test-harness/workbench.ts";
import { hoverAt } from "../../tool/src/config/index.ts";
import { copySample, isListening, morgana } from "./lib/morgana.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * Steps that run the CLI: a build type-checks the app, 3 to 10 s when other work shares the
 * machine's two cores.
 */
const CLI_TIMEOUT = 45_000;
const artifacts = join(
  process.env.MORGANA_ARTIFACTS ?? join(tmpdir(), "morgana-artifacts"),
  "extension",
);

describe("VS Code extension in code-server", () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let project: string;
  let port: number;
  let installLog = "";
  let goodSource = "";

  before(async function () {
    this.timeout(600_000); // the first run installs code-server into the cache (about a minute)
    ensureCodeServer();
    rmSync(artifacts, { recursive: true, force: true }); // this run's screenshots only
    const vsix = await packageVsix();
    project = copySample("static-website", "morgana-ext-");
    // A free host port, so the run does not collide with anything else on the machine.
    port = await freePort();
    const yaml = join(project, "unikernel.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace('"8080:80"', `"${port}:80"`));
    server = await startCodeServer({
      settings: {
        "morgana.checkout": root,
        "terminal.integrated.gpuAcceleration": "off",
        "editor.quickSuggestions": { other: false, comments: false, strings: false },
        "files.autoSave": "off",
        "editor.autoClosingBrackets": "never",
      },
      prepare: (s) => {
        installLog = installVsix(s, vsix);
      },
    });
    ({ browser, wb } = await openWorkbench(server.home, server.folderUrl(project), artifacts));
  });

  afterEach(async function () {
    await wb?.screenshotIfFailed(this.currentTest);
  });

  after(async function () {
    this.timeout(30_000);
    // A step that failed half-way may leave a debuggee or a unikernel running (both detach
    // from code-server): end them through the editor, as a person would.
    await wb?.endDebugSession();
    if (wb && (await isListening(port))) {
      await wb.command("Morgana: Stop").catch(() => {});
      await wb
        .notification(/Morgana: stopped/)
        .waitFor()
        .catch(() => {});
    }
    await browser?.close();
    await server?.stop();
    if (project) rmSync(dirname(project), { recursive: true, force: true });
  });

  it("installs from the .vsix and activates on the folder's unikernel.yaml", async function () {
    this.timeout(60_000); // the extension host's cold start, on a busy machine

    assert.match(installLog, /morgana.*successfully installed/i);
    // The target picker appears in the status bar once the extension is active.
    await wb.page.locator(".statusbar-item", { hasText: "unix" }).waitFor();
    await wb.screenshot("activated");
    // The copy came without .morgana: activation configures it, so `morgana:devices`
    // resolves in the editor before any build.
    const declared = join(project, ".morgana", "devices.d.ts");
    for (let i = 0; i < 300 && !existsSync(declared); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(declared), "activation wrote .morgana/devices.d.ts");
    assert.match(readFileSync(declared, "utf8"), /declare module "morgana:devices"/);
  });

  it("completes device types in unikernel.yaml", async () => {
    await wb.openFile("unikernel.yaml");
    await wb.goTo(lineOf(join(project, "unikernel.yaml"), "type: http"), 200); // end of that line
    await wb.page.keyboard.press("Enter");
    await wb.page.keyboard.type("extra:");
    await wb.page.keyboard.press("Enter");
    await wb.page.keyboard.type("type: ");
    await wb.page.keyboard.press("Control+Space");
    const suggest = wb.page.locator(".suggest-widget.visible");
    await suggest.locator(".monaco-list-row", { hasText: "kv_ro" }).waitFor();
    const labels = await suggest.locator(".monaco-list-row .label-name").allTextContents();
    for (const type of ["console", "clock", "kv_ro", "net", "http"])
      assert.ok(labels.includes(type), `${type} in ${labels}`);
    await wb.screenshot("completion-device-types");
    await wb.page.keyboard.press("Escape");
    await wb.command("File: Revert File");
  });

  it("shows a key's documentation on hover, as the config model gives it", async () => {
    const yaml = join(project, "unikernel.yaml");
    const text = readFileSync(yaml, "utf8");
    const line = lineOf(yaml, "port: 80");
    const column = (text.split("\n")[line - 1] ?? "").indexOf("port") + 1;
    const expected = hoverAt(text, line, column)?.contents.split("\n")[0]?.replace(/\*\*/g, "");
    assert.ok(expected);
    await wb.openFile("unikernel.yaml");
    await wb.goTo(line, column);
    await wb.command("Show or Focus Hover");
    await wb.page.locator(".monaco-hover", { hasText: expected }).first().waitFor();
    await wb.screenshot("hover");
    await wb.page.keyboard.press("Escape");
  });

  it("underlines a misspelt key, lists it in Problems, and its quick fix repairs it", async () => {
    const yaml = join(project, "unikernel.yaml");
    const line = lineOf(yaml, "port: 80");
    const column = (readFileSync(yaml, "utf8").split("\n")[line - 1] ?? "").indexOf("port") + 1;
    await wb.openFile("unikernel.yaml");
    await wb.goTo(line, column);
    await wb.page.keyboard.press("Shift+ArrowRight");
    await wb.page.keyboard.press("Shift+ArrowRight");
    await wb.page.keyboard.press("Shift+ArrowRight");
    await wb.page.keyboard.type("pro"); // port -> prot
    await wb.editor.locator(".squiggly-error").first().waitFor();
    const rows = await wb.problems();
    const row = rows.filter({ hasText: 'did you mean "port"' });
    await row.first().waitFor();
    assert.match((await row.first().textContent()) ?? "", /prot/);
    await wb.screenshot("diagnostic-typo");
    // The quick fix on the key, from the light bulb menu (Ctrl+.).
    await wb.openFile("unikernel.yaml");
    await wb.goTo(line, column);
    await wb.page.keyboard.press("Control+.");
    const fix = wb.page.locator(".action-widget .monaco-list-row", { hasText: 'Change to "port"' });
    await fix.waitFor();
    await wb.screenshot("quick-fix");
    // The did-you-mean fix is the preferred one: first and focused; Enter applies it.
    await wb.page
      .locator(".action-widget .monaco-list-row.focused", { hasText: 'Change to "port"' })
      .waitFor();
    await wb.page.keyboard.press("Enter");
    await row.first().waitFor({ state: "detached" });
    await wb.editor.locator(".view-line", { hasText: "port: 80" }).first().waitFor();
    await wb.command("File: Revert File");
  });

  it("lists the CLI's targets in the status-bar picker", async function () {
    this.timeout(CLI_TIMEOUT);
    const cli = await runJson(
      { checkout: root, node: process.execPath, env: process.env },
      ["targets"],
      root,
    );
    const targets = targetsOf(cli.json);
    assert.ok(targets.some((t) => t.name === "unix" && t.available));
    await wb.page.locator(".statusbar-item", { hasText: "unix" }).click();
    const rows = wb.quickInput.locator(".monaco-list-row");
    await rows.filter({ hasText: "unix" }).first().waitFor();
    assert.equal(await rows.count(), targets.length);
    for (const t of targets) {
      const row = rows.filter({ hasText: t.name }).first();
      const text = (await row.textContent()) ?? "";
      assert.equal(/not available yet/.test(text), !t.available, `${t.name}: ${text}`);
    }
    await wb.screenshot("select-target");
    await wb.page.keyboard.press("Escape");
  });

  it("flags a device the chosen target lacks, and the flag follows the target picker", async function () {
    this.timeout(CLI_TIMEOUT);
    // A device type no available target provides yet, and a second available target, as
    // `morgana targets --json` says (no hard-coded list: targets grow).
    const cli = await runJson(
      { checkout: root, node: process.execPath, env: process.env },
      ["targets"],
      root,
    );
    const list = (cli.json.targets ?? []) as {
      name: string;
      available: boolean;
      devices: Record<string, string>;
    }[];
    const available = list.filter((t) => t.available);
    const lines: Record<string, string> = {
      kv_rw: "store: { type: kv_rw, path: data }",
      block: "disk: { type: block, path: disk.img }",
      dns: "resolver: { type: dns, server: 10.0.0.1 }",
    };
    const type = Object.keys(lines).find((t) => available.every((x) => !(t in x.devices)));
    assert.ok(type, "a device type no available target provides");
    const other = available.find((t) => t.name !== "unix");
    assert.ok(other, "a second available target");
    await wb.openFile("unikernel.yaml");
    await wb.goTo(lineOf(join(project, "unikernel.yaml"), "type: http"), 200);
    await wb.page.keyboard.press("End");
    await wb.page.keyboard.press("Enter");
    await wb.page.keyboard.type(lines[type] as string);
    const rows = await wb.problems();
    const onUnix = rows.filter({ hasText: "has no implementation on unix yet" });
    await onUnix.first().waitFor();
    assert.match((await onUnix.first().textContent()) ?? "", new RegExp(`\\(${type}\\)`));
    await wb.page.locator(".statusbar-item", { hasText: "unix" }).click();
    await wb.pick(null, other.name, other.name);
    const onOther = rows.filter({ hasText: `has no implementation on ${other.name} yet` });
    await onOther.first().waitFor();
    await onUnix.first().waitFor({ state: "detached" });
    await wb.screenshot("device-the-target-lacks");
    await wb.page.locator(".statusbar-item", { hasText: other.name }).click();
    await wb.pick(null, "unix", "unix");
    await onOther.first().waitFor({ state: "detached" });
    await wb.openFile("unikernel.yaml");
    await wb.command("File: Revert File");
    await onUnix.first().waitFor({ state: "detached" });
  });

  it("builds from the palette: the bundle exists and a notification says so", async function () {
    this.timeout(CLI_TIMEOUT);
    await wb.command("Morgana: Build");
    await wb.notification("Morgana: built dist/unix/static-website.mjs").waitFor();
    assert.ok(existsSync(join(project, "dist", "unix", "static-website.mjs")));
    await wb.screenshot("build-succeeded");
    await wb.clearNotifications();
  });

  it("puts a type error in src/ into Problems at its file, line and column", async function () {
    this.timeout(CLI_TIMEOUT);
    const file = join(project, "src", "unikernel.ts");
    goodSource = readFileSync(file, "utf8");
    const bad = goodSource.replace(
      "await console.log(`static-website",
      "await console.lgo(`static-website",
    );
    assert.notEqual(bad, goodSource);
    writeFileSync(file, bad);
    const lines = bad.split("\n");
    const line = lines.findIndex((l) => l.includes("console.lgo")) + 1;
    const column = (lines[line - 1] ?? "").indexOf("lgo") + 1;
    await wb.command("Morgana: Build");
    await wb.notification("Morgana: build failed").waitFor();
    const rows = await wb.problems();
    const row = rows.filter({ hasText: "Property 'lgo' does not exist" }).first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", new RegExp(`\\[Ln ${line}, Col ${column}\\]`));
    await row.click(); // opens unikernel.ts at the error
    await wb.page.locator(".tab.active", { hasText: "unikernel.ts" }).waitFor();
    await wb.screenshot("build-error-in-problems");
  });

  it("clears that problem once the fixed source builds", async function () {
    this.timeout(CLI_TIMEOUT);
    writeFileSync(join(project, "src", "unikernel.ts"), goodSource);
    await wb.clearNotifications();
    await wb.command("Morgana: Build");
    await wb.notification("Morgana: built").waitFor();
    const rows = await wb.problems();
    await rows.filter({ hasText: "Property 'lgo' does not exist" }).waitFor({ state: "detached" });
    await wb.command("View: Close All Editors");
  });

  it("shows the device graph with each device's unix implementation", async function () {
    this.timeout(CLI_TIMEOUT);
    await wb.command("Morgana: Show Device Graph");
    await wb.page.locator(".tab.active", { hasText: "Device Graph" }).waitFor();
    const svg = await waitForWebviewText(wb, "Morgana's HTTP/1.1 server");
    assert.match(svg, /htdocs: kv_ro/);
    assert.match(svg, /a host folder, read live/);
    await wb.clearNotifications();
    await wb.screenshot("device-graph");
    await wb.command("View: Close All Editors");
  });

  it("runs the unikernel: its console in a terminal, its URL in the Unikernels view", async function () {
    this.timeout(CLI_TIMEOUT);
    await wb.command("Morgana: Run");
    const url = `http://127.0.0.1:${port}/`;
    await wb.notification(`is listening on ${url}`).waitFor();
    assert.match(await wb.terminalText(), new RegExp(`listening on ${url.replaceAll(".", "\\.")}`));
    const page = await (await fetch(url)).text();
    assert.match(page, /<html/i);
    await wb.command("Explorer: Focus on Unikernels View");
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Unikernels" }),
    });
    await view.locator(".monaco-list-row", { hasText: "static-website on unix" }).waitFor();
    await view.locator(".monaco-list-row", { hasText: url }).waitFor();
    await wb.screenshot("running-console-and-view");
  });

  it("opens the URL from the view in a browser tab", async () => {
    const url = `http://127.0.0.1:${port}/`;
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Unikernels" }),
    });
    const popup = wb.page.context().waitForEvent("page");
    await view.locator(".monaco-list-row", { hasText: url }).click();
    // code-server asks before opening an outside link: confirm it, as a person would.
    const open = wb.page.locator(".dialog-buttons a, .dialog-buttons .monaco-button", {
      hasText: /^Open$/,
    });
    await Promise.race([popup, open.waitFor().then(() => open.click())]);
    const tab = await popup;
    await tab.waitForLoadState();
    // The page is the sample's own index.html, served by the unikernel.
    const heading = /<h1>([^<]+)<\/h1>/.exec(
      readFileSync(join(project, "htdocs", "index.html"), "utf8"),
    )?.[1];
    assert.ok(heading);
    await tab.locator("h1", { hasText: heading }).waitFor();
    const shot = new Workbench(tab, join(artifacts, "pages"));
    await shot.screenshot("opened-from-view");
    await tab.close();
  });

  it("stops it: the port closes and the view no longer lists it", async () => {
    await wb.command("Morgana: Stop");
    await wb.notification(/Morgana: stopped static-website/).waitFor();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Unikernels" }),
    });
    await view
      .locator(".monaco-list-row", { hasText: "static-website on unix" })
      .waitFor({ state: "detached" });
    assert.match(await wb.terminalText(), /exited \(130\)/);
    await wb.screenshot("stopped");
  });

  it("runs a morgana task whose $morgana problem matcher fills Problems", async function () {
    this.timeout(CLI_TIMEOUT);
    const yaml = join(project, "unikernel.yaml");
    const good = readFileSync(yaml, "utf8");
    const bad = good.replace("port: 80", "prot: 80");
    writeFileSync(yaml, bad);
    const lines = bad.split("\n");
    const line = lines.findIndex((l) => l.includes("prot:")) + 1;
    const column = (lines[line - 1] ?? "").indexOf("prot") + 1;
    try {
      await wb.command("Tasks: Run Task");
      await wb.pick(null, "morgana", "morgana");
      await wb.pick(null, "configure", "configure static-website (unix)");
      // The task's terminal shows the CLI's own line and its exit code 3 (invalid project).
      await wb.page
        .locator(".terminal-wrapper.active .xterm-rows", { hasText: "exit code: 3" })
        .waitFor();
      const rows = await wb.problems();
      const row = rows.filter({ hasText: "unknown key" }).first();
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", new RegExp(`\\[Ln ${line}, Col ${column}\\]`));
      await wb.screenshot("task-problem-matcher");
    } finally {
      writeFileSync(yaml, good);
    }
  });

  it("F5 stops in stack/http when a client connects, steps into the handler, continues", async function () {
    this.timeout(2 * CLI_TIMEOUT); // a build, then js-debug's start and each pause
    mkdirSync(join(project, ".vscode"), { recursive: true });
    const launch = {
      version: "0.2.0",
      configurations: [
        {
          type: "morgana",
          request: "launch",
          name: "Morgana: debug the unikernel",
          target: "unix",
        },
      ],
    };
    writeFileSync(join(project, ".vscode", "launch.json"), JSON.stringify(launch, null, 2));
    // A breakpoint where the HTTP server hands a request to the app's handler.
    const server = join(root, "stack", "http", "server.ts");
    await wb.openFile(server);
    await wb.goTo(lineOf(server, "result = this.handler(request);"), 1);
    await wb.command("Debug: Toggle Breakpoint");
    await wb.editor
      .locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified")
      .first()
      .waitFor();

    await wb.command("Debug: Start Debugging");
    await waitForListening(port);
    const response = fetch(`http://127.0.0.1:${port}/`);
    // Paused in the stack's own source: its frame on top, its locals in Variables.
    await wb.page.locator(".tab.active", { hasText: "server.ts" }).waitFor();
    await wb.editor.locator(".debug-top-stack-frame-line").waitFor();
    const variables = wb.page.locator(".debug-variables");
    await variables.locator(".monaco-list-row", { hasText: "result" }).first().waitFor();
    await wb.page.locator(".monaco-list-row", { hasText: "FlowServer.dispatch" }).first().waitFor();
    await wb.screenshot("debug-stopped-in-stack-http");

    // Step Into leaves the dispatcher for the handler the app gave the server.
    await wb.page.keyboard.press("F11");
    await wb.page.locator(".tab.active", { hasNotText: "server.ts" }).waitFor();
    await wb.editor.locator(".debug-top-stack-frame-line").waitFor();
    await wb.screenshot("debug-stepped-into-handler");

    await wb.page.keyboard.press("F5"); // Continue
    assert.equal((await response).status, 200);
    await wb.page.keyboard.press("Shift+F5"); // Stop
    await wb.page.locator(".debug-toolbar").waitFor({ state: "hidden" });
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
    await wb.command("Remove All Breakpoints");
  });

  it("F5 on an https-site stops in stack/tls at the ClientHello when curl connects, continues", async function () {
    this.timeout(4 * CLI_TIMEOUT); // a new project, a build with a dev certificate, the pause
    const site = join(dirname(project), "https-site");
    const made = await morgana(["new", "https-site", site]);
    assert.equal(made.code, 0, made.stderr);
    const [https, http] = [await freePort(), await freePort()];
    const yaml = join(site, "unikernel.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8").replace('"8443:443", "8080:80"', `"${https}:443", "${http}:80"`),
    );
    const app = join(site, "src", "unikernel.ts");
    writeFileSync(
      app,
      readFileSync(app, "utf8").replace('"8080": "8443"', `"${http}": "${https}"`),
    );
    mkdirSync(join(project, ".vscode"), { recursive: true });
    const name = "Morgana: debug https-site";
    const launch = {
      version: "0.2.0",
      configurations: [{ type: "morgana", request: "launch", name, target: "unix", project: site }],
    };
    writeFileSync(join(project, ".vscode", "launch.json"), JSON.stringify(launch, null, 2));
    // A breakpoint on the first thing the server does with every ClientHello: decode it.
    const tls = join(root, "stack", "tls", "server.ts");
    const line = lineOf(tls, "ch = decodeClientHello(msg.body);");
    await wb.command("View: Close All Editors"); // stack/http's server.ts is another server.ts
    await wb.openFile(tls);
    await wb.goTo(line, 1);
    await wb.command("Debug: Toggle Breakpoint");
    await wb.editor
      .locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified")
      .first()
      .waitFor();

    await wb.command("Debug: Select and Start Debugging");
    await wb.pick(null, `debug ${name}`, name); // the picker is quick access's "debug " mode
    await waitForListening(https);
    // -k: the dev certificate is signed by code-server's own throwaway dev CA.
    const page = curl(["-k", "--max-time", "90", `https://127.0.0.1:${https}/`]);
    // Paused in TLS's own source, on that line, in the handshake's frame.
    await wb.page.locator(".tab.active", { hasText: "server.ts" }).waitFor();
    await wb.editor.locator(".debug-top-stack-frame-line").waitFor();
    const frame = wb.page
      .locator(".debug-call-stack .monaco-list-row", { hasText: "onClientHello" })
      .first();
    await frame.waitFor();
    assert.match((await frame.textContent()) ?? "", new RegExp(`server\\.ts\\s*${line}:`));
    await wb.page.locator(".statusbar-item", { hasText: `Ln ${line},` }).waitFor();
    await wb.screenshot("debug-stopped-in-stack-tls");

    await wb.page.keyboard.press("F5"); // Continue: the handshake completes, curl gets the page
    const got = await page;
    assert.equal(got.code, 0, got.err);
    assert.equal(got.out, readFileSync(join(site, "htdocs", "index.html"), "utf8"));
    await wb.page.keyboard.press("Shift+F5"); // Stop
    await wb.page.locator(".debug-toolbar").waitFor({ state: "hidden" });
    assert.equal(await isListening(https), false);
    await wb.command("Remove All Breakpoints");
    await wb.command("View: Close All Editors");
  });

  it("creates a unikernel from a template picked in New Unikernel", async function () {
    this.timeout(CLI_TIMEOUT);
    const dir = join(dirname(project), "my-hello");
    await wb.command("Morgana: New Unikernel...");
    // The templates are the checkout's samples; pick hello.
    await wb.quickInput
      .locator(".monaco-list-row", { hasText: "static-website" })
      .first()
      .waitFor();
    await wb.pick(null, "hello", "hello");
    const input = wb.quickInput.locator("input");
    await wb.quickInput
      .locator(".quick-input-message", { hasText: "A new, empty folder" })
      .waitFor();
    await input.fill(dir);
    await wb.screenshot("new-unikernel-folder");
    await input.press("Enter");
    await wb.notification(`Morgana: created ${dir}`).waitFor();
    assert.match(readFileSync(join(dir, "unikernel.yaml"), "utf8"), /^name: my-hello$/m);
    await wb.clearNotifications();
  });

  it("offers the first-run walkthrough", async () => {
    await wb.command("Welcome: Open Walkthrough...");
    await wb.pick(null, "Your first Morgana unikernel", "Your first Morgana unikernel");
    for (const step of [
      "Create or open a unikernel",
      "Pick a target",
      "Build it",
      "Run it and open it",
      "See its devices",
    ]) {
      await wb.page.locator(".getting-started-step", { hasText: step }).first().waitFor();
    }
    await wb.screenshot("walkthrough");
    await wb.command("View: Close All Editors");
  });

  it("logs no extension error in the extension host", () => {
    assert.deepEqual(extensionHostErrors(server.userDataDir), []);
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

/** curl `args`, to completion: its exit code, the body on stdout, and stderr. */
function curl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) =>
    execFile("curl", ["-sS", ...args], (e, out, err) =>
      done({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    ),
  );
}

/** Waits until something accepts TCP connections on 127.0.0.1:`port`. */
async function waitForListening(port: number): Promise<void> {
  while (!(await isListening(port))) await new Promise((r) => setTimeout(r, 100));
}

/** Polls the webviews' frames (nested iframes) until one shows `text`; returns that frame's text. */
async function waitForWebviewText(wb: Workbench, text: string): Promise<string> {
  for (;;) {
    for (const frame of wb.page.frames()) {
      const body = await frame
        .locator("body")
        .textContent()
        .catch(() => null);
      if (body?.includes(text)) return body;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
