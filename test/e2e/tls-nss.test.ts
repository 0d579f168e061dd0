/**
 * Interop with NSS, the TLS library of Firefox (Debian's libnss3-tools): its test client
 * `tstclnt` against Morgana's server and its test server `selfserv` against Morgana's
 * client, every TLS 1.3 suite and group both support, the ECDHE-ECDSA TLS 1.2 suites with
 * extended master secret, and what NSS adds on its own: session tickets and resumption, the
 * middlebox-compatible handshake, an ECH GREASE extension, and its own path
 * validation of Morgana's chain.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testPki } from "../unit/tls/helpers.ts";
import { freePort, isListening } from "./lib/morgana.ts";
import {
  GROUPS,
  type MorganaServer,
  morganaGet,
  morganaServer,
  runClient,
  SUITES,
  SUITES12,
} from "./tls-peers.ts";

const hex = (id: number) => `:${id.toString(16).padStart(4, "0")}`;

/** An NSS database trusting the test CA, with the P-256 leaf and its key as "morgana-p256". */
function nssDb(): string {
  const pki = testPki();
  const leaf = pki.leaf("p256");
  const db = mkdtempSync(join(tmpdir(), "morgana-nss-"));
  const sql = `sql:${db}`;
  execFileSync("certutil", ["-N", "-d", sql, "--empty-password"]);
  execFileSync("certutil", [
    "-A",
    "-d",
    sql,
    "-n",
    "morgana-test-ca",
    "-t",
    "C,,",
    "-i",
    join(pki.dir, "ca.pem"),
  ]);
  const p12 = join(db, "leaf.p12");
  execFileSync("openssl", [
    "pkcs12",
    "-export",
    "-in",
    leaf.chainFile,
    "-inkey",
    leaf.keyFile,
    "-name",
    "morgana-p256",
    "-passout",
    "pass:",
    "-out",
    p12,
  ]);
  execFileSync("pk12util", ["-i", p12, "-d", sql, "-W", ""]);
  return db;
}

