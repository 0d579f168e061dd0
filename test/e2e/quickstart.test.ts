import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exec, REPO } from "./lib/morgana.ts";

describe("e2e: the README quickstart's `npm start`", function () {
  this.timeout(90_000);

  it("builds and boots static-website, prints its URL, serves it, and stops on Ctrl-C", async () => {
    const child = spawn("npm", ["start"], {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<string>((done) =>
      child.on("exit", (code, signal) => done(signal ?? String(code))),
    );
    try {
      const url = await new Promise<string>((done, fail) => {
        const poll = setInterval(() => {
          const m = /listening on (http:\/\/\S+)/.exec(output);
          if (m) {
            clearInterval(poll);
            done(m[1] as string);
          } else if (child.exitCode !== null) {
            clearInterval(poll);
            fail(new Error(`npm start exited ${child.exitCode}:\n${output}`));
          }
        }, 50);
      });
      const r = await exec("curl", ["-s", "-f", url]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        readFileSync(join(REPO, "samples", "static-website", "htdocs", "index.html"), "latin1"),
      );
    } finally {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGINT");
    }
    // npm passes Ctrl-C on and ends by the same signal; a shell reports that as 130.
    assert.ok(["130", "SIGINT"].includes(await exited), "stopped by Ctrl-C");
  });
});
