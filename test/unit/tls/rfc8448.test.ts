/**
 * RFC 8448 §3 reproduced byte for byte: our server given the trace's ClientHello, random,
 * X25519 key and RSA key answers with the trace's records; our client given the trace's
 * random and key sends the trace's ClientHello and, fed the server's records, its Finished.
 */
import assert from "node:assert/strict";
import { concatBytes, fromHex, toHex } from "../../../stack/bytes/index.ts";
import { createNobleProvider } from "../../../stack/crypto/noble.ts";
import type { CryptoProvider, PrivateKey } from "../../../stack/crypto/provider.ts";
import { i2osp, modPow, os2ip } from "../../../stack/crypto/rsa.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import type { CertificateVerifier } from "../../../stack/tls/config.ts";
import { TlsServer } from "../../../stack/tls/server.ts";
import { nameToString, parseCertificate } from "../../../stack/x509/index.ts";
import { providers, seededRandom } from "../crypto/providers.ts";
import { V } from "./rfc8448.vectors.ts";

const GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];
const SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402,
  0x0502, 0x0602, 0x0202,
];
const payload = new Uint8Array(50).map((_, i) => i);
const certDer = fromHex(V.certificate).subarray(4 + 1 + 3 + 3, 4 + 1 + 3 + 3 + 0x1b0);

/** Random bytes from a queue of fixed values, then a seeded generator. */
function queued(...chunks: string[]) {
  const q = chunks.map(fromHex);
  const rest = seededRandom(1);
  return (buf: Uint8Array) => {
    const next = q.shift();
    if (next) {
      assert.equal(next.length, buf.length, "the engine drew randomness in a different order");
      buf.set(next);
      return buf;
    }
    return rest.fill(buf);
  };
}

/** The PSS salt inside the trace's CertificateVerify signature (RFC 8017 §9.1.2 steps 7-9). */
function traceSalt(c: CryptoProvider): Uint8Array {
  const sig = fromHex(V.certificateVerify).subarray(8);
  const em = i2osp(
    modPow(os2ip(sig), os2ip(fromHex(V.rsa.e)), os2ip(fromHex(V.rsa.n))),
    128,
  ) as Uint8Array;
  const maskedDb = em.subarray(0, 95);
  const h = em.subarray(95, 127);
  const mask = concatBytes(
    [0, 1, 2].map((i) => c.hash("sha256", concatBytes([h, Uint8Array.of(0, 0, 0, i)]))),
  );
  const db = maskedDb.map((b, i) => b ^ (mask[i] as number));
  db[0] = (db[0] as number) & 0x7f;
  return db.subarray(95 - 32);
}

const rsaKey: PrivateKey = {
  kind: "rsa",
  n: fromHex(V.rsa.n),
  e: fromHex(V.rsa.e),
  d: fromHex(V.rsa.d),
  p: fromHex(V.rsa.p),
  q: fromHex(V.rsa.q),
  dp: fromHex(V.rsa.dp),
  dq: fromHex(V.rsa.dq),
  qi: fromHex(V.rsa.qi),
};

/** Accepts exactly the trace's certificate (pinning): it expired in 2026 and names "rsa". */
const pinned: CertificateVerifier = (chain) => {
  const leaf = chain[0];
  if (chain.length !== 1 || !leaf || toHex(leaf) !== toHex(certDer)) {
    return { ok: false, failure: "bad-certificate", reason: "not the pinned certificate" };
  }
  const cert = parseCertificate(leaf);
  if (!cert.ok || !cert.value.publicKey)
    return { ok: false, failure: "bad-certificate", reason: "unparsable" };
  return { ok: true, publicKey: cert.value.publicKey, subject: nameToString(cert.value.subject) };
};

