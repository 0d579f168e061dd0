import assert from "node:assert/strict";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { filesOf, makeNetns, netnsProblem, parallelGets } from "../unit/net/helpers/netns.ts";
import { exec, MORGANA, morgana, REPO, Running, removeDir, tempDir } from "./lib/morgana.ts";

describe("e2e: static-website on direct (`morgana run -t direct`, DHCP from dnsmasq)", function () {
  this.timeout(120_000);
  let dir: string;
  let ns: Awaited<ReturnType<typeof makeNetns>>;
  let run: Running | undefined;
  let base: string;

  before(async () => {
    const problem = netnsProblem(true);
    if (problem) assert.fail(`the direct target needs a tap and a namespace: ${problem}`);
    ns = await makeNetns();
    dir = tempDir("direct-site");
    removeDir(dir);
    const created = await morgana(["new", "static-website", dir]);
    assert.equal(created.code, 0, created.stderr);
    const built = await morgana(["build", "-t", "direct"], dir);
    assert.equal(built.code, 0, built.stderr);
  });

  after(async () => {
    run?.kill();
    await ns?.remove();
    if (dir) removeDir(dir);
  });

  it("without root, `run` prints the exact commands to run and stops", async () => {
    chmodSync(dir, 0o755); // mkdtemp made it private; `nobody` reads the build
    await morgana(["targets"]); // as root: the CLI bundle is fresh, `nobody` cannot rebuild it
    const r = await exec("setpriv", [
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      process.execPath,
      MORGANA,
      "run",
      "-t",
      "direct",
      "--no-build",
      "-p",
      dir,
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /creating a tap needs root/);
    assert.match(
      r.stderr,
      /socat TUN:10\.77\.0\.1\/24,tun-type=tap,tun-name=\S+,iff-up,iff-no-pi UDP-DATAGRAM:127\.0\.0\.1:\d+,bind=127\.0\.0\.1:\d+/,
    );
    assert.match(r.stderr, /dnsmasq .*--dhcp-range=10\.77\.0\.50,10\.77\.0\.150/);
    assert.match(r.stderr, /MORGANA_DIRECT_PORT=\d+ MORGANA_DIRECT_PEER=\d+ node /);
  });

  it("boots, takes a lease and announces the URL it is reachable at", async () => {
    process.env.MORGANA_DIRECT_NETNS = ns.name;
    try {
      run = new Running(["run", "-t", "direct", "--no-build"], dir);
    } finally {
      delete process.env.MORGANA_DIRECT_NETNS;
    }
    const m = await run.waitFor(/listening on (http:\/\/10\.77\.0\.\d+:80\/)/, 40_000);
    base = m[1] as string;
  });

  it("curl gets every file byte-exact, and 200 parallel connections complete", async () => {
    assert.ok(base, "booted");
    const files = filesOf(join(REPO, "samples", "static-website", "htdocs"));
    const out = tempDir("direct-site-out");
    try {
      for (const [name, bytes] of files) {
        const file = join(out, name.replaceAll("/", "_"));
        const r = await ns.exec("curl", [
          "-s",
          "-f",
          "--max-time",
          "20",
          "-o",
          file,
          `${base}${name}`,
        ]);
        assert.equal(r.code, 0, `curl ${name}: ${r.stderr}`);
        assert.deepEqual(new Uint8Array(readFileSync(file)), bytes, name);
      }
      await parallelGets(
        ns,
        (i) => `${base}style.css?${i}`,
        200,
        out,
        files.get("style.css") as Uint8Array,
      );
    } finally {
      removeDir(out);
    }
  });

  it("Ctrl-C stops it and removes the tap bridge", async () => {
    assert.ok(run, "booted");
    run.interrupt();
    const { code, signal } = await run.exited;
    assert.ok(code === 130 || signal === "SIGINT", `exit ${code} ${signal}\n${run.stderr}`);
    const links = await ns.exec("ip", ["-br", "link"]);
    assert.doesNotMatch(links.stdout, /morgana/);
  });
});
