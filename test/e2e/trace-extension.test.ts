/**
 * The Protocol view in a real VS Code (code-server in Chromium, as extension.test.ts): Run boots
 * samples/https-site on the direct target (Morgana's own TCP/IP, in a namespace of this test's
 * own), curl fetches a page over TLS 1.3 from inside the namespace, and the view shows the TLS
 * session (suite, SNI, its handshake messages) and the TCP connection (state, sequence numbers,
 * windows) the unikernel reported over the trace channel. Needs root (a tap and a namespace).
 * Screenshots go to $MORGANA_ARTIFACTS/trace-extension (default: the system temp folder).
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator } from "playwright-core";
import { packageVsix } from "../../extension/bundle.mjs";
import {
  type CodeServer,
  ensureCodeServer,
  installVsix,
  startCodeServer,
} from "../../extension/test-harness/code-server.ts";
import { openWorkbench, type Workbench } from "../../extension/test-harness/workbench.ts";
import { type TraceEvent, traceEventJson } from "../../stack/trace/index.ts";
import { makeNetns, netnsProblem } from "../unit/net/helpers/netns.ts";
import { freePort, isListening, morgana } from "./lib/morgana.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const artifacts = join(
  process.env.MORGANA_ARTIFACTS ?? join(tmpdir(), "morgana-artifacts"),
  "trace-extension",
);

const F5_UNIX = "Morgana: debug on unix";

describe("VS Code extension: the Protocol view shows a direct unikernel's TLS and TCP live", () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let work: string;
  let project: string;
  let ns: Awaited<ReturnType<typeof makeNetns>> | undefined;
  const saved = { ca: process.env.MORGANA_CA_DIR, netns: process.env.MORGANA_DIRECT_NETNS };

  before(async function () {
    this.timeout(600_000); // the first run installs code-server into the cache
    const problem = netnsProblem(true);
    if (problem) assert.fail(`the direct target needs a tap and a namespace: ${problem}`);
    ensureCodeServer();
    rmSync(artifacts, { recursive: true, force: true });
    const vsix = await packageVsix();
    ns = await makeNetns();
    work = mkdtempSync(join(tmpdir(), "morgana-trace-ext-"));
    project = join(work, "https-site");
    // code-server, its extension host and the CLI it runs inherit these: the dev CA of this
    // test, and the namespace the tap goes into.
    process.env.MORGANA_CA_DIR = join(work, "ca");
    process.env.MORGANA_DIRECT_NETNS = ns.name;
    const made = await morgana(["new", "https-site", project]);
    assert.equal(made.code, 0, made.stderr);
    // F5's configuration (the second test): unix, whatever the status bar says.
    mkdirSync(join(project, ".vscode"), { recursive: true });
    writeFileSync(
      join(project, ".vscode", "launch.json"),
      JSON.stringify({
        version: "0.2.0",
        configurations: [{ type: "morgana", request: "launch", name: F5_UNIX, target: "unix" }],
      }),
    );
    server = await startCodeServer({
      settings: {
        "morgana.checkout": root,
        "morgana.target": "direct",
        "files.autoSave": "off",
        // The DOM renderer: the terminal's text is then in the page, for terminalText().
        "terminal.integrated.gpuAcceleration": "off",
      },
      prepare: (s) => {
        installVsix(s, vsix);
      },
    });
    ({ browser, wb } = await openWorkbench(server.home, server.folderUrl(project), artifacts));
  });

  afterEach(async function () {
    await wb?.screenshotIfFailed(this.currentTest);
  });

  after(async function () {
    this.timeout(60_000);
    await wb?.command("Morgana: Stop").catch(() => {});
    await browser?.close();
    await server?.stop();
    await ns?.remove();
    for (const [k, v] of [
      ["MORGANA_CA_DIR", saved.ca],
      ["MORGANA_DIRECT_NETNS", saved.netns],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (work) {
      // A unikernel the editor started can outlive code-server when Stop did not reach it
      // (seen twice after full runs): end what still runs from this test's own temp folder.
      spawnSync("pkill", ["-f", work]);
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("after curl, the view lists the TLS session and the TCP connection, with their histories", async function () {
    this.timeout(240_000); // a build (and a dev certificate), DHCP, code-server under load
    assert.ok(ns);
    await wb.page.locator(".statusbar-item", { hasText: "direct" }).waitFor({ timeout: 60_000 });
    await wb.command("Morgana: Run");
    // Run's notification names the first URL (http, port 80); the terminal has both.
    await wb.notification(/is listening on http:\/\/10\.77\./).waitFor({ timeout: 180_000 });
    let address: string | undefined;
    for (const until = Date.now() + 30_000; !address; ) {
      assert.ok(Date.now() < until, `no https URL in the terminal:\n${await wb.terminalText()}`);
      address = /listening on https:\/\/(10\.77\.0\.\d+):443\//.exec(await wb.terminalText())?.[1];
      if (!address) await new Promise((r) => setTimeout(r, 200));
    }
    await wb.clearNotifications();

    // The dev certificate names localhost: curl resolves it to the unikernel's address.
    const got = await ns.exec("curl", [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--max-time",
      "20",
      "--cacert",
      join(work, "ca", "ca.pem"),
      "--resolve",
      `localhost:443:${address}`,
      "https://localhost/",
    ]);
    assert.equal(got.stdout, "200", got.stderr);

    await wb.command("Explorer: Focus on Protocol View");
    // Room for it: the folder's files fold away, as a person would fold them.
    await wb.page.locator(".pane-header", { hasText: "https-site" }).first().click();
    // ... and the side bar is dragged wider, so rows read whole in the screenshots.
    const bar = await wb.page.locator(".part.sidebar").boundingBox();
    if (bar) {
      const edge = bar.x + bar.width;
      await wb.page.mouse.move(edge + 1, 400);
      await wb.page.mouse.down();
      await wb.page.mouse.move(edge + 240, 400, { steps: 8 });
      await wb.page.mouse.up();
    }
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Protocol" }),
    });
    const row = (text: string | RegExp): Locator =>
      view.locator(".monaco-list-row", { hasText: text }).first();
    await row(/https-site.*direct · pid \d+/).waitFor();
    await row("TLS sessions").waitFor();
    await row("TCP connections").waitFor();
    // The session, its summary on its row; opened: its fields, then its handshake.
    const session = row(/tls:443#\d+-10\.77\.0\.1:\d+/);
    await session.locator(".label-description", { hasText: /TLSv1\.3 · TLS_/ }).waitFor();
    await session.click();
    await row(/^SNIlocalhost$|SNI\s*localhost/).waitFor();
    await row(/ALPN\s*http\/1\.1/).waitFor();
    await row("history").click();
    for (const message of ["← ClientHello", "→ ServerHello", "→ Certificate", "← Finished"]) {
      await row(message).waitFor();
    }
    await wb.screenshot("protocol-tls-session");
    // Closed again, the TCP connection to port 443 and its fields.
    await session.click();
    const connection = row(new RegExp(`tcp:${address.replaceAll(".", "\\.")}:443-`));
    await connection.waitFor();
    await connection.click();
    for (const field of ["snd.una", "snd.nxt", "rcv.wnd", "cwnd", "srtt (ms)", "rto (ms)"]) {
      await row(field).waitFor();
    }
    await wb.screenshot("protocol-tcp-connection");
    await wb.command("Morgana: Stop");
    await row(/https-site.*direct · pid \d+ · exited/).waitFor();
  });

  it("F5 on unix: the debuggee's TLS session shows up too, under a row of its own", async function () {
    this.timeout(240_000); // a build, js-debug's start
    const [https, http] = [await freePort(), await freePort()];
    const yaml = join(project, "unikernel.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8").replace('"8443:443", "8080:80"', `"${https}:443", "${http}:80"`),
    );
    await wb.command("Debug: Select and Start Debugging");
    await wb.pick(null, `debug ${F5_UNIX}`, F5_UNIX);
    while (!(await isListening(https))) await new Promise((r) => setTimeout(r, 100));
    const got = await new Promise<string>((done) =>
      execFile(
        "curl",
        [
          "-sS",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          "--cacert",
          join(work, "ca", "ca.pem"),
        ].concat(["--max-time", "20", `https://localhost:${https}/`]),
        (_e, out, err) => done(out || err),
      ),
    );
    assert.equal(got, "200");
    await wb.command("Explorer: Focus on Protocol View");
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Protocol" }),
    });
    // js-debug ran the bundle itself: it inherited the extension host's MORGANA_TRACE.
    const debuggee = view.locator(".monaco-list-row", { hasText: /https-site\s*unix · pid \d+/ });
    await debuggee.waitFor();
    await view
      .locator(".monaco-list-row", { hasText: /tls:443#\d+-127\.0\.0\.1:\d+\s*TLSv1\.3 · TLS_/ })
      .first()
      .waitFor();
    await wb.screenshot("protocol-f5-unix");
    await wb.page.keyboard.press("Shift+F5");
    await wb.page.locator(".debug-toolbar").waitFor({ state: "hidden" });
    await view.locator(".monaco-list-row", { hasText: /unix · pid \d+ · exited/ }).waitFor();
  });

  it("Open Trace File shows a `--trace` file from elsewhere as a row of its own", async function () {
    this.timeout(60_000);
    const file = join(work, "ci-run.jsonl");
    const alert: TraceEvent = {
      layer: "tls",
      id: "tls:443#0-192.0.2.7:50000",
      name: "alert",
      atNs: 5_000_000n,
      state: { version: "TLSv1.3", suite: "TLS_CHACHA20_POLY1305_SHA256", handshake: "closed" },
      detail: { direction: "out", level: 2, description: "handshake_failure" },
    };
    writeFileSync(
      file,
      `${traceEventJson({ ...alert, name: "state", atNs: 0n })}\n${traceEventJson(alert)}\n`,
    );
    // Clear first: the runs above have exited, so only the file's row is left.
    await wb.command("Morgana: Clear Protocol History");
    await wb.command("Morgana: Open Trace File...");
    // code-server's own file dialog: a path in the quick input.
    const input = wb.quickInput.locator("input");
    await input.waitFor();
    // The dialog sets its own start folder once open: type until the path sticks.
    const listed = wb.quickInput.locator(".monaco-list-row", { hasText: "ci-run.jsonl" });
    for (;;) {
      await input.fill(file);
      const shown = await listed.waitFor({ timeout: 2_000 }).then(
        () => true,
        () => false,
      );
      if (shown && (await input.inputValue()) === file) break;
    }
    await wb.quickInput.locator(".monaco-button", { hasText: "OK" }).click();
    const view = wb.page.locator(".pane", {
      has: wb.page.locator(".pane-header", { hasText: "Protocol" }),
    });
    const row = (text: string | RegExp): Locator =>
      view.locator(".monaco-list-row", { hasText: text }).first();
    await row(/ci-run\.jsonl\s*trace file/).waitFor();
    await row(
      /tls:443#0-192\.0\.2\.7:50000\s*TLSv1\.3 · TLS_CHACHA20_POLY1305_SHA256 · closed/,
    ).click();
    await row("history").click();
    await row("alert → fatal handshake_failure").waitFor();
  });
});
