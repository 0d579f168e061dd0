import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureXsLibrary } from "../../runtime/baremetal/build/index.ts";
import { build, type RunningUnikernel, run } from "../../tool/src/api/index.ts";
import { freePort, morgana, REPO, removeDir, tempDir } from "./lib/morgana.ts";

/** curl, with its status line and headers before the body (`-i`) and its timings last. */
function curl(args: string[]) {
  return new Promise<{ code: number; out: string; err: string }>((done) =>
    execFile(
      "curl",
      ["-sS", "-i", "--max-time", "60", "-w", "\n%{time_appconnect} %{time_total}", ...args],
      (e, out, err) => done({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    ),
  );
}

/** Splits curl's output into the response and its timings (seconds, as curl prints them). */
function timed(out: string) {
  const cut = out.lastIndexOf("\n");
  const [handshake = Number.NaN, total = Number.NaN] = out
    .slice(cut + 1)
    .split(" ")
    .map(Number);
  return { response: out.slice(0, cut), handshakeMs: handshake * 1000, totalMs: total * 1000 };
}

/**
 * samples/https-site as a user meets it (`morgana new`, a dev certificate made at build time),
 * built for cubieboard2 and booted in QEMU: Morgana's TLS 1.3 under XS on the emulated board
 * with the native provider (BearSSL's primitives in C), reached by curl through QEMU's
 * forwarded port.
 */
describe("board: https-site on the emulated Cubieboard2, curl over TLS 1.3 through the forwarded port", function () {
  // XS and BearSSL compile once per machine (minutes); a handshake under QEMU takes 0.1-0.4 s.
  this.timeout(120_000);
  let dir: string;
  let caDir: string;
  let https: number;
  let http: number;
  let board: RunningUnikernel | undefined;
  let out = "";
  const savedCa = process.env.MORGANA_CA_DIR;

  before(async function () {
    this.timeout(20 * 60_000);
    await ensureXsLibrary();
    dir = join(tempDir("board-https"), "site");
    caDir = join(tempDir("board-ca"), "dev-ca");
    process.env.MORGANA_CA_DIR = caDir;
    const made = await morgana(["new", "https-site", dir]);
    assert.equal(made.code, 0, made.stderr);
    [https, http] = [await freePort(), await freePort()];
    const yaml = join(dir, "unikernel.yaml");
    const config = readFileSync(yaml, "utf8");
    assert.match(
      config,
      /\n {2}cubieboard2:\n(?: {4}#[^\n]*\n)* {4}ports: \[\s*"8443:443", "8080:80"\s*\]/,
    );
    writeFileSync(yaml, config.replaceAll('"8443:443", "8080:80"', `"${https}:443", "${http}:80"`));
    const src = join(dir, "src", "unikernel.ts");
    writeFileSync(
      src,
      readFileSync(src, "utf8").replace('"8080": "8443"', `"${http}": "${https}"`),
    );

    const built = await build({ projectDir: dir, target: "cubieboard2" });
    assert.ok(built.ok, JSON.stringify(built.diagnostics));
    assert.ok(existsSync(join(dir, "keys", "server.pem")), "the dev certificate was made");
    // The goal for an https-site image.
    assert.ok((built.bytes ?? 0) < 2_000_000, `image of ${built.bytes} bytes`);
    const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
    assert.ok(started.ok && started.instance, JSON.stringify(started.diagnostics));
    board = started.instance;
    board.onOutput((text) => {
      out += text;
    });
    const deadline = Date.now() + 60_000;
    while (!board.urls.includes(`https://127.0.0.1:${https}/`)) {
      assert.ok(Date.now() < deadline, `no https URL announced; console: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    await board?.stop();
    if (savedCa === undefined) delete process.env.MORGANA_CA_DIR;
    else process.env.MORGANA_CA_DIR = savedCa;
    if (dir) removeDir(join(dir, ".."));
    if (caDir) removeDir(join(caDir, ".."));
  });

  it("announced both forwarded URLs", () => {
    assert.deepEqual([...(board?.urls ?? [])].sort(), [
      `http://127.0.0.1:${http}/`,
      `https://127.0.0.1:${https}/`,
    ]);
  });

  it("curl gets index.html byte-exact over TLS 1.3, verified against the dev CA, with HSTS", async () => {
    const page = readFileSync(join(REPO, "samples", "https-site", "htdocs", "index.html"), "utf8");
    const times: string[] = [];
    // Three connections, each a full handshake: the first after boot, then warm ones.
    for (let i = 0; i < 3; i++) {
      const r = await curl([
        "--tlsv1.3",
        "--cacert",
        join(caDir, "ca.pem"),
        `https://localhost:${https}/index.html`,
      ]);
      assert.equal(r.code, 0, `${r.err}\nconsole: ${out}`);
      const { response, handshakeMs, totalMs } = timed(r.out);
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(
        response,
        /\r\nStrict-Transport-Security: max-age=63072000; includeSubDomains\r\n/,
      );
      assert.equal(response.slice(response.indexOf("\r\n\r\n") + 4), page);
      times.push(`handshake ${handshakeMs.toFixed(0)} ms, page ${totalMs.toFixed(0)} ms`);
    }
    console.log(`      board https: ${times.join("; ")}`);
  });

  it("a client that does not trust the dev CA is refused", async () => {
    const r = await curl([`https://localhost:${https}/`]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /certificate/i);
  });

  it("plain HTTP answers 301 to the same path on the forwarded HTTPS port", async () => {
    const r = await curl([`http://127.0.0.1:${http}/style.css?v=2`]);
    assert.equal(r.code, 0, r.err);
    const { response } = timed(r.out);
    assert.match(response, /^HTTP\/1\.1 301 Moved Permanently\r\n/);
    assert.match(
      response,
      new RegExp(`\\r\\nLocation: https://127\\.0\\.0\\.1:${https}/style\\.css\\?v=2\\r\\n`),
    );
  });
});