for (const c of providers) {
  describe(`RFC 8448 simple 1-RTT handshake, byte-exact (${c.name})`, () => {
    it("the RSA key is consistent (p q = n)", () => {
      assert.equal(
        os2ip(rsaKey.kind === "rsa" ? rsaKey.p : new Uint8Array()) * os2ip(fromHex(V.rsa.q)),
        os2ip(fromHex(V.rsa.n)),
      );
    });

    it("server: ServerHello, the encrypted flight, application data and close_notify", () => {
      const salt = traceSalt(c);
      // The signer draws the PSS salt from its own generator: give it the trace's.
      const signer = createNobleProvider({
        fill(b) {
          b.set(salt.subarray(0, b.length));
          return b;
        },
      });
      const keyLog: string[] = [];
      const server = new TlsServer({
        crypto: c,
        random: queued(V.serverHelloRecord.slice(22, 86), V.serverPrivate),
        groups: GROUPS,
        // The trace's server chose TLS_AES_128_GCM_SHA256; the portable provider's default
        // order would choose ChaCha20-Poly1305 (its fastest AEAD).
        cipherSuites: [0x1301, 0x1303, 0x1302],
        credentials: {
          chain: [certDer],
          schemes: [0x0804],
          sign: (_scheme, msg) => signer.sign({ kind: "rsa-pss", hash: "sha256" }, rsaKey, msg),
        },
        ticketKey: new Uint8Array(32).fill(9),
        keyLog: (l) => keyLog.push(l),
      });
      const first = server.handle(fromHex(V.clientHelloRecord));
      assert.deepEqual(first.records.map(toHex), [V.serverHelloRecord, V.serverFlightRecord]);
      const random = V.clientHelloRecord.slice(22, 86);
      assert.ok(keyLog.includes(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${random} ${V.secrets.clientHs}`));
      assert.ok(keyLog.includes(`SERVER_HANDSHAKE_TRAFFIC_SECRET ${random} ${V.secrets.serverHs}`));
      assert.ok(keyLog.includes(`CLIENT_TRAFFIC_SECRET_0 ${random} ${V.secrets.clientAp}`));
      assert.ok(keyLog.includes(`SERVER_TRAFFIC_SECRET_0 ${random} ${V.secrets.serverAp}`));
      const fin = server.handle(fromHex(V.clientFinishedRecord));
      assert.equal(server.status, "open", JSON.stringify(server.failure));
      assert.equal(fin.records.length, 1); // our own ticket, at sequence 0 as the trace's
      assert.deepEqual(server.send(payload).records.map(toHex), [V.serverAppRecord]);
      assert.deepEqual(server.handle(fromHex(V.clientAppRecord)).data, [payload]);
      assert.deepEqual(server.close().records.map(toHex), [V.serverAlertRecord]);
    });

    it("client: ClientHello, Finished, application data and close_notify", () => {
      const client = new TlsClient({
        crypto: c,
        random: queued(V.clientHelloRecord.slice(22, 86), V.clientPrivate),
        serverName: "server",
        verifier: pinned,
        middleboxCompat: false,
        cipherSuites: [0x1301, 0x1303, 0x1302],
        groups: GROUPS,
        keyShareGroups: [0x001d],
        signatureSchemes: SCHEMES,
        legacySessionTicketExtension: true,
      });
      assert.deepEqual(client.start().records.map(toHex), [V.clientHelloRecord]);
      const out = client.handle(fromHex(V.serverHelloRecord + V.serverFlightRecord));
      assert.equal(client.status, "open", JSON.stringify(client.failure));
      assert.deepEqual(out.records.map(toHex), [V.clientFinishedRecord]);
      assert.equal(client.summary().peer, "CN=rsa");
      const ticket = client.handle(fromHex(V.ticketRecord));
      assert.equal(ticket.events[0]?.type, "session-ticket");
      assert.deepEqual(client.send(payload).records.map(toHex), [V.clientAppRecord]);
      assert.deepEqual(client.handle(fromHex(V.serverAppRecord)).data, [payload]);
      assert.deepEqual(client.close().records.map(toHex), [V.clientAlertRecord]);
      const closed = client.handle(fromHex(V.serverAlertRecord));
      assert.deepEqual(closed.events, [{ type: "close-notify" }]);
      assert.equal(client.status, "closed");
    });

    it("client: the same server records split at every 37th byte still give the trace's Finished", () => {
      const bytes = fromHex(V.serverHelloRecord + V.serverFlightRecord);
      for (let cut = 1; cut < bytes.length; cut += 37) {
        const client = new TlsClient({
          crypto: c,
          random: queued(V.clientHelloRecord.slice(22, 86), V.clientPrivate),
          serverName: "server",
          verifier: pinned,
          middleboxCompat: false,
          cipherSuites: [0x1301, 0x1303, 0x1302],
          groups: GROUPS,
          keyShareGroups: [0x001d],
          signatureSchemes: SCHEMES,
          legacySessionTicketExtension: true,
        });
        client.start();
        const a = client.handle(bytes.subarray(0, cut));
        const b = client.handle(bytes.subarray(cut));
        assert.deepEqual(
          [...a.records, ...b.records].map(toHex),
          [V.clientFinishedRecord],
          `cut at ${cut}`,
        );
      }
    });
  });
}
