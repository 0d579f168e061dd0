/**
 * A small mocha for tests run under XS: describe, it, before/after(Each), async tests,
 * `this.timeout()` accepted and ignored. `runSuites()` runs what the test files declared,
 * prints one line per test and a "N passing, M failing" summary, and exits the XS runtime
 * with 0 or 1.
 */
import { monotonicNs } from "../src/clock.ts";
import { board } from "../src/host.ts";

type Fn = (this: Context) => unknown;
interface Context {
  timeout(ms?: number): Context;
  slow(ms?: number): Context;
}
interface Suite {
  name: string;
  tests: { name: string; fn: Fn }[];
  suites: Suite[];
  before: Fn[];
  after: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  parent: Suite | null;
}

const newSuite = (name: string, parent: Suite | null): Suite => ({
  name,
  tests: [],
  suites: [],
  before: [],
  after: [],
  beforeEach: [],
  afterEach: [],
  parent,
});

const root = newSuite("", null);
let current = root;
const context: Context = {
  timeout: () => context,
  slow: () => context,
};

const g = globalThis as Record<string, unknown>;
g.describe = (name: string, body: () => void) => {
  const suite = newSuite(name, current);
  current.suites.push(suite);
  const outer = current;
  current = suite;
  try {
    body.call(context as never);
  } finally {
    current = outer;
  }
};
g.it = (name: string, fn: Fn) => current.tests.push({ name, fn });
g.before = (fn: Fn) => current.before.push(fn);
g.after = (fn: Fn) => current.after.push(fn);
g.beforeEach = (fn: Fn) => current.beforeEach.push(fn);
g.afterEach = (fn: Fn) => current.afterEach.push(fn);

const out = (line: string) => board().write(`${line}\n`);

function eachHooks(suite: Suite | null, pick: (s: Suite) => Fn[], outerFirst: boolean): Fn[] {
  const chain: Suite[] = [];
  for (let s = suite; s; s = s.parent) chain.push(s);
  if (outerFirst) chain.reverse();
  return chain.flatMap(pick);
}

async function runSuite(suite: Suite, depth: number, tally: { pass: number; fail: number }) {
  const pad = "  ".repeat(depth);
  if (suite.name) out(`${pad}${suite.name}`);
  for (const h of suite.before) await h.call(context);
  for (const t of suite.tests) {
    const started = monotonicNs();
    const ms = () => `(${(monotonicNs() - started) / 1_000_000n} ms)`;
    try {
      for (const h of eachHooks(suite, (s) => s.beforeEach, true)) await h.call(context);
      await t.fn.call(context);
      for (const h of eachHooks(suite, (s) => s.afterEach, false)) await h.call(context);
      tally.pass++;
      out(`${pad}  ok ${t.name} ${ms()}`);
    } catch (err) {
      tally.fail++;
      out(`${pad}  FAILED ${t.name} ${ms()}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  for (const s of suite.suites) await runSuite(s, depth + 1, tally);
  for (const h of suite.after) await h.call(context);
}

/** Runs every declared suite, prints the summary, ends the runtime (exit 0 if all passed). */
export async function runSuites(): Promise<void> {
  const tally = { pass: 0, fail: 0 };
  try {
    await runSuite(root, 0, tally);
  } catch (err) {
    tally.fail++;
    out(`FAILED in a hook: ${(err as Error)?.message ?? String(err)}`);
  }
  out(`${tally.pass} passing, ${tally.fail} failing`);
  board().exit(tally.fail === 0 ? 0 : 1);
}