describe("TLS interop with NSS (tstclnt and selfserv)", function () {
  this.timeout(120_000);
  let db: string;

  before(() => {
    db = nssDb();
  });
  after(() => rmSync(db, { recursive: true, force: true }));

  /** tstclnt GETs / from `server` with `args`; returns its output and the server's sessions. */
  async function tstclnt(server: MorganaServer, args: string[], host = "localhost") {
    const r = await runClient(
      "tstclnt",
      ["-4", "-h", host, "-p", String(server.port), "-d", `sql:${db}`, ...args],
      "GET / HTTP/1.0\r\n\r\n",
      /morgana says hello/,
    );
    return r;
  }

  describe("tstclnt -> Morgana's server", () => {
    for (const suite of SUITES) {
      for (const group of GROUPS) {
        it(`TLS 1.3 ${suite.name} over ${group.name}, chain verified by NSS`, async () => {
          const server = await morganaServer({});
          try {
            const r = await tstclnt(server, [
              "-V",
              "tls1.3:tls1.3",
              "-c",
              hex(suite.id),
              "-I",
              group.nss,
            ]);
            assert.match(
              r.out,
              new RegExp(`morgana says hello over ${suite.name} ${group.name}`),
              r.err,
            );
            assert.deepEqual(server.failures, []);
          } finally {
            await server.close();
          }
        });
      }
    }

    for (const suite of SUITES12.filter((s) => s.kind === "p256")) {
      it(`TLS 1.2 ${suite.name} with extended master secret`, async () => {
        const server = await morganaServer({});
        try {
          const r = await tstclnt(server, ["-V", "tls1.2:tls1.2", "-c", hex(suite.id), "-G"]);
          assert.match(r.out, new RegExp(`morgana says hello over ${suite.name}`), r.err);
          assert.equal(server.sessions[0]?.version, "TLSv1.2");
        } finally {
          await server.close();
        }
      });
    }

    it("session tickets: the second connection resumes", async () => {
      const server = await morganaServer({ ticketKey: new Uint8Array(32).fill(9) });
      try {
        // -u offers tickets; -L 2 connects twice, the second time with the first's ticket,
        // sending the request file (-A) each time.
        const request = join(db, "request.txt");
        writeFileSync(request, "GET / HTTP/1.0\r\n\r\n");
        const r = await runClient(
          "tstclnt",
          [
            "-4",
            "-h",
            "localhost",
            "-p",
            String(server.port),
            "-d",
            `sql:${db}`,
            "-V",
            "tls1.3:tls1.3",
          ].concat(["-u", "-L", "2", "-A", request]),
          "GET / HTTP/1.0\r\n\r\n",
          /morgana says hello[\s\S]*morgana says hello/,
        );
        assert.equal(server.sessions.length, 2, r.err);
        assert.equal(server.sessions[0]?.resumed, false);
        assert.equal(server.sessions[1]?.resumed, true);
      } finally {
        await server.close();
      }
    });

    it("middlebox compatibility mode and an ECH GREASE extension do not disturb the handshake", async () => {
      const server = await morganaServer({});
      try {
        const r = await tstclnt(server, ["-V", "tls1.3:tls1.3", "-e", "-i", "64"]);
        assert.match(r.out, /morgana says hello over TLS_/, r.err);
        assert.deepEqual(server.failures, []);
      } finally {
        await server.close();
      }
    });

    it("NSS refuses the chain for a name it does not cover", async () => {
      const server = await morganaServer({});
      try {
        // The test leaf is for localhost and 127.0.0.1: asked for another name (-a sets the
        // name NSS sends and checks), NSS's own validation fails.
        const r = await tstclnt(server, ["-V", "tls1.3:tls1.3", "-a", "www.example.com"]);
        assert.doesNotMatch(r.out, /morgana says hello/);
        assert.match(r.err, /SSL_ERROR_BAD_CERT_DOMAIN|bad cert domain|domain name/i);
      } finally {
        await server.close();
      }
    });
  });

  describe("Morgana's client -> selfserv", () => {
    let serv: ChildProcess | undefined;
    afterEach(() => serv?.kill());

    /** selfserv with the P-256 leaf on a free port, once it listens. */
    async function selfserv(args: string[]): Promise<number> {
      const port = await freePort();
      serv = spawn(
        "selfserv",
        ["-d", `sql:${db}`, "-e", "morgana-p256", "-p", String(port), "-Q", ...args],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      // selfserv says nothing when ready: wait until it accepts.
      for (let i = 0; i < 100; i++) {
        if (await isListening(port)) return port;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error("selfserv did not listen");
    }

    for (const suite of SUITES) {
      for (const group of GROUPS) {
        it(`TLS 1.3 ${suite.name} over ${group.name}`, async () => {
          const port = await selfserv([
            "-V",
            "tls1.3:tls1.3",
            "-c",
            hex(suite.id),
            "-I",
            group.nss,
          ]);
          const r = await morganaGet(port, { cipherSuites: [suite.id], groups: [group.id] });
          assert.equal(r.session.suite, suite.name);
          assert.equal(r.session.group, group.name);
          assert.match(r.text, /^HTTP\/1\.[01] 200/);
        });
      }
    }

    for (const suite of SUITES12.filter((s) => s.kind === "p256")) {
      it(`TLS 1.2 ${suite.name}`, async () => {
        const port = await selfserv(["-V", "tls1.2:tls1.2", "-c", hex(suite.id), "-G"]);
        const r = await morganaGet(port, { cipherSuites: [suite.id] });
        assert.equal(r.session.version, "TLSv1.2");
        assert.equal(r.session.suite, suite.name);
        assert.match(r.text, /^HTTP\/1\.[01] 200/);
      });
    }
  });
});
