import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:tls";
import { parseCredentials } from "../../../stack/x509/index.ts";
import { makeDevCertificates } from "../../../tool/src/cert/index.ts";
import { OpenSsl } from "./openssl.ts";
import { noble } from "./providers.ts";

/** `makeDevCertificates` writes files openssl, Node's TLS and a second run all accept. */
describe("tool/cert: dev CA and server certificates", function () {
  this.timeout(60_000);
  let ssl: OpenSsl;
  before(() => {
    ssl = new OpenSsl();
  });
  after(() => ssl.close());

  it("makes a CA once and server certificates for localhost, 127.0.0.1 and ::1 that openssl verifies", () => {
    const r = makeDevCertificates({ dir: ssl.path("certs") });
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    if (!r.ok) return;
    const v = r.value;
    assert.equal(v.ca.cert.written, true);
    assert.deepEqual(v.server.hosts, ["localhost", "127.0.0.1", "::1"]);
    for (const [flag, host] of [
      ["-verify_hostname", "localhost"],
      ["-verify_ip", "127.0.0.1"],
      ["-verify_ip", "::1"],
    ] as const) {
      const o = ssl.tryRun([
        "verify",
        "-CAfile",
        v.ca.cert.path,
        "-purpose",
        "sslserver",
        flag,
        host,
        v.server.cert.path,
      ]);
      assert.equal(o.status, 0, o.out);
    }
    assert.equal(
      ssl.run(["pkey", "-in", v.server.key.path, "-pubout"]),
      ssl.run(["x509", "-in", v.server.cert.path, "-noout", "-pubkey"]),
    );
    assert.equal(
      ssl.run(["x509", "-in", v.ca.cert.path, "-noout", "-fingerprint", "-sha256"]).trim(),
      `sha256 Fingerprint=${v.ca.sha256}`,
    );
    assert.equal(
      ssl.run(["x509", "-in", v.server.cert.path, "-noout", "-serial"]).trim(),
      `serial=${v.server.serial}`,
    );
    assert.equal(statSync(v.ca.key.path).mode & 0o777, 0o600);
    assert.equal(statSync(v.server.key.path).mode & 0o777, 0o600);
    for (const needle of [
      "curl --cacert",
      "update-ca-certificates",
      "certutil",
      "Firefox",
      "NODE_EXTRA_CA_CERTS",
    ])
      assert.ok(v.trust.text.includes(needle), needle);

    // A second run keeps the CA and makes a new server certificate for other hosts.
    const again = makeDevCertificates({
      dir: ssl.path("certs"),
      hosts: ["app.test", "*.app.test"],
      days: 30,
      provider: noble,
    });
    assert.ok(again.ok, again.ok ? "" : again.error.message);
    if (!again.ok) return;
    assert.equal(again.value.ca.cert.written, false);
    assert.equal(again.value.ca.sha256, v.ca.sha256);
    assert.notEqual(again.value.server.serial, v.server.serial);
    const o = ssl.tryRun([
      "verify",
      "-CAfile",
      v.ca.cert.path,
      "-verify_hostname",
      "x.app.test",
      again.value.server.cert.path,
    ]);
    assert.equal(o.status, 0, o.out);
  });

  it("Node's TLS client accepts the server certificate when given the CA, and refuses it without", async () => {
    const r = makeDevCertificates({ dir: ssl.path("tls") });
    assert.ok(r.ok);
    if (!r.ok) return;
    const server = createServer(
      { cert: ssl.read("tls/cert.pem"), key: ssl.read("tls/key.pem") },
      (s) => s.end("hello"),
    );
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as AddressInfo).port;
    const fetchOnce = (ca: string | undefined) =>
      new Promise<string>((done, failed) => {
        const socket = connect({ host: "127.0.0.1", port, servername: "localhost", ca }, () => {
          let data = "";
          socket.on("data", (d) => {
            data += d;
          });
          socket.on("end", () => done(data));
        });
        socket.on("error", failed);
      });
    try {
      assert.equal(await fetchOnce(ssl.read("tls/ca.pem")), "hello");
      await assert.rejects(fetchOnce(undefined), /self[- ]signed|unable to (get|verify)/i);
    } finally {
      server.close();
    }
  });

  it("curl, following the how-to-trust text, fetches over HTTPS from localhost, 127.0.0.1 and [::1]", async () => {
    const r = makeDevCertificates({ dir: ssl.path("curl") });
    assert.ok(r.ok);
    if (!r.ok) return;
    const server = createHttpsServer(
      { cert: ssl.read("curl/cert.pem"), key: ssl.read("curl/key.pem") },
      (_req, res) => res.end("hello over https"),
    );
    await new Promise<void>((done) => server.listen(0, "::", done));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const host of ["localhost", "127.0.0.1", "[::1]"]) {
        const args = r.value.trust.curl
          .replace("https://localhost:8443/", `https://${host}:${port}/`)
          .split(" ")
          .slice(1);
        const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
          (done) => {
            execFile("curl", ["-sS", ...args], (err, stdout, stderr) =>
              done({ code: err === null ? 0 : (err.code as number), stdout, stderr }),
            );
          },
        );
        assert.equal(out.stdout, "hello over https", `${host}: ${out.stderr}`);
      }
    } finally {
      server.close();
    }
  });

  it("refuses bad hosts and a CA key that does not belong to the CA", () => {
    const bad = makeDevCertificates({ dir: ssl.path("bad"), hosts: ["not a host"] });
    assert.equal(bad.ok ? "ok" : bad.error.code, "bad-host");
    const days = makeDevCertificates({ dir: ssl.path("bad"), days: 1000 });
    assert.equal(days.ok ? "ok" : days.error.code, "bad-days");
    const first = makeDevCertificates({ dir: ssl.path("mix"), provider: noble });
    assert.ok(first.ok);
    ssl.key("other", "p256");
    writeFileSync(ssl.path("mix/ca-key.pem"), ssl.read("other.key"));
    const r = makeDevCertificates({ dir: ssl.path("mix"), provider: noble });
    assert.equal(r.ok ? "ok" : r.error.code, "ca-key-mismatch");
    const expired = makeDevCertificates({
      dir: ssl.path("tls"),
      now: Date.now() + 4000 * 86_400_000,
    });
    assert.equal(expired.ok ? "ok" : expired.error.code, "ca-expired");
  });
});

