import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exec, REPO } from "./lib/morgana.ts";

const PAGE = readFileSync(join(REPO, "samples", "https-site", "htdocs", "index.html"), "latin1");

/**
 * `npm start [-- ARGS]` as a user runs it from a terminal: in its own process group, so Ctrl-C
 * reaches npm, the script, morgana and QEMU alike. Resolves once it printed the URL to open.
 */
async function start(args: string[], ms: number) {
  const child = spawn("npm", ["start", ...(args.length > 0 ? ["--", ...args] : [])], {
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
  const interrupt = () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGINT");
  };
  // The banner: the URL to open, and curl's command line with the dev CA.
  const deadline = Date.now() + ms;
  const banner = await new Promise<RegExpExecArray>((done, fail) => {
    const poll = setInterval(() => {
      const m = /curl --cacert (\S+) (https:\/\/localhost:\d+\/)\n/.exec(output);
      if (m) {
        clearInterval(poll);
        done(m);
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        fail(new Error(`npm start exited ${child.exitCode}:\n${output}`));
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        fail(new Error(`no URL from npm start in ${ms / 1000} s:\n${output}`));
      }
    }, 100);
  }).catch((err) => {
    interrupt();
    throw err;
  });
  const [, ca = "", url = ""] = banner;
  return { child, ca, url, exited, interrupt, output: () => output };
}

/** curl with the dev CA: status line, headers and body. */
const curl = (args: string[]) => exec("curl", ["-sS", "-i", "--max-time", "30", ...args]);

describe("e2e: the README's `npm start`", () => {
  it("builds https-site for the emulated Cubieboard2, boots it in QEMU, prints the URL; curl gets the page over TLS with the dev CA; Ctrl-C leaves no QEMU", async function () {
    // A fresh machine compiles XS once (about a minute on two idle cores), then it is cached.
    this.timeout(20 * 60_000);
    const run = await start([], 15 * 60_000);
    try {
      const out = run.output();
      assert.match(out, /start: building https-site for the emulated Cubieboard2/);
      assert.match(out, /start: booting it in QEMU/);
      assert.match(out, /\n {2}Open https:\/\/localhost:8443\/\n/);
      assert.equal(run.url, "https://localhost:8443/");
      const page = await curl(["--cacert", run.ca, run.url]);
      assert.equal(page.code, 0, `${page.stderr}\n${run.output()}`);
      assert.match(page.stdout, /^HTTP\/1\.1 200 OK\r\n/);
      assert.equal(page.stdout.slice(page.stdout.indexOf("\r\n\r\n") + 4), PAGE);
      // Without the dev CA, curl refuses the certificate: the CA is what the banner names.
      const untrusted = await curl([run.url]);
      assert.notEqual(untrusted.code, 0);
      const redirect = await curl(["http://127.0.0.1:8080/index.html"]);
      assert.equal(redirect.code, 0, redirect.stderr);
      assert.match(redirect.stdout, /^HTTP\/1\.1 301 Moved Permanently\r\n/);
      assert.match(redirect.stdout, /\r\nLocation: https:\/\/127\.0\.0\.1:8443\/index\.html\r\n/);
      const qemu = await exec("pgrep", ["-g", String(run.child.pid), "-f", "qemu-system-arm"]);
      assert.equal(qemu.code, 0, "QEMU runs in npm start's process group");
    } finally {
      run.interrupt();
    }
    // npm passes Ctrl-C on and ends by the same signal; a shell reports that as 130.
    assert.ok(["130", "SIGINT"].includes(await run.exited), "stopped by Ctrl-C");
    const left = await exec("pgrep", ["-g", String(run.child.pid), "-f", "qemu-system-arm"]);
    assert.equal(left.code, 1, `no QEMU left behind: ${left.stdout}`);
  });

  it("`npm start -- --target unix` runs the same site as a Node process", async function () {
    this.timeout(120_000);
    const run = await start(["--target", "unix"], 90_000);
    try {
      assert.match(run.output(), /start: building https-site for the unix target/);
      const page = await curl(["--cacert", run.ca, run.url]);
      assert.equal(page.code, 0, `${page.stderr}\n${run.output()}`);
      assert.equal(page.stdout.slice(page.stdout.indexOf("\r\n\r\n") + 4), PAGE);
    } finally {
      run.interrupt();
    }
    assert.ok(["130", "SIGINT"].includes(await run.exited), "stopped by Ctrl-C");
  });

  it("refuses an unknown target by name", async () => {
    const r = await exec("npm", ["start", "--silent", "--", "--target", "xen"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--target takes cubieboard2 or unix, not "xen"/);
  });
});
