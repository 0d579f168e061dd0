/**
 * The extension in a real VS Code: code-server 4.100.3 in Debian's Chromium, driven like a
 * person would drive it. The .vsix is built and installed as a user would install it; the
 * sample is a fresh copy of samples/static-website. Screenshots of each step go to
 * $MORGANA_ARTIFACTS/extension (default: the system temp folder).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { packageVsix } from "../../extension/bundle.mjs";
import {
  type CodeServer,
  ensureCodeServer,
  freePort,
  installVsix,
  startCodeServer,
} from "../../extension/test-harness/code-server.ts";
import { launchBrowser, Workbench } from "../../extension/test-harness/workbench.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
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

  before(async function () {
    this.timeout(600_000); // the first run installs code-server into the cache (about a minute)
    ensureCodeServer();
    const vsix = await packageVsix();
    project = join(mkdtempSync(join(tmpdir(), "morgana-ext-")), "static-website");
    cpSync(join(root, "samples", "static-website"), project, {
      recursive: true,
      filter: (src) => !/[\\/](dist|\.morgana|node_modules)$/.test(src),
    });
    // A free host port, so the run does not collide with anything else on the machine.
    port = await freePort();
    const yaml = join(project, "unikernel.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace('"8080:80"', `"${port}:80"`));
    writeFileSync(
      join(project, "tsconfig.json"),
      readFileSync(join(project, "tsconfig.json"), "utf8").replace(
        "../../stack/*",
        join(root, "stack", "*"),
      ),
    );
    server = await startCodeServer({
      settings: {
        "morgana.checkout": root,
        "terminal.integrated.gpuAcceleration": "off",
        "editor.quickSuggestions": { other: false, comments: false, strings: false },
        "files.autoSave": "off",
      },
      prepare: (s) => {
        installLog = installVsix(s, vsix);
      },
    });
    browser = await launchBrowser(server.home);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    wb = new Workbench(await context.newPage(), artifacts);
    await wb.open(server.folderUrl(project));
  });

  after(async function () {
    this.timeout(30_000);
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
  });
});
