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
