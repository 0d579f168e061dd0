/**
 * A real VS Code for tests: code-server 4.100.3 (VS Code 1.100.3, the last on Node 20),
 * installed once into a cache outside the repository, started on a free port with a
 * throwaway HOME, and Debian's Chromium driven by playwright-core. The facts behind each
 * step are in the design notes ("A real VS Code in tests").
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const CODE_SERVER_VERSION = "4.100.3";
/** The ripgrep @vscode/ripgrep (in code-server's VS Code) downloads, and the name it caches. */
const RIPGREP_CACHE = "vscode-ripgrep-cache-1.15.11";
const RIPGREP_TARBALL = "ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz";

export const CACHE_DIR =
  process.env.MORGANA_CODE_SERVER_CACHE ??
  join(homedir(), ".cache", "morgana", `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(CACHE_DIR, "node_modules", ".bin", "code-server");
export const CHROMIUM = "/usr/bin/chromium";

const log = (line: string) => process.stderr.write(`code-server: ${line}\n`);

/**
 * Installs code-server into the cache unless it is there (about 65 s; native modules build).
 * A local install in its own prefix: `--global` breaks code-server's nested install.
 */
export function ensureCodeServer(): string {
  if (existsSync(CODE_SERVER_BIN)) return CODE_SERVER_BIN;
  const rg = "/usr/bin/rg";
  if (!existsSync(rg) || !existsSync(CHROMIUM)) {
    throw new Error("ripgrep and chromium are missing: run `npm run setup` (Debian packages)");
  }
  log(`installing ${CODE_SERVER_VERSION} into ${CACHE_DIR} (once; one to three minutes)...`);
  // Install beside the cache and rename into place, so a run that stops half-way, or two
  // runs installing at once, never leave a broken cache behind.
  const partial = `${CACHE_DIR}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const tmp = join(partial, "tmp");
  const rgCache = join(tmp, RIPGREP_CACHE);
  mkdirSync(rgCache, { recursive: true });
  // @vscode/ripgrep looks for its download in this cache first: hand it Debian's rg.
  execFileSync("tar", ["-czf", join(rgCache, RIPGREP_TARBALL), "-C", "/usr/bin", "rg"]);
  writeFileSync(
    join(partial, "package.json"),
    `${JSON.stringify({ name: "morgana-code-server-cache", private: true }, null, 2)}\n`,
  );
  try {
    execFileSync(
      "npm",
      [
        "install",
        "--unsafe-perm",
        "--no-audit",
        "--no-fund",
        "--no-save",
        `code-server@${CODE_SERVER_VERSION}`,
      ],
      {
        cwd: partial,
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, TMPDIR: tmp, npm_config_yes: "true", npm_config_global: "false" },
      },
    );
    rmSync(tmp, { recursive: true, force: true });
    try {
      renameSync(partial, CACHE_DIR);
    } catch (err) {
      if (!existsSync(CODE_SERVER_BIN)) throw err; // else another run installed it first
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  if (!existsSync(CODE_SERVER_BIN)) throw new Error(`install left no ${CODE_SERVER_BIN}`);
  return CODE_SERVER_BIN;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => done(port));
    });
  });
}

/** A code-server with its own HOME, user data and extensions. */
export interface CodeServer {
  url: string;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  /** The URL that opens `folder` in the workbench. */
  folderUrl(folder: string): string;
  /** code-server's own output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Settings that keep the screen clean and the run reproducible; `extra` adds the test's own. */
export function userSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "workbench.startupEditor": "none",
    "security.workspace.trust.enabled": false,
    "remote.autoForwardPorts": false,
    "workbench.tips.enabled": false,
    "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "extensions.ignoreRecommendations": true,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "window.commandCenter": false,
    "chat.commandCenter.enabled": false,
    "workbench.colorTheme": "Default Light Modern",
    "editor.minimap.enabled": false,
    "git.enabled": false,
    ...extra,
  };
}

function env(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    EXTENSIONS_GALLERY: "{}",
  };
}

/** Installs a .vsix into the server's extensions folder; throws with code-server's words. */
export function installVsix(
  server: Pick<CodeServer, "home" | "extensionsDir" | "userDataDir">,
  vsix: string,
): string {
  return execFileSync(
    CODE_SERVER_BIN,
    [
      "--extensions-dir",
      server.extensionsDir,
      "--user-data-dir",
      server.userDataDir,
      "--install-extension",
      vsix,
      "--force",
    ],
    { env: env(server.home), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** Prepares a throwaway HOME with the settings, then `prepare` (e.g. install a .vsix), then starts. */
export async function startCodeServer(
  options: {
    settings?: Record<string, unknown>;
    prepare?: (s: Pick<CodeServer, "home" | "extensionsDir" | "userDataDir">) => void;
  } = {},
): Promise<CodeServer> {
  const bin = ensureCodeServer();
  const home = mkdtempSync(join(tmpdir(), "morgana-code-server-"));
  const userDataDir = join(home, "user-data");
  const extensionsDir = join(home, "extensions");
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, "User", "settings.json"),
    `${JSON.stringify(userSettings(options.settings), null, 2)}\n`,
  );
  options.prepare?.({ home, userDataDir, extensionsDir });
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--user-data-dir",
      userDataDir,
      "--extensions-dir",
      extensionsDir,
    ],
    { env: env(home), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const url = `http://localhost:${port}`;
  await new Promise<void>((done, fail) => {
    const onExit = (code: number | null) =>
      fail(new Error(`code-server exited (${code}):\n${output}`));
    child.once("exit", onExit);
    const poll = async () => {
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) {
          child.off("exit", onExit);
          return done();
        }
      } catch {
        // not listening yet
      }
      setTimeout(poll, 100);
    };
    void poll();
  });
  return {
    url,
    home,
    userDataDir,
    extensionsDir,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((done) => child.once("exit", done));
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
        await exited;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The extension host's log lines that report errors, for "installs with no error". */
export function extensionHostErrors(userDataDir: string): string[] {
  const logs = join(userDataDir, "logs");
  if (!existsSync(logs)) return [];
  const out = execFileSync("find", [logs, "-name", "*.log"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter(Boolean)
    .flatMap((f) => readFileSync(f, "utf8").split("\n"))
    .filter((l) => /\[error\]/.test(l) && /morgana/i.test(l));
}
