/** Client and server engines wired in memory: every suite x group x key kind, both providers. */
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../../stack/bytes/index.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import { TlsServer } from "../../../stack/tls/server.ts";
import { NamedGroup } from "../../../stack/tls/wire.ts";
import { providers } from "../crypto/providers.ts";
import { type KeyKind, pump, serverCredentials, verifierFor } from "./helpers.ts";

const GROUPS = [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1];

for (const c of providers) {
  describe(`TLS 1.3 in memory (${c.name})`, function () {
    this.timeout(20000);
    for (const suite of [0x1301, 0x1302, 0x1303]) {
      for (const group of GROUPS) {
        it(`suite ${suite.toString(16)} group ${group.toString(16)}: handshake, data both ways, close`, () => {
          const client = new TlsClient({
            crypto: c,
            serverName: "localhost",
            verifier: verifierFor(c),
            cipherSuites: [suite],
            groups: [group],
          });
          const server = new TlsServer({
            crypto: c,
            credentials: serverCredentials(c, "p256"),
            groups: [group],
          });
          const seen = pump(client, server, client.start().records);
          assert.equal(client.status, "open", JSON.stringify(client.failure));
          assert.equal(server.status, "open", JSON.stringify(server.failure));
          const s = client.summary();
          assert.equal(
            s.suite,
            {
              4865: "TLS_AES_128_GCM_SHA256",
              4866: "TLS_AES_256_GCM_SHA384",
              4867: "TLS_CHACHA20_POLY1305_SHA256",
            }[suite],
          );
          assert.equal(s.peer, "CN=localhost p256");
          assert.equal(server.summary().sni, "localhost");
          assert.ok(seen.aEvents.some((e) => e.type === "handshake-complete"));
          const big = new Uint8Array(40000).map((_, i) => i & 0xff);
          const fromClient = pump(client, server, client.send(big).records);
          assert.deepEqual(Buffer.concat(fromClient.bData), Buffer.from(big));
          const fromServer = pump(server, client, server.send(utf8Encode("hello")).records);
          assert.equal(utf8Decode(fromServer.bData[0] as Uint8Array), "hello");
          pump(client, server, client.close().records);
          assert.equal(server.readClosed, true);
        });
      }
    }
    for (const kind of ["p384", "rsa", "ed25519"] as KeyKind[]) {
      it(`server key ${kind}: CertificateVerify made and checked`, () => {
        const client = new TlsClient({
          crypto: c,
          serverName: "localhost",
          verifier: verifierFor(c),
        });
        const server = new TlsServer({ crypto: c, credentials: serverCredentials(c, kind) });
        pump(client, server, client.start().records);
        assert.equal(client.status, "open", JSON.stringify(client.failure));
        assert.equal(client.summary().peer, `CN=localhost ${kind}`);
      });
    }
  });
}
