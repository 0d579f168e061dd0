import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureXsLibrary } from "../../../runtime/baremetal/build/xs.ts";
import { runTestsUnderXs } from "../../../runtime/baremetal/build/xstest.ts";

const HTTP_TESTS = resolve(import.meta.dirname, "..", "http");

describe("baremetal: the stack's HTTP tests under XS on this machine (the board's JS runtime, no QEMU)", () => {
  let dir: string;

  before(async function () {
    // XS compiles once for the host (about a minute on two idle cores); then it is cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary(() => {}, "host");
    dir = mkdtempSync(join(tmpdir(), "morgana-xs-host-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the parser, serializer, character-class and connection tests all pass under XS", async function () {
    // Bundling, linking and running some 230 tests; the slower server tests stay on Node.
    this.timeout(120_000);
    const files = readdirSync(HTTP_TESTS)
      .filter((f) => /^(chars|parser|serializer|connection)\.test\.ts$/.test(f))
      .map((f) => join(HTTP_TESTS, f));
    assert.equal(files.length, 4);
    const run = await runTestsUnderXs(files, dir);
    const summary = /(\d+) passing, (\d+) failing/.exec(run.output);
    assert.ok(summary, run.output.slice(-2000));
    const failures = run.output.split("\n").filter((l) => l.includes("FAILED"));
    assert.deepEqual(failures, []);
    assert.equal(run.code, 0);
    assert.ok(Number(summary[1]) > 200, summary[0]);
    // The UTF-8 test pairs surrogates: it passes only with XS's strings in CESU-8.
    assert.match(run.output, /ok UTF-8 round trips including astral characters/);
  });
});
