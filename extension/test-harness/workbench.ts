/**
 * Driving the VS Code workbench in Chromium the way a person does: the command palette,
 * Quick Open, the Problems view, the terminal. Each helper waits for a visible state,
 * never for a fixed time.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { CHROMIUM } from "./code-server.ts";

export async function launchBrowser(home: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config") },
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/**
 * Chromium on code-server's folder `url`: a 1280x800 window, the workbench open and its
 * explorer showing, screenshots into `screenshots`.
 */
export async function openWorkbench(
  home: string,
  url: string,
  screenshots: string,
): Promise<{ browser: Browser; wb: Workbench }> {
  const browser = await launchBrowser(home);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const wb = new Workbench(await context.newPage(), screenshots);
  await wb.open(url);
  return { browser, wb };
}

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly screenshots: string,
  ) {
    mkdirSync(screenshots, { recursive: true });
  }

  /** Opens the workbench on `url` and waits until the folder's explorer shows. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await this.page.locator(".explorer-folders-view").waitFor({ timeout: 60_000 });
  }

  /** For afterEach: a screenshot named after a test that failed, so CI shows where it stood. */
  async screenshotIfFailed(test: { state?: string; title: string } | undefined): Promise<void> {
    if (test?.state !== "failed") return;
    await this.screenshot(`FAILED-${test.title.replace(/\W+/g, "-")}`).catch(() => {});
  }

  /**
   * For after hooks: a step that failed half-way may leave a debug session running (its
   * debuggee detaches from code-server); end it as a person would, with Shift+F5.
   */
  async endDebugSession(): Promise<void> {
    const toolbar = this.page.locator(".debug-toolbar");
    if (!(await toolbar.isVisible().catch(() => false))) return;
    await this.page.keyboard.press("Shift+F5");
    await toolbar.waitFor({ state: "hidden" }).catch(() => {});
  }

  /** A numbered screenshot of the whole window; returns its path. */
  async screenshot(name: string): Promise<string> {
    this.shot += 1;
    const path = join(this.screenshots, `${String(this.shot).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  /** Runs a command from the palette by its full title, e.g. "Morgana: Build". */
  async command(title: string): Promise<void> {
    await this.pick("F1", `>${title}`, title);
  }

  /**
   * Opens a quick pick with `key`, types `filter` and clicks the row showing `row`. Typing
   * can race the pick's opening (its input resets): then it types again.
   */
  async pick(key: string | null, filter: string, row: string): Promise<void> {
    if (key) {
      // A pick left open (by a failed step) would swallow the key.
      if (await this.quickInput.isVisible()) await this.page.keyboard.press("Escape");
      await this.page.keyboard.press(key);
    }
    const input = this.quickInput.locator("input");
    await input.waitFor();
    const target = this.quickInput.locator(".monaco-list-row", { hasText: row }).first();
    for (;;) {
      await input.fill(filter);
      const shown = await target.waitFor({ timeout: 2_000 }).then(
        () => true,
        () => false,
      );
      if (shown && (await input.inputValue()) === filter) break;
    }
    // Enter on the focused row when it is ours (rows re-render under a click); else click.
    const focused = this.quickInput.locator(".monaco-list-row.focused", { hasText: row });
    if ((await focused.count()) > 0) await input.press("Enter");
    else await target.click();
  }

  /** Opens a workspace file by name through Quick Open and waits for its tab. */
  async openFile(path: string): Promise<void> {
    await this.page.keyboard.press("Control+P");
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(path);
    // Quick Open shows recently opened files first and filters them as it goes: press Enter
    // only once the focused row is this file (its name, and its folder's for a path).
    const name = path.split("/").pop() ?? path;
    const folder = path.split("/").slice(-2, -1)[0] ?? "";
    const focused = this.quickInput.locator(".monaco-list-row.focused", { hasText: name }).first();
    for (;;) {
      await focused.waitFor();
      if (((await focused.textContent().catch(() => "")) ?? "").includes(folder)) break;
      await this.page.waitForTimeout(100);
    }
    await this.page.keyboard.press("Enter");
    await this.page.locator(".tab.active", { hasText: path.split("/").pop() ?? path }).waitFor();
    await this.editor.click({ position: { x: 200, y: 10 } });
  }

  get editor(): Locator {
    return this.page
      .locator(".editor-group-container.active .editor-instance .monaco-editor:visible")
      .first();
  }

  /** Puts the cursor at a 1-based line and column with Go to Line. */
  async goTo(line: number, column = 1): Promise<void> {
    await this.page.keyboard.press("Control+G");
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await this.quickInput.waitFor({ state: "hidden" });
  }

  /** The notification toasts whose text contains `text`. */
  notification(text: string | RegExp): Locator {
    return this.page.locator(".notification-toast", { hasText: text });
  }

  async clearNotifications(): Promise<void> {
    await this.command("Notifications: Clear All Notifications");
  }

  /** Shows the Problems view and returns its rows. */
  async problems(): Promise<Locator> {
    const panel = this.page.locator(".markers-panel");
    // A terminal a task reveals can take the panel back: ask again until Problems shows.
    while (!(await panel.isVisible())) {
      await this.command("View: Focus Problems");
      await panel.waitFor({ timeout: 2_000 }).catch(() => {});
    }
    return panel.locator(".monaco-list-row");
  }

  /** The visible text of the active terminal (the DOM renderer keeps it in the page). */
  async terminalText(): Promise<string> {
    const rows = await this.page
      .locator(".terminal-wrapper.active .xterm-rows > div")
      .allTextContents();
    return rows.join("\n");
  }
}
