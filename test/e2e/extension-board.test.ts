/**
 * F5 on cubieboard2 in a real VS Code (code-server in Chromium, as extension.test.ts): the
 * extension builds the image with XS's debugger and hands the session to the checkout's debug
 * adapter (debugger/), which boots it in QEMU; a breakpoint on a TypeScript line of the app
 * stops there, with the call stack and the variables at TypeScript positions. Screenshots go
 * to $MORGANA_ARTIFACTS/extension-board (default: the system temp folder).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
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
import { cacheRoot, ensureXsLibrary } from "../../runtime/baremetal/build/index.ts";
import { copySample } from "./lib/morgana.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const artifacts = join(
  process.env.MORGANA_ARTIFACTS ?? join(tmpdir(), "morgana-artifacts"),
  "extension-board",
);

/** samples/hello with a function to stop in. */
const APP = `import type { Devices } from "morgana:devices";
import { NS_PER_MS } from "@morgana/stack/devices";

/** The debugger stops in here. */
export function measure(tick: number): number {
  const measuredArea = tick * 7;
  return measuredArea;
}

export async function start({ console, clock }: Devices): Promise<void> {
  await console.log("debug me on the board");
  for (let tick = 1; tick <= 3; tick++) {
    await clock.sleepNs(100n * NS_PER_MS);
    await console.log(\`measured \${measure(tick)}\`);
  }
  await console.log("done");
}
`;
const STOP_LINE = APP.split("\n").findIndex((l) => l.includes("return measuredArea;")) + 1;

/** QEMU processes booting an image of `dir`. */
function qemusFor(dir: string): string[] {
  try {
    return execFileSync("pgrep", ["-a", "-x", "qemu-system-arm"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes(dir));
  } catch {
    return [];
  }
}

describe("VS Code extension: F5 on cubieboard2 stops at a TypeScript breakpoint in QEMU", () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let project: string;

  before(async function () {
    this.timeout(20 * 60_000); // code-server's first install, XS with its debugger
    ensureCodeServer();
    await ensureXsLibrary(() => {}, "arm", { debug: true });
    rmSync(artifacts, { recursive: true, force: true });
    const vsix = await packageVsix();
    project = copySample("hello", "morgana-ext-board-");
    writeFileSync(join(project, "src", "unikernel.ts"), APP);
    mkdirSync(join(project, ".vscode"), { recursive: true });
    writeFileSync(
      join(project, ".vscode", "launch.json"),
      JSON.stringify(
        {
          version: "0.2.0",
          configurations: [
            {
              type: "morgana",
              request: "launch",
              name: "Morgana: debug on cubieboard2",
              target: "cubieboard2",
            },
          ],
        },
        null,
        2,
      ),
    );
    // code-server runs with a throwaway HOME: the CLI it runs must find XS built above.
    const cache = process.env.MORGANA_CACHE;
    process.env.MORGANA_CACHE = cacheRoot();
    try {
      server = await startCodeServer({
        settings: { "morgana.checkout": root, "files.autoSave": "off" },
        prepare: (s) => {
          installVsix(s, vsix);
        },
      });
    } finally {
      if (cache === undefined) delete process.env.MORGANA_CACHE;
      else process.env.MORGANA_CACHE = cache;
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
    if (project) rmSync(dirname(project), { recursive: true, force: true });
  });

  it("F5 builds with the debugger, boots, stops at the breakpoint; continue runs it to exit 0", async function () {
    this.timeout(240_000); // the extension host's cold start, a build, QEMU
    await wb.page.locator(".statusbar-item", { hasText: "unix" }).waitFor({ timeout: 60_000 });
    const source = join(project, "src", "unikernel.ts");
    await wb.openFile(source);
    await wb.goTo(STOP_LINE, 1);
    await wb.command("Debug: Toggle Breakpoint");
    await wb.editor
      .locator(".codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified")
      .first()
      .waitFor();
    await wb.goTo(1, 1);

    await wb.command("Debug: Start Debugging");
    // Stopped in measure(), at the breakpoint's line, in the TypeScript file.
    await wb.editor.locator(".debug-top-stack-frame-line").waitFor({ timeout: 180_000 });
    await wb.page
      .locator(".debug-call-stack .monaco-list-row", { hasText: "measure" })
      .first()
      .waitFor();
    await wb.page
      .locator(".debug-call-stack .monaco-list-row", { hasText: "unikernel.ts" })
      .first()
      .waitFor();
    await wb.page
      .locator(".statusbar-item", { hasText: new RegExp(`Ln ${STOP_LINE},`) })
      .first()
      .waitFor();
    const variables = wb.page.locator(".debug-variables");
    await variables
      .locator(".monaco-list-row", { hasText: /measuredArea\s*[:=]?\s*7/ })
      .first()
      .waitFor();
    assert.equal(qemusFor(project).length, 1, "the image runs in QEMU");
    await wb.screenshot("debug-stopped-on-board");

    // Breakpoint off, continue: the board runs to its end and the session ends.
    await wb.command("Remove All Breakpoints");
    await wb.page.keyboard.press("F5");
    await wb.page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 60_000 });
    await wb.page.locator(".repl", { hasText: "the board exited with code 0" }).first().waitFor();
    await wb.screenshot("board-exited");
    assert.deepEqual(qemusFor(project), []);
  });
});