describe("x509: loading credentials (certificate chain and key) from PEM", () => {
  it("accepts the dev server pair and refuses a key of another certificate", () => {
    const ssl = new OpenSsl();
    try {
      const r = makeDevCertificates({ dir: ssl.path("c"), provider: noble });
      assert.ok(r.ok);
      const good = parseCredentials(
        ssl.read("c/cert.pem") + ssl.read("c/ca.pem"),
        ssl.read("c/key.pem"),
        noble,
      );
      assert.ok(good.ok, good.ok ? "" : good.error.message);
      if (good.ok) {
        assert.equal(good.value.chain.length, 2);
        assert.equal(good.value.privateKey.kind, "ec");
      }
      const mismatch = parseCredentials(ssl.read("c/cert.pem"), ssl.read("c/ca-key.pem"), noble);
      assert.equal(mismatch.ok ? "ok" : mismatch.error.code, "key-mismatch");
      const noCert = parseCredentials(ssl.read("c/key.pem"), ssl.read("c/key.pem"), noble);
      assert.equal(noCert.ok ? "ok" : noCert.error.code, "bad-certificate");
      const noKey = parseCredentials(ssl.read("c/cert.pem"), ssl.read("c/cert.pem"), noble);
      assert.equal(noKey.ok ? "ok" : noKey.error.code, "bad-key");
      // OpenSSL's own RSA pair (PKCS#1 key file) loads too.
      ssl.selfSigned("rsa", "rsa2048", "/CN=rsa", ["subjectAltName=DNS:rsa.test"]);
      ssl.run(["rsa", "-in", "rsa.key", "-traditional", "-out", "rsa.pkcs1"]);
      const rsa = parseCredentials(ssl.read("rsa.pem"), ssl.read("rsa.pkcs1"), noble);
      assert.ok(rsa.ok, rsa.ok ? "" : rsa.error.message);
    } finally {
      ssl.close();
    }
  });
});
