import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../../tool/src/config/index.ts";
import { type HttpsSite, startHttpsSite } from "./lib/https-site.ts";
import { morgana, REPO, Running, removeDir, tempDir } from "./lib/morgana.ts";

/** curl, with its status line and headers on stdout before the body (`-i`). */
function curl(args: string[]) {
  return new Promise<{ code: number; out: string; err: string }>((done) =>
    execFile("curl", ["-sS", "-i", "--max-time", "10", ...args], (e, out, err) =>
      done({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    ),
  );
}

/**
 * samples/https-site as a user meets it: `morgana new`, a dev certificate made at build time,
 * then real curl and openssl over Morgana's TLS 1.3, and the plain-HTTP redirect.
 */
describe("e2e: https-site serves over TLS with a dev certificate, and redirects plain HTTP", function () {
  this.timeout(90_000);
  let site: HttpsSite | undefined;
  let dir: string;
  let caDir: string;
  let run: Running | undefined;
  let https: number;
  let http: number;

  before(async () => {
    site = await startHttpsSite("https");
    ({ dir, caDir, https, http, run } = site);
  });

  after(() => {
    run?.kill();
    site?.cleanup();
  });

  it("made the certificate at build time, and announced both URLs", () => {
    assert.match(run?.stderr ?? "", /made a development certificate: keys\/server\.pem/);
    assert.match(run?.stderr ?? "", new RegExp(`listening on http://127\\.0\\.0\\.1:${http}/`));
  });

  it("curl gets the page over TLS 1.3, verified against the dev CA, with HSTS", async () => {
    const r = await curl([
      "--tlsv1.3",
      "--cacert",
      join(caDir, "ca.pem"),
      `https://localhost:${https}/index.html`,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.out, /\r\nStrict-Transport-Security: max-age=63072000; includeSubDomains\r\n/);
    assert.match(r.out, /\r\nX-Content-Type-Options: nosniff\r\n/);
    const body = r.out.slice(r.out.indexOf("\r\n\r\n") + 4);
    assert.equal(
      body,
      readFileSync(join(REPO, "samples", "https-site", "htdocs", "index.html"), "utf8"),
    );
  });

  it("a client that does not trust the dev CA is refused", async () => {
    const r = await curl([`https://localhost:${https}/`]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /certificate/i);
  });

  it("openssl s_client verifies the chain and negotiates TLS 1.3 with ALPN http/1.1", async () => {
    const out = await new Promise<string>((done) => {
      const child = execFile(
        "openssl",
        [
          "s_client",
          "-connect",
          `127.0.0.1:${https}`,
          "-servername",
          "localhost",
          "-CAfile",
          join(caDir, "ca.pem"),
          "-alpn",
          "http/1.1",
          "-verify_return_error",
        ],
        { timeout: 15_000 },
        (_e, stdout) => done(stdout),
      );
      child.stdin?.end("");
    });
    assert.match(out, /TLSv1\.3/);
    assert.match(out, /ALPN protocol: http\/1\.1/);
    assert.match(out, /Verify return code: 0 \(ok\)/);
  });

  it("testssl.sh finds nothing of MEDIUM or higher but the dev certificate's missing revocation", async function () {
    this.timeout(240_000);
    const report = join(caDir, "..", "testssl.json");
    await new Promise<void>((done) =>
      execFile(
        "testssl",
        ["--fast", "--severity", "MEDIUM", "--quiet", "--color", "0", "--warnings", "batch"]
          .concat(["--add-ca", join(caDir, "ca.pem"), "--jsonfile", report])
          .concat([`127.0.0.1:${https}`]),
        { timeout: 220_000 },
        () => done(),
      ),
    );
    const findings = JSON.parse(readFileSync(report, "utf8")) as {
      id: string;
      severity: string;
      finding: string;
    }[];
    // A dev certificate has no CRL or OCSP address (nothing to revoke it with); a public CA's
    // certificate has. Every other finding at MEDIUM or above is ours to fix.
    const serious = findings.filter(
      (f) => ["MEDIUM", "HIGH", "CRITICAL"].includes(f.severity) && f.id !== "cert_revocation",
    );
    assert.deepEqual(serious, [], JSON.stringify(findings, null, 1));
    assert.ok(
      findings.every((f) => f.severity !== "FATAL"),
      "testssl ran to the end",
    );
  });

  it("plain HTTP answers 301 to the same path over HTTPS", async () => {
    const r = await curl([`http://127.0.0.1:${http}/style.css?v=2`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.1 301 Moved Permanently\r\n/);
    assert.match(
      r.out,
      new RegExp(`\\r\\nLocation: https://127\\.0\\.0\\.1:${https}/style\\.css\\?v=2\\r\\n`),
    );
  });

  // Last: it restarts the unikernel without the addon.
  it("the record AEAD addon sits beside the bundle; without it TLS still works, and it says so", async () => {
    const addon = join(dir, "dist", "unix", "morgana-aead.node");
    assert.ok(existsSync(addon), "morgana build put morgana-aead.node beside the bundle");
    assert.doesNotMatch(run?.stderr ?? "", /morgana-aead\.node/);
    run?.kill();
    await run?.exited;
    renameSync(addon, `${addon}.away`);
    run = new Running(["run", "-t", "unix", "--no-build"], dir);
    await run.waitFor(new RegExp(`listening on https://127\\.0\\.0\\.1:${https}/`), 60_000);
    assert.match(
      run.stderr,
      /morgana-aead\.node: missing; TLS records use a node:crypto Cipher each/,
    );
    const r = await curl(["--cacert", join(caDir, "ca.pem"), `https://localhost:${https}/`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\r\n/);
  });

  it("without a C compiler the build warns, says how to get one, and leaves no stale addon", async () => {
    const saved = { CC: process.env.CC, MORGANA_CACHE: process.env.MORGANA_CACHE };
    const cache = tempDir("cache");
    process.env.CC = "morgana-no-such-cc";
    process.env.MORGANA_CACHE = cache;
    try {
      writeFileSync(join(dir, "dist", "unix", "morgana-aead.node"), "stale");
      const built = await morgana(["build", "-t", "unix", "--json"], dir);
      assert.equal(built.code, 0, built.stderr);
      const warning = (JSON.parse(built.stdout).diagnostics as Diagnostic[]).find(
        (d) => d.severity === "warning" && /native TLS record AEAD/.test(d.message),
      );
      assert.match(warning?.message ?? "", /no C compiler \(morgana-no-such-cc\)/);
      assert.match(warning?.hint ?? "", /apt-get install -y gcc/);
      assert.equal(existsSync(join(dir, "dist", "unix", "morgana-aead.node")), false);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      removeDir(cache);
    }
  });
});
