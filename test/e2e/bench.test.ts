import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./lib/morgana.ts";

/**
 * The benchmark runs (short: one round of one second) and reports what it must: both sides'
 * req/s measured with wrk in the same run, and their ratio. Its figures are not asserted:
 * speed is never a timed test here; docs/performance.md records real runs.
 */
describe("e2e: bench/http runs both sides in one run and prints their ratio", function () {
  this.timeout(120_000);

  it("measures the unikernel and Node's http with wrk, and computes ours/node", async () => {
    const args = [
      "bench/http.ts",
      "--rounds",
      "1",
      "--warmup",
      "0",
      "--duration",
      "1",
      "--results-dir",
      "",
    ];
    const tsx = join(REPO, "node_modules", ".bin", "tsx");
    const run = (extra: string[]) =>
      new Promise<string>((done, fail) =>
        execFile(
          tsx,
          [...args, ...extra],
          { cwd: REPO, timeout: 100_000 },
          (err, stdout, stderr) =>
            err ? fail(new Error(`bench failed: ${stderr}`)) : done(stdout),
        ),
      );
    const result = JSON.parse(await run(["--json"]));
    const [ours, peer] = result.sides;
    assert.equal(ours.name, "morgana-unix");
    assert.equal(peer.name, "node-http");
    assert.match(result.parameters.tool, /^wrk /);
    for (const side of [ours, peer]) {
      assert.equal(side.unit, "req/s");
      assert.ok(side.median > 100, `${side.name} served requests: ${side.median}`);
    }
    const ratio = result.comparisons[0].ratio;
    assert.ok(
      Math.abs(ratio - ours.median / peer.median) < 1e-9,
      "ratio is ours/peer of the medians",
    );
    const text = await run([]);
    assert.match(text, /^morgana-unix +\d+/m);
    assert.match(text, /^node-http +\d+/m);
    assert.match(text, /^ratio morgana-unix\/node-http \(medians\): \d\.\d{3}/m);
  });
});

describe("e2e: bench/lsp measures the editor's latency beside the yaml parse floor", function () {
  this.timeout(120_000);

  it("reports p50/p95 per operation, in-process and over stdio, with ratios to the peer", async () => {
    const tsx = join(REPO, "node_modules", ".bin", "tsx");
    const out = await new Promise<string>((done, fail) =>
      execFile(
        tsx,
        ["bench/lsp.ts", "--rounds", "5", "--json"],
        { cwd: REPO, timeout: 100_000 },
        (err, stdout, stderr) => (err ? fail(new Error(`bench failed: ${stderr}`)) : done(stdout)),
      ),
    );
    const result = JSON.parse(out);
    assert.ok(result.config.lines >= 1000, "a config of at least 1,000 lines");
    assert.ok(result.peer.p95 > 0);
    assert.deepEqual(
      result.rows.map((r: { operation: string; where: string }) => `${r.operation}/${r.where}`),
      [
        "diagnostics/in-process",
        "completion/in-process",
        "hover/in-process",
        "completion, text not yet parsed/in-process",
        "diagnostics, YAML broken/in-process",
        "diagnostics/stdio",
        "completion/stdio",
      ],
    );
    for (const r of result.rows) {
      assert.ok(r.p50 > 0 && r.p95 >= r.p50, JSON.stringify(r));
      assert.equal(r.ratioP95, r.p95 / result.peer.p95);
    }
    assert.equal(typeof result.goalMet, "boolean");
  });
});
