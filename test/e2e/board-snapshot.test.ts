import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureXsLibrary } from "../../runtime/baremetal/build/index.ts";
import { build, run } from "../../tool/src/api/index.ts";
import { staticWebsiteForBoard } from "./lib/board.ts";
import { freePort, morgana, REPO, removeDir, tempDir } from "./lib/morgana.ts";

const _ROOT = resolve(import.meta.dirname, "..", "..");
/** What a restored image prints first (xs/xs_host.c boot_from_snapshot): no bundle evaluated. */
const RESTORED = /^morgana: heap snapshot restored \(\d+ KiB from \d+ KiB packed\) in \d+ ms$/m;

/** Boots the project's built image once; resolves with the console when `until` is seen. */
async function bootUntil(dir: string, until: RegExp, ms: number) {
  const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
  assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
  const board = started.instance;
  let out = "";
  board.onOutput((text) => {
    out += text.replace(/\r\n/g, "\n");
  });
  const deadline = Date.now() + ms;
  while (!until.test(out)) {
    assert.ok(Date.now() < deadline, `no ${until} on the console: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { board, console: () => out };
}

/** GETs `url` until the board answers (it takes DHCP first). */
async function firstResponse(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res) return res;
    assert.ok(Date.now() < deadline, `no answer on ${url}`);
  }
}

describe("board: --snapshot images (an XS heap snapshot taken at build time, restored at boot)", () => {
  let site: string;
  let port: number;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    ({ dir: site, port } = await staticWebsiteForBoard("morgana-board-snapshot-"));
  });

  after(() => rmSync(site, { recursive: true, force: true }));

  it("static-website restores its heap instead of evaluating, and serves every file byte-exact with the cold image's ETags", async function () {
    this.timeout(10 * 60_000);
    const base = `http://127.0.0.1:${port}`;
    const files = readdirSync(join(site, "htdocs"));

    // The cold image first: what it serves is the reference.
    const cold = await build({ projectDir: site, target: "cubieboard2" });
    assert.ok(cold.ok, JSON.stringify(cold.diagnostics));
    const coldEtags = new Map<string, string | null>();
    const coldBoot = await bootUntil(site, /serving htdocs on port 80/, 60_000);
    try {
      await (await firstResponse(`${base}/`, 30_000)).arrayBuffer();
      for (const name of files) {
        const res = await fetch(`${base}/${name}`);
        assert.equal(res.status, 200, name);
        await res.arrayBuffer();
        coldEtags.set(name, res.headers.get("etag"));
      }
      assert.doesNotMatch(coldBoot.console(), RESTORED);
    } finally {
      await coldBoot.board.stop();
    }

    const steps: string[] = [];
    const progress = {
      step: async <T>(label: string, work: () => Promise<T>) => {
        steps.push(label);
        return work();
      },
    };
    const snap = await build({
      projectDir: site,
      target: "cubieboard2",
      flags: { snapshot: true },
      progress,
    });
    assert.ok(snap.ok, JSON.stringify(snap.diagnostics));
    // The build says what it did and how big the snapshot is.
    assert.ok(
      steps.some((s) =>
        /^snapshot: \d+ KiB of XS heap, \d+ KiB packed \(taken in [\d.]+ s\)/.test(s),
      ),
      steps.join("; "),
    );
    const warm = await bootUntil(site, /serving htdocs on port 80/, 60_000);
    try {
      const lines = warm.console().split("\n");
      // Restored, and the app's first line came after: nothing was parsed or evaluated.
      assert.match(lines[0] ?? "", RESTORED, warm.console());
      assert.equal(lines.filter((l) => RESTORED.test(l)).length, 1);
      const first = await firstResponse(`${base}/`, 30_000);
      assert.equal(first.status, 200);
      await first.arrayBuffer();
      for (const name of files) {
        const res = await fetch(`${base}/${name}`);
        assert.equal(res.status, 200, name);
        const body = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual(body, new Uint8Array(readFileSync(join(site, "htdocs", name))), name);
        assert.ok(coldEtags.get(name), name);
        assert.equal(res.headers.get("etag"), coldEtags.get(name), name);
      }
      const missing = await fetch(`${base}/nope.html`);
      assert.equal(missing.status, 404);
      await missing.arrayBuffer();
    } finally {
      await warm.board.stop();
    }
  });
});

