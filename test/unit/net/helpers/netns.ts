/**
 * Network namespaces for the direct target's tests: each test run makes its own namespace
 * (only private addresses inside), bridges a tap into it, and removes it at the end.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bridgeProblem, run } from "../../../../runtime/direct/src/bridge.ts";
import { createClock, timeoutMs } from "../../../../runtime/unix/src/clock.ts";
import type { Clock } from "../../../../stack/devices/clock.ts";

/**
 * Null when this process can create namespaces and taps; otherwise the exact command that
 * makes it possible (tests then fail with it rather than skip).
 */
export function netnsProblem(needDhcp = false): string | null {
  const p = bridgeProblem(needDhcp);
  if (p === null) return null;
  if (p.includes("root")) return `${p}: run the tests as root: sudo npm test`;
  if (p.includes("missing"))
    return `${p}: or run npm run setup (as root), which installs socat, dnsmasq-base, iproute2 and iputils-ping`;
  return p;
}

let counter = 0;

/** A fresh namespace with loopback up; `remove()` deletes it (and whatever is inside). */
export async function makeNetns(): Promise<{
  name: string;
  exec: (cmd: string, args: string[]) => ReturnType<typeof run>;
  remove: () => Promise<void>;
}> {
  const name = `mgd${process.pid}x${counter++}`;
  const add = await run("ip", ["netns", "add", name]);
  if (add.code !== 0) throw new Error(`ip netns add ${name} failed: ${add.stderr}`);
  await run("ip", ["-n", name, "link", "set", "lo", "up"]);
  return {
    name,
    exec: (cmd, args) => run("ip", ["netns", "exec", name, cmd, ...args]),
    remove: async () => {
      await run("ip", ["netns", "delete", name]);
    },
  };
}

/** A unique tap name (15 characters at most). */
export function tapName(): string {
  return `mgt${process.pid % 100000}x${counter++}`;
}

/** The unix clock, but its sleeps do not keep the test process alive after a stack closes. */
export function unrefClock(): Clock {
  const base = createClock();
  return {
    monotonicNs: base.monotonicNs,
    wallMs: base.wallMs,
    sleepNs: (ns) =>
      new Promise((resolve) => {
        setTimeout(resolve, timeoutMs(ns)).unref();
      }),
    timer(ns, fire) {
      const t = setTimeout(fire, timeoutMs(ns)).unref();
      return () => clearTimeout(t);
    },
  };
}

/** The files of a folder, by relative path (one level of subfolders). */
export function filesOf(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out.set(full.slice(dir.length + 1), new Uint8Array(readFileSync(full)));
  }
  return out;
}

/**
 * `count` GETs of `url(i)` at once from inside `ns` (curl --parallel, one connection each),
 * each body saved in `dir`; asserts every one answered 200 and its body equals `expected`.
 */
export async function parallelGets(
  ns: { exec: (cmd: string, args: string[]) => ReturnType<typeof run> },
  url: (i: number) => string,
  count: number,
  dir: string,
  expected: Uint8Array,
): Promise<void> {
  const config = Array.from(
    { length: count },
    (_, i) => `url = "${url(i)}"\noutput = "${join(dir, `p${i}`)}"\n`,
  );
  writeFileSync(join(dir, "urls"), config.join(""));
  const par = await ns.exec("curl", [
    "-s",
    "-f",
    "--parallel",
    "--parallel-max",
    String(count),
    "--max-time",
    "30",
    "-K",
    join(dir, "urls"),
    "-w",
    "%{http_code}\\n",
  ]);
  assert.equal(par.code, 0, par.stderr);
  const codes = par.stdout.trim().split("\n");
  assert.equal(codes.length, count);
  assert.ok(
    codes.every((c) => c === "200"),
    par.stdout,
  );
  for (let i = 0; i < count; i++)
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, `p${i}`))), expected);
}
