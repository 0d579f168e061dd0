import { readFileSync } from "node:fs";
import { relative } from "node:path";
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

function where(url: string, root: string): string {
  if (url === "") return "(native)";
  if (url.startsWith("file://")) {
    try {
      return relative(root, fileURLToPath(url));
    } catch {
      return url;
    }
  }
  return url;
}

/**
 * Self time per function and per file from a V8 .cpuprofile, as text: the `top` heaviest
 * functions, then files, as shares of the busy time (samples outside "(idle)"). Native
 * frames (no URL) count under their own name: "(garbage collector)", "(program)", "writev".
 */
export function summarizeProfile(file: string, root: string, top = 20): string {
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
    const file = f.url === "" ? `(native) ${name}` : where(f.url, root);
    const key = f.url === "" ? file : `${name}  ${file}:${f.lineNumber + 1}`;
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
