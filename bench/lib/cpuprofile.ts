import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Path prefixes to show under another name: [a copy of a sample, the sample]. */
let aliases: [from: string, to: string][] = [];

function display(abs: string, root: string): string {
  for (const [from, to] of aliases) {
    if (abs === from || abs.startsWith(`${from}/`)) return `${to}${abs.slice(from.length)}`;
  }
  const rel = relative(root, abs);
  return rel.startsWith("..") ? abs : rel;
}

/**
 * For a bundle written by esbuild (unminified), the module each line comes from: esbuild
 * starts each module's code with a `// path/to/module.ts` comment, relative to its working
 * directory, the project folder (the bundle is <project>/dist/<target>/<name>.mjs).
 */
const bundleModules = new Map<string, { line: number; module: string }[]>();

function modulesOf(file: string, root: string): { line: number; module: string }[] {
  let marks = bundleModules.get(file);
  if (marks) return marks;
  marks = [];
  try {
    const lines = readFileSync(file, "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const m = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(lines[i] ?? "");
      if (m?.[1]) {
        const abs = resolve(dirname(file), "..", "..", m[1]);
        marks.push({ line: i, module: existsSync(abs) ? display(abs, root) : m[1] });
      }
    }
  } catch {
    // not readable: keep the bundle's own name
  }
  bundleModules.set(file, marks);
  return marks;
}

/** The source module of a 0-based line in a bundle, or null if it has no module markers. */
function moduleAt(file: string, line: number, root: string): string | null {
  let found: string | null = null;
  for (const mark of modulesOf(file, root)) {
    if (mark.line > line) break;
    found = mark.module;
  }
  return found;
}

function where(url: string, root: string, line = 0): string {
  if (url === "") return "(native)";
  if (url.startsWith("file://")) {
    try {
      const path = fileURLToPath(url);
      return moduleAt(path, line, root) ?? display(path, root);
    } catch {
      return url;
    }
  }
  return url;
}

/**
 * Self time per function and per file from a V8 .cpuprofile, as text: the `top` heaviest
 * functions, then files (for an esbuild bundle: the modules it was built from), as shares of the busy time (samples outside "(idle)"). Native
 * frames (no URL) count under their own name: "(garbage collector)", "(program)", "writev".
 */
export function summarizeProfile(
  file: string,
  root: string,
  top = 20,
  pathAliases: [from: string, to: string][] = [],
): string {
  aliases = pathAliases;
  bundleModules.clear();
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const f = n.callFrame;
    const name = f.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += us;
      continue;
    }
    busy += us;
    const file = f.url === "" ? `(native) ${name}` : where(f.url, root, f.lineNumber);
    // Bundle line numbers say little once mapped to a module: name and module only.
    const mapped = f.url.endsWith(".mjs") && !file.endsWith(".mjs");
    const key = f.url === "" ? file : `${name}  ${file}${mapped ? "" : `:${f.lineNumber + 1}`}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / (busy || 1)).toFixed(1).padStart(5)}%`;
  const lines = [
    `self time: ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle; top functions (% of busy):`,
  ];
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(us)}  ${k}`);
  }
  lines.push("by file (% of busy):");
  for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(us)}  ${k}`);
  }
  return lines.join("\n");
}
