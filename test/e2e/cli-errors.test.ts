import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { morgana, removeDir, tempDir } from "./lib/morgana.ts";

const START =
  'import type { Devices } from "morgana:devices";\nexport async function start(_d: Devices) {}\n';

/** A throwaway project with the given unikernel.yaml and entry module text. */
function project(yaml: string, entry: string | null = START): string {
  const dir = tempDir("bad");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "unikernel.yaml"), yaml);
  if (entry !== null) writeFileSync(join(dir, "src", "unikernel.ts"), entry);
  return dir;
}

const HEAD = "name: bad\nmain: src/unikernel.ts\n";

/** Each bad input: the command, the exit code, and what stderr must say (with line:col). */
const CASES: {
  name: string;
  yaml: string;
  entry?: string | null;
  args?: string[];
  code: number;
  stderr: RegExp[];
}[] = [
  {
    name: "malformed YAML",
    yaml: `${HEAD}devices: { console: {}\n`,
    code: 3,
    stderr: [/^unikernel\.yaml:\d+:\d+: error: /m],
  },
  {
    name: "an unknown key, with a did-you-mean",
    yaml: `${HEAD}devics:\n  console: {}\n`,
    code: 3,
    stderr: [
      /^unikernel\.yaml:3:1: error: devics: unknown key "devics" \(did you mean "devices"\?\)/m,
    ],
  },
  {
    name: "a wrong type",
    yaml: `${HEAD}devices:\n  clock: {}\n  net: { type: net, ipv4: dhcp }\n  http: { type: http, port: eighty }\n`,
    code: 3,
    stderr: [
      /^unikernel\.yaml:6:29: error: devices\.http\.port: expected an integer from 1 to 65535, got "eighty"/m,
    ],
  },
  {
    name: "a missing entry file",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    entry: null,
    code: 3,
    stderr: [
      /^unikernel\.yaml:2:7: error: main: the entry module src\/unikernel\.ts does not exist/m,
    ],
  },
  {
    name: "a device-graph cycle",
    yaml: `${HEAD}devices:\n  keys: { type: kv_ro, path: . }\n  a: { type: tls, stack: b }\n  b: { type: tls, stack: a }\n`,
    code: 3,
    stderr: [/^unikernel\.yaml:5:\d+: error: devices\.a\.stack: dependency cycle: a -> b -> a/m],
  },
  {
    name: "a missing dependency",
    yaml: `${HEAD}devices:\n  clock: {}\n  http: { type: http, port: 80, stack: nonet }\n`,
    code: 3,
    stderr: [/^unikernel\.yaml:5:40: error: devices\.http\.stack: no device named "nonet"/m],
  },
  {
    name: "an entry module without start",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    entry: "export const notStart = 1;\n",
    args: ["build", "-t", "unix"],
    code: 3,
    stderr: [
      /^unikernel\.yaml:2:7: error: main: the entry module src\/unikernel\.ts does not export a `start` function/m,
    ],
  },
  {
    name: "using a device the config does not declare (a type error)",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    entry:
      'import type { Devices } from "morgana:devices";\nexport async function start(d: Devices) {\n  await d.clock.sleepNs(1n);\n}\n',
    args: ["build", "-t", "unix"],
    code: 1,
    stderr: [
      /^src\/unikernel\.ts:3:11: error: TS2339: Property 'clock' does not exist on type 'Devices'/m,
    ],
  },
  {
    name: "a device the target cannot build yet",
    yaml: `${HEAD}devices:\n  keys: { type: kv_ro, path: . }\n  net: { type: net, ipv4: dhcp }\n  resolver: { type: dns, stack: net, server: 10.0.0.1 }\n`,
    code: 3,
    stderr: [
      /^unikernel\.yaml:6:3: error: devices\.resolver: device "resolver" \(dns\) has no implementation on unix yet/m,
    ],
  },
];

describe("e2e: bad input gives one clear error and a non-zero exit", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const dir = project(c.yaml, c.entry === undefined ? START : c.entry);
      dirs.push(dir);
      const r = await morgana(c.args ?? ["configure", "-t", "unix"], dir);
      assert.equal(r.code, c.code, `exit code; stderr:\n${r.stderr}`);
      for (const re of c.stderr) assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
    });
  }

  it("a port already in use", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const dir = project(
      `${HEAD}devices:\n  console: {}\n  clock: {}\n  net: { type: net, ipv4: dhcp }\n  http: { type: http, port: 80 }\ntargets:\n  unix:\n    ports: ["${port}:80"]\n`,
      'import type { Devices } from "morgana:devices";\nexport async function start(d: Devices) {\n  await d.http.serve(() => ({ status: 200 }));\n}\n',
    );
    dirs.push(dir);
    try {
      const r = await morgana(["run", "-t", "unix"], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `cannot listen on 127\\.0\\.0\\.1:${port} \\(forwarded to the unikernel's port 80\\): the port is already in use`,
        ),
      );
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
    } finally {
      blocker.close();
    }
  });

  it("an unknown command or option exits 2 with a did-you-mean", async () => {
    const cmd = await morgana(["biuld"]);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "biuld" \(did you mean "build"\?\)/);
    const opt = await morgana(["build", "--taget", "unix"]);
    assert.equal(opt.code, 2);
    assert.match(
      opt.stderr,
      /unknown option --taget for `morgana build` \(did you mean --target\?\)/,
    );
  });

  it("a build variant the target does not offer is refused, with what it does take", async () => {
    const dir = project(`${HEAD}devices:\n  console: {}\n`);
    dirs.push(dir);
    const r = await morgana(["build", "-t", "unix", "--snapshot", "--json"], dir);
    assert.equal(r.code, 2, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.diagnostics.map((d: { code: string; message: string }) => [d.code, d.message]),
      [["usage", "--snapshot is not available for the unix target"]],
    );
    assert.ok(!existsSync(join(dir, "dist", "unix")), "nothing was built");
    const run = await morgana(["run", "-t", "unix", "--pcap", "x.pcap"], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--pcap is not available for the unix target/);
  });

  it("an unknown target exits 2; a planned one explains it is not there yet", async () => {
    const dir = project(`${HEAD}devices:\n  console: {}\n`);
    dirs.push(dir);
    const unknown = await morgana(["configure", "-t", "unx"], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown target "unx"/);
    const planned = await morgana(["configure", "-t", "xen"], dir);
    assert.equal(planned.code, 1);
    assert.match(planned.stderr, /the xen target is not implemented yet/);
  });
});
