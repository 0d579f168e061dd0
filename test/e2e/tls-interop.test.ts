/**
 * Morgana's TLS 1.3 against implementations nobody here wrote, both roles, every suite x group
 * both sides support: OpenSSL 3 (s_client, s_server), GnuTLS (gnutls-cli, gnutls-serv), curl,
 * and Node's tls.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:tls";
import { createHostStack } from "../../runtime/unix/src/stack.ts";
import { utf8Decode, utf8Encode } from "../../stack/bytes/index.ts";
import { createNobleProvider } from "../../stack/crypto/noble.ts";
import type { ClientSession } from "../../stack/tls/config.ts";
import { TlsFlow } from "../../stack/tls/flow.ts";
import { seededRandom } from "../unit/crypto/providers.ts";
import { testPki, verifierFor } from "../unit/tls/helpers.ts";
import { freePort } from "./lib/morgana.ts";
import {
  GROUPS,
  morganaGet,
  morganaServer,
  nodeCrypto,
  opensslWww,
  runClient,
  SUITES,
  SUITES12,
  sClient,
  startServer,
} from "./tls-peers.ts";

const GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
const HELLO = /morgana says hello/;

describe("e2e: TLS 1.3 interop, Morgana as the server", function () {
  this.timeout(20_000);
  const pki = testPki();

  for (const suite of SUITES) {
    for (const group of GROUPS) {
      it(`openssl s_client, curl, gnutls-cli, node: ${suite.name} ${group.openssl}`, async () => {
        const server = await morganaServer({});
        try {
          const ossl = await runClient(
            "openssl",
            sClient(server.port, `${pki.dir}/ca.pem`, [
              "-tls1_3",
              "-ciphersuites",
              suite.name,
              "-groups",
              group.openssl,
              "-verify_return_error",
              "-verify_hostname",
              "localhost",
            ]),
            GET,
            HELLO,
          );
          assert.match(ossl.out, new RegExp(`Cipher is ${suite.name}`), ossl.out + ossl.err);
          assert.match(ossl.out, /Verify return code: 0 \(ok\)/);
          assert.match(ossl.out, new RegExp(`hello over ${suite.name} ${group.name}`));

          const curl = await runClient(
            "curl",
            [
              "-sS",
              "--cacert",
              `${pki.dir}/ca.pem`,
              "--resolve",
              `localhost:${server.port}:127.0.0.1`,
              "--tlsv1.3",
              "--tls13-ciphers",
              suite.name,
              "--curves",
              group.openssl,
              `https://localhost:${server.port}/`,
            ],
            "",
            HELLO,
          );
          assert.match(curl.out, new RegExp(`hello over ${suite.name} ${group.name}`), curl.err);

          const gnutls = await runClient(
            "gnutls-cli",
            [
              "--x509cafile",
              `${pki.dir}/ca.pem`,
              "-p",
              String(server.port),
              "--priority",
              `NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+${suite.gnutls}:-GROUP-ALL:+${group.gnutls}`,
              "localhost",
            ],
            GET,
            HELLO,
          );
          assert.match(
            gnutls.out,
            new RegExp(`hello over ${suite.name} ${group.name}`),
            gnutls.out + gnutls.err,
          );

          const sock = connect({
            port: server.port,
            host: "127.0.0.1",
            servername: "localhost",
            ca: pki.caPem,
            minVersion: "TLSv1.3",
            ciphers: suite.name,
            ecdhCurve: group.openssl,
          });
          await once(sock, "secureConnect");
          assert.equal(sock.getCipher().name, suite.name);
          sock.write(GET);
          let text = "";
          sock.on("data", (d) => {
            text += d.toString();
          });
          await once(sock, "end");
          assert.match(text, new RegExp(`hello over ${suite.name} ${group.name}`));
          sock.destroy();

          assert.deepEqual(server.failures, []);
          assert.equal(server.sessions.length, 4);
          for (const s of server.sessions) {
            assert.equal(s.suite, suite.name);
            assert.equal(s.group, group.name);
          }
        } finally {
          await server.close();
        }
      });
    }
  }

  it("HelloRetryRequest: s_client sends a P-384 share, the server wants X25519", async () => {
    const server = await morganaServer({ groups: [0x001d] });
    try {
      const r = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-groups", "P-384:X25519"]),
        GET,
        HELLO,
      );
      assert.match(r.out, /hello over TLS_AES_128_GCM_SHA256 x25519/, r.out + r.err);
    } finally {
      await server.close();
    }
  });

  it("resumption: s_client's second connection reuses the ticket (PSK with ECDHE)", async () => {
    const server = await morganaServer({ ticketKey: new Uint8Array(32).fill(3) });
    const sess = `${pki.dir}/sess-${server.port}.pem`;
    try {
      const first = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-sess_out", sess]),
        GET,
        HELLO,
      );
      assert.match(first.out, /New, TLSv1.3/);
      const second = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-sess_in", sess]),
        GET,
        HELLO,
      );
      assert.match(second.out, /Reused, TLSv1.3/, second.out);
      assert.deepEqual(
        server.sessions.map((s) => s.resumed),
        [false, true],
      );
    } finally {
      await server.close();
    }
  });

  it("the portable provider serves s_client too (RSA key)", async () => {
    const server = await morganaServer({ kind: "rsa" }, createNobleProvider(seededRandom(11)));
    try {
      const r = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-verify_return_error"]),
        GET,
        HELLO,
      );
      assert.match(r.out, /Verify return code: 0 \(ok\)/, r.out + r.err);
      assert.match(r.out, /hello over/);
    } finally {
      await server.close();
    }
  });
});

describe("e2e: TLS 1.3 interop, Morgana as the client", function () {
  this.timeout(20_000);
  const pki = testPki();
  const leaf = pki.leaf("p256");

  for (const suite of SUITES) {
    for (const group of GROUPS) {
      it(`openssl s_server, gnutls-serv, node: ${suite.name} ${group.openssl}`, async () => {
        const port = await freePort();
        const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` }, [
          "-tls1_3",
          "-ciphersuites",
          suite.name,
          "-groups",
          group.openssl,
        ]);
        try {
          const r = await morganaGet(port);
          assert.match(r.text, new RegExp(`Cipher is ${suite.name}`));
          assert.equal(r.session.suite, suite.name);
          assert.equal(r.session.group, group.name);
          assert.equal(r.session.peer, "CN=localhost p256");
        } finally {
          ossl.kill();
        }

        const gport = await freePort();
        const gnutls = await startServer(
          "gnutls-serv",
          [
            "--http",
            "-p",
            String(gport),
            "--x509certfile",
            leaf.chainFile,
            "--x509keyfile",
            leaf.keyFile,
            "--priority",
            `NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+${suite.gnutls}:-GROUP-ALL:+${group.gnutls}`,
          ],
          /IPv4.*done/,
        );
        try {
          const r = await morganaGet(gport);
          assert.match(r.text, /HTTP\/1\.[01] 200/);
          assert.equal(r.session.suite, suite.name);
          assert.equal(r.session.group, group.name);
        } finally {
          gnutls.kill();
        }

        const node = createServer(
          {
            cert: readFileSync(leaf.chainFile),
            key: readFileSync(leaf.keyFile),
            minVersion: "TLSv1.3",
            ciphers: suite.name,
            ecdhCurve: group.openssl,
          },
          (s) => {
            s.once("data", () => s.end("HTTP/1.0 200 OK\r\n\r\nfrom node\n"));
          },
        );
        node.listen(0, "127.0.0.1");
        await once(node, "listening");
        try {
          const r = await morganaGet((node.address() as AddressInfo).port);
          assert.match(r.text, /from node/);
          assert.equal(r.session.suite, suite.name);
          assert.equal(r.session.group, group.name);
        } finally {
          node.close();
        }
      });
    }
  }

  it("HelloRetryRequest: the client shares X25519, s_server only takes P-256", async () => {
    const port = await freePort();
    const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` }, [
      "-groups",
      "P-256",
    ]);
    try {
      const r = await morganaGet(port);
      assert.equal(r.session.group, "secp256r1");
      assert.match(r.text, /TLSv1.3/);
    } finally {
      ossl.kill();
    }
  });

  it("resumption with a ticket from s_server, and the portable provider", async () => {
    const port = await freePort();
    const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` });
    try {
      const c = createNobleProvider(seededRandom(5));
      const sessions: ClientSession[] = [];
      const stack = createHostStack();
      const get = async (session?: (typeof sessions)[0]) => {
        const flow = await stack.tcp.connect({ address: "127.0.0.1", port });
        const tls = await TlsFlow.client(
          flow,
          {
            crypto: c,
            serverName: "localhost",
            verifier: verifierFor(c),
            ...(session ? { session } : {}),
          },
          { onEvent: (e) => e.type === "session-ticket" && sessions.push(e.session) },
        );
        await tls.write(utf8Encode("GET / HTTP/1.0\r\n\r\n"));
        let text = "";
        for (let d = await tls.read(); d !== null; d = await tls.read()) text += utf8Decode(d);
        await tls.close();
        return { text, resumed: tls.session.resumed };
      };
      const first = await get();
      assert.equal(first.resumed, false);
      assert.ok(sessions.length > 0, "s_server sent a ticket");
      const second = await get(sessions[0]);
      assert.equal(second.resumed, true);
      assert.match(second.text, /Reused, TLSv1.3/);
      await stack.close();
    } finally {
      ossl.kill();
    }
  });
});

describe("e2e: TLS 1.3 interop, post-handshake and requests", function () {
  this.timeout(20_000);
  const pki = testPki();
  const leaf = pki.leaf("p256");

  it("KeyUpdate from s_client ('k' command) is read, answered, and data still flows", async () => {
    const server = await morganaServer({});
    try {
      // s_client reads a line "k" as "send KeyUpdate"; the request follows under the new key.
      const r = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`),
        ["k\n", GET],
        HELLO,
      );
      assert.match(r.err, /KEYUPDATE/, r.out + r.err);
      assert.match(r.out, HELLO);
      assert.deepEqual(server.failures, []);
    } finally {
      await server.close();
    }
  });

  it("a server that asks for a client certificate gets an empty one (s_server -verify)", async () => {
    const port = await freePort();
    const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` }, [
      "-verify",
      "1",
    ]);
    try {
      const r = await morganaGet(port);
      assert.match(r.text, /no client certificate available/);
    } finally {
      ossl.kill();
    }
  });

  it("the client's KeyUpdate is accepted by s_server", async () => {
    const port = await freePort();
    const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` });
    const stack = createHostStack();
    try {
      const flow = await stack.tcp.connect({ address: "127.0.0.1", port });
      const events: string[] = [];
      const tls = await TlsFlow.client(
        flow,
        { crypto: nodeCrypto, serverName: "localhost", verifier: verifierFor(nodeCrypto) },
        { onEvent: (e) => e.type === "key-update" && events.push(e.direction) },
      );
      await tls.updateKeys(true);
      await tls.write(utf8Encode("GET / HTTP/1.0\r\n\r\n"));
      let text = "";
      for (let d = await tls.read(); d !== null; d = await tls.read()) text += utf8Decode(d);
      await tls.close();
      assert.match(text, /TLSv1.3/);
      // Ours first; then s_server's answer to update_requested, read before its page.
      assert.deepEqual(events, ["write", "read"]);
    } finally {
      ossl.kill();
      await stack.close();
    }
  });
});

describe("e2e: TLS 1.2 interop, Morgana as the server", function () {
  this.timeout(20_000);
  const pki = testPki();

  for (const suite of SUITES12) {
    it(`openssl s_client (each group), curl, gnutls-cli, node over ${suite.name}`, async () => {
      for (const group of GROUPS) {
        // RFC 8422 §5.1.1: the client's groups also bound the certificate's curve (P-256).
        const server = await morganaServer({ kind: suite.kind, groups: [group.id, 0x0017] });
        try {
          const want = new RegExp(`hello over ${suite.name} ${group.name}`);
          const groups =
            suite.kind === "p256" && group.openssl !== "P-256"
              ? `${group.openssl}:P-256`
              : group.openssl;
          const ossl = await runClient(
            "openssl",
            sClient(server.port, `${pki.dir}/ca.pem`, [
              "-tls1_2",
              "-cipher",
              suite.openssl,
              "-groups",
              groups,
              "-verify_return_error",
            ]),
            GET,
            want,
          );
          assert.match(ossl.out, want, ossl.out + ossl.err);
          assert.match(ossl.out, /Extended master secret: yes/);
          assert.match(ossl.out, /Secure Renegotiation IS supported/);
          if (group.id !== 0x001d) continue;
          const curl = await runClient(
            "curl",
            [
              "-sS",
              "--cacert",
              `${pki.dir}/ca.pem`,
              "--resolve",
              `localhost:${server.port}:127.0.0.1`,
              "--tlsv1.2",
              "--tls-max",
              "1.2",
              "--ciphers",
              suite.openssl,
              `https://localhost:${server.port}/`,
            ],
            "",
            HELLO,
          );
          assert.match(curl.out, want, curl.err);
          const gnutls = await runClient(
            "gnutls-cli",
            [
              "--x509cafile",
              `${pki.dir}/ca.pem`,
              "-p",
              String(server.port),
              "--priority",
              `NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+${suite.gnutls}`,
              "localhost",
            ],
            GET,
            HELLO,
          );
          assert.match(gnutls.out, want, gnutls.out + gnutls.err);
          const sock = connect({
            port: server.port,
            host: "127.0.0.1",
            servername: "localhost",
            ca: pki.caPem,
            maxVersion: "TLSv1.2",
            ciphers: suite.openssl,
          });
          await once(sock, "secureConnect");
          assert.equal(sock.getProtocol(), "TLSv1.2");
          sock.write(GET);
          let text = "";
          sock.on("data", (d) => {
            text += d.toString();
          });
          await once(sock, "end");
          assert.match(text, want);
          sock.destroy();
          assert.deepEqual(server.failures, []);
          for (const s of server.sessions) assert.equal(s.version, "TLSv1.2");
        } finally {
          await server.close();
        }
      }
    });
  }

  it("an ECDSA certificate's curve the client does not accept: handshake_failure", async () => {
    const server = await morganaServer({});
    try {
      const r = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-tls1_2", "-groups", "X25519"]),
        GET,
        /alert/,
      );
      assert.match(r.err, /handshake failure/, r.err);
    } finally {
      await server.close();
    }
  });

  it("renegotiation is refused with a warning, and the connection goes on", async () => {
    const server = await morganaServer({});
    try {
      const r = await runClient(
        "openssl",
        sClient(server.port, `${pki.dir}/ca.pem`, ["-tls1_2"]),
        ["R\n", GET],
        HELLO,
      );
      assert.match(r.out + r.err, /RENEGOTIATING/);
      assert.match(r.out + r.err, /no renegotiation|no_renegotiation/i);
    } finally {
      await server.close();
    }
  });

  it("TLS 1.1 and 1.0 are refused (RFC 8996)", async () => {
    const server = await morganaServer({});
    try {
      const r = await runClient(
        "openssl",
        [
          "s_client",
          "-connect",
          `127.0.0.1:${server.port}`,
          "-tls1_1",
          "-cipher",
          "DEFAULT@SECLEVEL=0",
          "-servername",
          "localhost",
        ],
        GET,
        /alert|error/i,
      );
      assert.doesNotMatch(r.out, HELLO);
      assert.equal(server.sessions.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe("e2e: key log lines match OpenSSL's own", function () {
  this.timeout(20_000);
  const pki = testPki();
  for (const version of ["-tls1_3", "-tls1_2"]) {
    it(`${version}: every secret s_client logs, our server logs identically (SSLKEYLOGFILE format)`, async () => {
      const ours: string[] = [];
      const server = await morganaServer({ keyLog: (l) => ours.push(l) });
      const file = `${pki.dir}/keys-${server.port}.log`;
      try {
        await runClient(
          "openssl",
          sClient(server.port, `${pki.dir}/ca.pem`, [version, "-keylogfile", file]),
          GET,
          HELLO,
        );
        const theirs = readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l && !l.startsWith("#"));
        assert.ok(theirs.length >= (version === "-tls1_3" ? 5 : 1), theirs.join("\n"));
        for (const line of theirs)
          assert.ok(ours.includes(line), `${line} not in ours:\n${ours.join("\n")}`);
      } finally {
        await server.close();
      }
    });
  }
});

describe("e2e: TLS 1.2 interop, Morgana as the client", function () {
  this.timeout(20_000);
  const pki = testPki();
  for (const c of SUITES12) {
    it(`openssl s_server, gnutls-serv and node offering only TLS 1.2: ${c.name}`, async () => {
      const leaf = pki.leaf(c.kind);
      const port = await freePort();
      const ossl = await opensslWww(port, { ...leaf, chainFile: `${pki.dir}/int.pem` }, [
        "-tls1_2",
        "-cipher",
        c.openssl,
      ]);
      try {
        const r = await morganaGet(port);
        assert.match(r.text, /Protocol {2}: TLSv1.2/);
        assert.match(r.text, /Extended master secret: yes/);
        assert.equal(r.session.version, "TLSv1.2");
        assert.equal(r.session.suite, c.name);
        assert.equal(r.session.peer, `CN=localhost ${c.kind}`);
      } finally {
        ossl.kill();
      }
      const gport = await freePort();
      const gnutls = await startServer(
        "gnutls-serv",
        [
          "--http",
          "-p",
          String(gport),
          "--x509certfile",
          leaf.chainFile,
          "--x509keyfile",
          leaf.keyFile,
          "--priority",
          `NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+${c.gnutls}`,
        ],
        /IPv4.*done/,
      );
      try {
        const r = await morganaGet(gport);
        assert.match(r.text, /HTTP\/1\.[01] 200/);
        assert.equal(r.session.suite, c.name);
      } finally {
        gnutls.kill();
      }
      const node = createServer(
        {
          cert: readFileSync(leaf.chainFile),
          key: readFileSync(leaf.keyFile),
          maxVersion: "TLSv1.2",
          ciphers: c.openssl,
        },
        (s) => {
          s.once("data", () => s.end("HTTP/1.0 200 OK\r\n\r\nfrom node\n"));
        },
      );
      node.listen(0, "127.0.0.1");
      await once(node, "listening");
      try {
        const r = await morganaGet((node.address() as AddressInfo).port);
        assert.match(r.text, /from node/);
        assert.equal(r.session.suite, c.name);
      } finally {
        node.close();
      }
    });
  }

  it("a client offering TLS 1.3 only refuses a TLS 1.2 server: protocol_version", async () => {
    const leaf = pki.leaf("p256");
    const port = await freePort();
    const ossl = await opensslWww(port, { ...leaf }, ["-tls1_2"]);
    try {
      await assert.rejects(morganaGet(port, { tls12: false }), (e: Error) =>
        /protocol[-_]version/.test(e.message),
      );
    } finally {
      ossl.kill();
    }
  });
});
