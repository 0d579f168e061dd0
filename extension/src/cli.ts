/**
 * The `morgana` CLI as the extension calls it: `node <checkout>/tool/bin/morgana.js ... --json`.
 * No VS Code here: this module runs commands and reads their JSON; the editor parts turn
 * the results into notifications, problems and views.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** Where and how to run the CLI. */
export interface CliContext {
  checkout: string;
  node: string;
  env: NodeJS.ProcessEnv;
}

/** One problem to show at a place: 1-based line and column, as the CLI prints them. */
export interface Problem {
  severity: "error" | "warning" | "info";
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  code?: string;
  message: string;
}

/** What one `--json` run answered; `json` is the document as it came, for the fields we read. */
export interface CliResult {
  ok: boolean;
  exitCode: number;
  error?: string;
  problems: Problem[];
  json: Record<string, unknown>;
  stderr: string;
}

export const cliPath = (checkout: string) => join(checkout, "tool", "bin", "morgana.js");
export const serverPath = (checkout: string) =>
  join(checkout, "language-server", "bin", "morgana-language-server.js");

/** Is `dir` a Morgana checkout (it has the CLI launcher)? */
export const isCheckout = (dir: string) => existsSync(cliPath(dir));

/**
 * The checkout to use: the setting, else a folder at or above one of `folders` holding
 * `tool/bin/morgana.js`, else the checkout a project's `package.json` scripts call (as
 * `morgana new` writes them).
 */
export function findCheckout(setting: string, folders: readonly string[]): string | undefined {
  if (setting !== "") return resolve(setting);
  for (const start of folders) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (isCheckout(dir)) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  for (const folder of folders) {
    const pkg = join(folder, "package.json");
    if (!existsSync(pkg)) continue;
    const m = /"([^"]+)[\\/]tool[\\/]bin[\\/]morgana\.js/.exec(readFileSync(pkg, "utf8"));
    const dir = m?.[1]?.replaceAll('\\"', "");
    if (dir && isAbsolute(dir) && isCheckout(dir)) return dir;
  }
  return undefined;
}

/** Runs `morgana ARGS --json` in `cwd` and reads its one JSON document, whatever it holds. */
export function runJson(ctx: CliContext, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      ctx.node,
      [cliPath(ctx.checkout), ...args, "--json"],
      { cwd, env: ctx.env, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const exitCode = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        let json: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(stdout);
          if (parsed && typeof parsed === "object") json = parsed as Record<string, unknown>;
        } catch {
          json = {
            ok: false,
            error: (stderr.trim() || stdout.trim() || String(err)).slice(0, 2000),
          };
        }
        done({
          ok: json.ok === true && exitCode === 0,
          exitCode,
          error: typeof json.error === "string" ? json.error : undefined,
          problems: problemsOf(json),
          json,
          stderr,
        });
      },
    );
  });
}

const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function severityOf(v: unknown): Problem["severity"] {
  return v === "warning" || v === "info" ? v : "error";
}

/**
 * One diagnostic object, in either shape the CLI has used: flat (`line`, `column`,
 * `endLine`, `endColumn`) or the config model's (`span: {line, col, endLine, endCol}`).
 */
export function problemOfDiagnostic(d: unknown): Problem | undefined {
  if (!d || typeof d !== "object") return undefined;
  const o = d as Record<string, unknown>;
  const span = (o.span && typeof o.span === "object" ? o.span : {}) as Record<string, unknown>;
  const line = num(o.line) ?? num(span.line);
  const file = str(o.file);
  const message = str(o.message);
  if (line === undefined || file === undefined || message === undefined) return undefined;
  const path = str(o.path);
  const suggestion = str(o.suggestion);
  const code = o.code === undefined ? undefined : String(o.code);
  return {
    severity: severityOf(o.severity),
    file,
    line,
    column: num(o.column) ?? num(span.col) ?? num(span.column) ?? 1,
    endLine: num(o.endLine) ?? num(span.endLine),
    endColumn: num(o.endColumn) ?? num(span.endCol) ?? num(span.endColumn),
    ...(code !== undefined ? { code } : {}),
    message: `${path ? `${path}: ` : ""}${message}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
  };
}

/** The compiler-style line: `file:line:col: [error|warning: ][TS1234: ]message`. */
export const PROBLEM_LINE =
  /^(.+?):(\d+):(\d+):\s+(?:(error|warning|info):\s+)?(?:(TS\d+):\s+)?(.*)$/;

export function problemOfLine(line: string): Problem | undefined {
  const m = PROBLEM_LINE.exec(line.trim());
  if (!m) return undefined;
  const [, file = "", l = "1", c = "1", severity, code, message = ""] = m;
  return {
    severity: severityOf(severity),
    file,
    line: Number(l),
    column: Number(c),
    ...(code ? { code } : {}),
    message,
  };
}

/** Every problem a JSON result names: its `diagnostics` array and its `details` lines. */
export function problemsOf(json: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  for (const d of Array.isArray(json.diagnostics) ? json.diagnostics : []) {
    const p = problemOfDiagnostic(d);
    if (p) out.push(p);
  }
  for (const d of Array.isArray(json.warnings) ? json.warnings : []) {
    const p = problemOfDiagnostic(d);
    if (p) out.push({ ...p, severity: "warning" });
  }
  for (const line of Array.isArray(json.details) ? json.details : []) {
    const p = typeof line === "string" ? problemOfLine(line) : undefined;
    if (p) out.push(p);
  }
  return out;
}

/** A target as `morgana targets --json` lists it. */
export interface TargetInfo {
  name: string;
  summary: string;
  available: boolean;
  unavailable?: string;
}

export function targetsOf(json: Record<string, unknown>): TargetInfo[] {
  const list = Array.isArray(json.targets) ? json.targets : [];
  return list.flatMap((t): TargetInfo[] => {
    if (!t || typeof t !== "object") return [];
    const o = t as Record<string, unknown>;
    const name = str(o.name);
    if (!name) return [];
    return [
      {
        name,
        summary: str(o.summary) ?? "",
        available: o.available !== false,
        ...(str(o.unavailable) ? { unavailable: str(o.unavailable) } : {}),
      },
    ];
  });
}