describe("board: --snapshot holds no random state: every boot reseeds", () => {
  let dir: string;

  /** A unikernel that prints 16 random bytes; `topLevel` also draws one at module evaluation. */
  function project(name: string, topLevel: boolean): string {
    const root = join(dir, name);
    mkdirSync(join(root, "src"), { recursive: true });
    writeFileSync(
      join(root, "unikernel.yaml"),
      `name: ${name}\nmain: src/unikernel.ts\ndevices:\n  console: {}\n  random: {}\n`,
    );
    // The board's host function itself: an app cannot reach the device before start().
    const early = topLevel
      ? [
          "type Host = { randomFill(b: ArrayBuffer, o: number, n: number): boolean };",
          "const host = (globalThis as { __morganaBoard?: Host }).__morganaBoard;",
          "const early = new Uint8Array(4);",
          'if (!host?.randomFill(early.buffer, 0, 4)) throw new Error("no seed at the top level");',
        ]
      : ["const early = new Uint8Array(0);"];
    writeFileSync(
      join(root, "src", "unikernel.ts"),
      [
        'import type { Devices } from "morgana:devices";',
        ...early,
        "const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');",
        "export async function start({ console, random }: Devices): Promise<void> {",
        '  await console.log("random " + hex(random.fill(new Uint8Array(16))) + hex(early));',
        '  await console.log("math " + Math.random() + " " + Math.random());',
        "}",
        "",
      ].join("\n"),
    );
    return root;
  }

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = mkdtempSync(join(tmpdir(), "morgana-board-snapshot-random-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("two boots of one snapshot image draw different random bytes and different Math.random()", async function () {
    this.timeout(10 * 60_000);
    const root = project("dice", false);
    const built = await build({
      projectDir: root,
      target: "cubieboard2",
      flags: { snapshot: true },
    });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
    const draws: string[] = [];
    const maths: string[] = [];
    for (let i = 0; i < 2; i++) {
      const started = await run({ projectDir: root, target: "cubieboard2", noBuild: true });
      assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
      let out = "";
      started.instance.onOutput((text) => {
        out += text.replace(/\r\n/g, "\n");
      });
      assert.equal(await started.instance.exited, 0, out);
      assert.match(out, RESTORED);
      const m = /^random ([0-9a-f]{32})$/m.exec(out);
      assert.ok(m, out);
      draws.push(m[1] as string);
      // XS's Math.random (the C library's rand()) is reseeded at every boot too.
      const math = /^math (0\.\d+) (0\.\d+)$/m.exec(out);
      assert.ok(math, out);
      maths.push(`${math[1]} ${math[2]}`);
    }
    assert.notEqual(draws[0], draws[1]);
    assert.notEqual(maths[0], maths[1]);
  });

  it("a module that draws random bytes at its top level cannot be snapshotted: the build fails with the board's report", async function () {
    this.timeout(10 * 60_000);
    const root = project("early-dice", true);
    const built = await build({
      projectDir: root,
      target: "cubieboard2",
      flags: { snapshot: true },
    });
    assert.equal(built.ok, false);
    const message = built.diagnostics.map((d) => d.message).join("\n");
    assert.match(message, /could not take the heap snapshot \(--snapshot\)/);
    // The snapshot boot has no seed: the draw failed there, and the console says where.
    assert.match(
      message,
      /JS EXCEPTION in the bundle's top level: Error: no seed at the top level/,
    );
    assert.match(message, /snapshot: evaluating the bundle failed/);
  });
});

describe("board: https-site with --snapshot: TLS with the C crypto functions bound again after the restore", () => {
  let dir: string;
  let caDir: string;
  const savedCa = process.env.MORGANA_CA_DIR;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = join(tempDir("board-snapshot-https"), "site");
    caDir = join(tempDir("board-snapshot-ca"), "dev-ca");
    process.env.MORGANA_CA_DIR = caDir;
    const made = await morgana(["new", "https-site", dir]);
    assert.equal(made.code, 0, made.stderr);
  });

  after(() => {
    if (savedCa === undefined) delete process.env.MORGANA_CA_DIR;
    else process.env.MORGANA_CA_DIR = savedCa;
    if (dir) removeDir(join(dir, ".."));
    if (caDir) removeDir(join(caDir, ".."));
  });

  it("fits the issue's 2 MB with its heap packed, restores, and curl gets index.html over TLS 1.3", async function () {
    this.timeout(10 * 60_000);
    const https = await freePort();
    const yaml = join(dir, "unikernel.yaml");
    const config = readFileSync(yaml, "utf8");
    writeFileSync(yaml, config.replaceAll('"8443:443", "8080:80"', `"${https}:443"`));
    const built = await build({
      projectDir: dir,
      target: "cubieboard2",
      flags: { snapshot: true },
    });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
    assert.ok((built.bytes ?? 0) < 2_000_000, `image of ${built.bytes} bytes`);
    const booted = await bootUntil(
      dir,
      new RegExp(`listening on https://127.0.0.1:${https}/`),
      60_000,
    );
    try {
      assert.match(booted.console().split("\n")[0] ?? "", RESTORED, booted.console());
      const page = readFileSync(
        join(REPO, "samples", "https-site", "htdocs", "index.html"),
        "utf8",
      );
      const body = await new Promise<string>((done, fail) =>
        execFile(
          "curl",
          ["-sS", "--tlsv1.3", "--max-time", "60", "--cacert", join(caDir, "ca.pem")].concat(
            `https://localhost:${https}/index.html`,
          ),
          (e, out, err) =>
            e ? fail(new Error(`curl: ${err}; console: ${booted.console()}`)) : done(out),
        ),
      );
      assert.equal(body, page);
    } finally {
      await booted.board.stop();
    }
  });
});
