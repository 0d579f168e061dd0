import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MORGANA, removeDir, tempDir } from "./lib/morgana.ts";

/** `morgana cert` with its own dev CA folder, as a user would run it in a project. */
function cert(args: string[], cwd: string, caDir: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(
      process.execPath,
      [MORGANA, "cert", ...args],
      { cwd, env: { ...process.env, MORGANA_CA_DIR: caDir, NO_COLOR: "1" } },
      (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

const openssl = (args: string[]) =>
  new Promise<string>((done, fail) =>
    execFile("openssl", args, (err, stdout, stderr) =>
      err ? fail(new Error(stderr)) : done(stdout),
    ),
  );

describe("e2e: morgana cert makes a dev certificate where the tls device reads it", function () {
  this.timeout(60_000);
  let dir: string;
  let caDir: string;

  before(() => {
    dir = tempDir("cert");
    caDir = join(tempDir("ca"), "dev-ca");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "unikernel.ts"), "export async function start() {}\n");
    writeFileSync(
      join(dir, "unikernel.yaml"),
      "name: site\nmain: src/unikernel.ts\ndevices:\n  net: {}\n  secrets: { type: kv_ro, path: tls-keys }\n  tls: { stack: net, keys: secrets, certificate: chain.pem, key: private.pem }\n",
    );
  });
  after(() => {
    removeDir(dir);
    removeDir(join(caDir, ".."));
  });

  it("writes the tls device's files, signed by a new dev CA that openssl accepts", async () => {
    const r = await cert(["--hosts", "localhost,site.test", "--json"], dir, caDir);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.ok, true);
    assert.equal(json.ca.created, true);
    assert.equal(json.certificate, join(dir, "tls-keys", "chain.pem"));
    assert.equal(json.key, join(dir, "tls-keys", "private.pem"));
    assert.deepEqual(json.hosts, ["localhost", "site.test"]);
    // The CA stays outside the project: nothing packs its key into an image.
    assert.ok(!existsSync(join(dir, "tls-keys", "ca-key.pem")));
    assert.equal(statSync(json.key).mode & 0o777, 0o600);
    assert.match(
      await openssl(["verify", "-CAfile", join(caDir, "ca.pem"), json.certificate]),
      /: OK/,
    );
    const text = await openssl([
      "x509",
      "-in",
      json.certificate,
      "-noout",
      "-ext",
      "subjectAltName",
    ]);
    assert.match(text, /DNS:localhost, DNS:site\.test/);
    assert.match(json.trust, /curl --cacert /);
  });

  it("reuses the dev CA on the next run", async () => {
    const r = await cert(["--json"], dir, caDir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).ca.created, false);
  });

  it("without a tls device says what to do; bad days are refused", async () => {
    const plain = tempDir("cert-plain");
    try {
      writeFileSync(
        join(plain, "unikernel.yaml"),
        "name: a\nmain: a.ts\ndevices:\n  console: {}\n",
      );
      writeFileSync(join(plain, "a.ts"), "export async function start() {}\n");
      const r = await cert([], plain, caDir);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no tls device in unikernel\.yaml to make a certificate for/);
      assert.match(r.stderr, /pass --out DIR/);
      const days = await cert(["--out", join(plain, "k"), "--days", "9999"], plain, caDir);
      assert.equal(days.code, 1);
      assert.match(days.stderr, /days must be 1-825/);
    } finally {
      removeDir(plain);
    }
  });
});
