import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { morgana, REPO, removeDir, tempDir } from "./lib/morgana.ts";

const HELLO = join(REPO, "samples", "hello");
const SITE = join(REPO, "samples", "static-website");

describe("e2e: the morgana CLI", function () {
  this.timeout(60_000);

  it("--help lists every command; each command has --help", async () => {
    const top = await morgana(["--help"]);
    assert.equal(top.code, 0);
    for (const c of ["new", "configure", "build", "run", "clean", "targets", "describe"]) {
      assert.match(top.stdout, new RegExp(`^  ${c} `, "m"));
      const sub = await morgana([c, "--help"]);
      assert.equal(sub.code, 0, `${c} --help`);
      assert.match(sub.stdout, new RegExp(`^Usage: morgana ${c}`, "m"));
    }
  });

  it("ends quietly when its reader goes away (`morgana targets | head -1`)", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = execFile(
        "sh",
        [
          "-c",
          `node ${JSON.stringify(join(REPO, "tool", "bin", "morgana.js"))} targets | head -c 1`,
        ],
        (err, _out, stderr) => done({ code: err ? 1 : 0, stderr }),
      );
      child.stdin?.end();
    });
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
  });

  it("--version prints only the version", async () => {
    const r = await morgana(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it("targets lists each target and what each device becomes (text and --json)", async () => {
    const text = await morgana(["targets"]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^unix /m);
    assert.match(text.stdout, /kv_ro +a host folder/);
    const json = JSON.parse((await morgana(["targets", "--json"])).stdout);
    const names = json.targets.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ["unix", "direct", "cubieboard2", "xen"]);
    assert.equal(json.targets[0].available, true);
    assert.match(json.targets[0].devices.net, /sockets/);
  });

  it("describe prints the device graph as text and as Graphviz dot", async () => {
    const text = await morgana(["describe", "-t", "unix"], SITE);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^static-website \(src\/unikernel\.ts\) on unix/);
    assert.match(
      text.stdout,
      /http +http +port=80 header_timeout=10000 request_timeout=60000 idle_timeout=5000 send_timeout=60000; uses stack=net, clock=clock/,
    );
    const dot = await morgana(["describe", "--dot"], SITE);
    assert.match(dot.stdout, /^digraph "static-website" \{/);
    assert.match(dot.stdout, /"http" -> "net" \[label="stack"\];/);
    assert.match(dot.stdout, /"http" -> "clock" \[label="clock"\];/);
    assert.match(dot.stdout, /\}\n$/);
    // Graphviz itself must accept it.
    const svg = await new Promise<string>((done, fail) => {
      const child = execFile("dot", ["-Tsvg"], (err, stdout, stderr) =>
        err ? fail(new Error(stderr)) : done(stdout),
      );
      child.stdin?.end(dot.stdout);
    });
    assert.match(svg, /<svg[\s\S]*static&#45;website[\s\S]*<\/svg>/);
  });

  it("runs hello to completion: exit 0 after its ticks", async () => {
    const r = await morgana(["run", "-t", "unix"], HELLO);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello from a Morgana unikernel\n(tick \d\/4 at \d+ ms\n){4}goodbye\n/);
  });

  it("works from any folder through a link on PATH, as `npm link` makes it", async () => {
    const bin = tempDir("bin");
    const dir = join(tempDir("anywhere"), "Linked App");
    symlinkSync(join(REPO, "tool", "bin", "morgana.js"), join(bin, "morgana"));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1" };
    const sh = (args: string[], cwd: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
        execFile("morgana", args, { cwd, env }, (err, stdout, stderr) =>
          done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    try {
      const made = await sh(["new", "hello", dir, "--json"], tmpdir());
      assert.equal(made.code, 0, made.stderr);
      // One slug rule: the unikernel and its npm package get the same name.
      assert.equal(JSON.parse(made.stdout).name, "linked-app");
      assert.equal(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name, "linked-app");
      const built = await sh(["build"], dir);
      assert.equal(built.code, 0, built.stderr);
      assert.ok(existsSync(join(dir, "dist", "unix", "linked-app.mjs")));
    } finally {
      removeDir(bin);
      removeDir(join(dir, ".."));
    }
  });

  it("new --list names each template with its description, as text and as data", async () => {
    const text = await morgana(["new", "--list"]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^https-site +An HTTPS website/m);
    const json = JSON.parse((await morgana(["new", "--list", "--json"])).stdout);
    assert.deepEqual(
      json.templates.map((t: { name: string }) => t.name),
      ["hello", "https-site", "static-website"],
    );
    assert.ok(json.templates.every((t: { description: string }) => t.description.length > 10));
  });

  it("run --json reports the unikernel's own exit code when it fails", async () => {
    const dir = tempDir("runjson");
    removeDir(dir);
    assert.equal((await morgana(["new", "hello", dir])).code, 0);
    writeFileSync(
      join(dir, "src", "unikernel.ts"),
      'import type { Devices } from "morgana:devices";\nexport async function start(_d: Devices): Promise<void> {\n  throw new Error("boom");\n}\n',
    );
    const r = await morgana(["run", "--json"], dir);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    const meaning =
      "the unikernel failed: start() threw or rejected, or a device was refused (its error is above)";
    assert.deepEqual(
      [json.ok, json.exitCode, json.error, json.exitMeaning],
      [false, 1, `the unikernel exited with 1: ${meaning}`, meaning],
    );
    assert.match(r.stderr, /boom/, "the console goes to stderr with --json");
    removeDir(dir);
  });

  it("run --no-build without a build says how to build, exit 1", async () => {
    const dir = tempDir("nobuild");
    removeDir(dir);
    assert.equal((await morgana(["new", "hello", dir])).code, 0);
    const r = await morgana(["run", "--no-build"], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no build to boot: dist\/unix\/morgana-nobuild-\w+\.mjs does not exist/);
    assert.match(r.stderr, /morgana build -t unix/);
    removeDir(dir);
  });

  it("new names the unikernel after its folder, keeping the template's comments", async () => {
    const dir = join(tempDir("named"), "My Site 2");
    const r = await morgana(["new", "hello", dir]);
    assert.equal(r.code, 0, r.stderr);
    const yaml = readFileSync(join(dir, "unikernel.yaml"), "utf8");
    assert.match(yaml, /^name: my-site-2$/m);
    assert.match(yaml, /^# The smallest unikernel/m);
    removeDir(join(dir, ".."));
  });

  it("clean removes .morgana and dist", async () => {
    const dir = tempDir("clean");
    removeDir(dir);
    assert.equal((await morgana(["new", "hello", dir])).code, 0);
    assert.equal((await morgana(["build"], dir)).code, 0);
    assert.ok(existsSync(join(dir, "dist")) && existsSync(join(dir, ".morgana")));
    const r = await morgana(["clean"], dir);
    assert.equal(r.code, 0);
    assert.ok(!existsSync(join(dir, "dist")) && !existsSync(join(dir, ".morgana")));
    removeDir(dir);
  });

  it("new refuses an unknown template (did-you-mean) and a non-empty folder", async () => {
    const r = await morgana(["new", "static-websit", tempDir("x")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown template "static-websit" \(did you mean "static-website"\?\)/);
    const taken = await morgana(["new", "hello", REPO]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /exists and is not empty/);
  });
});

describe("e2e: the board target's programs can be named by the environment", function () {
  this.timeout(60_000);
  it("MORGANA_QEMU and MORGANA_TOOLCHAIN are the programs cubieboard2 checks and runs", async () => {
    const targets = (env: Record<string, string>) =>
      new Promise<{ name: string; available: boolean; unavailable: string | null }[]>(
        (done, fail) =>
          execFile(
            process.execPath,
            [join(REPO, "tool", "bin", "morgana.js"), "targets", "--json"],
            { env: { ...process.env, ...env } },
            (err, stdout) => (err ? fail(err) : done(JSON.parse(stdout).targets)),
          ),
      );
    const board = <T extends { name: string }>(list: T[]) =>
      list.find((t) => t.name === "cubieboard2");
    const qemu = board(await targets({ MORGANA_QEMU: "/nowhere/qemu-system-arm" }));
    assert.equal(qemu?.available, false);
    assert.match(
      qemu?.unavailable ?? "",
      /fix MORGANA_QEMU: \/nowhere\/qemu-system-arm does not run/,
    );
    const gcc = board(await targets({ MORGANA_TOOLCHAIN: "/nowhere/bin" }));
    assert.match(
      gcc?.unavailable ?? "",
      /fix MORGANA_TOOLCHAIN: \/nowhere\/bin\/arm-none-eabi-gcc does not run/,
    );
  });
});
