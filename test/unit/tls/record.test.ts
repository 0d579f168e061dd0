/**
 * The record layer's write path: content given as several buffers is cut into records across
 * them, each record built and sealed in one buffer (in place where the provider can), and
 * what it writes reads back through a second record layer, in TLS 1.3 and TLS 1.2. Also the
 * default cipher suite order, which follows the provider's fastest AEAD.
 */
import assert from "node:assert/strict";
import { concatBytes } from "../../../stack/bytes/index.ts";
import type { AeadAlgorithm, CryptoProvider } from "../../../stack/crypto/provider.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import { trafficKeys } from "../../../stack/tls/keyschedule.ts";
import { MAX_PLAINTEXT, parseRecord, RecordLayer } from "../../../stack/tls/record.ts";
import { TlsServer } from "../../../stack/tls/server.ts";
import {
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
} from "../../../stack/tls/suites.ts";
import { ContentType } from "../../../stack/tls/wire.ts";
import { rng } from "../../helpers/rng.ts";
import { providers } from "../crypto/providers.ts";
import { pump, serverCredentials, verifierFor } from "./helpers.ts";

const next = rng(0x7ec0);
function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

/** The provider with `sealInPlace` taken away: the record layer must fall back to `seal`. */
function withoutSealInPlace(c: CryptoProvider): CryptoProvider {
  return {
    ...c,
    aead(algorithm, key) {
      const k = c.aead(algorithm, key);
      return {
        algorithm,
        seal: (n, a, p) => k.seal(n, a, p),
        open: (n, a, ct) => k.open(n, a, ct),
      };
    },
  };
}

/** Every record of `records` read back by `reader`: the contents in order, and the types. */
function readBack(
  reader: RecordLayer,
  records: Uint8Array[],
): { content: Uint8Array; types: number[] } {
  const parts: Uint8Array[] = [];
  const types: number[] = [];
  for (const rec of records) {
    const r = parseRecord(rec, 0, rec.length);
    assert.equal(r.kind, "record");
    if (r.kind !== "record") return { content: new Uint8Array(0), types };
    assert.equal(r.size, rec.length, "one buffer is exactly one record");
    const { type, content } = reader.unprotect(r.header, r.body);
    types.push(type);
    parts.push(content.slice());
  }
  return { content: concatBytes(parts), types };
}

/** Chunks crossing record boundaries: empty ones, a small head, a body over 2^14. */
function chunks(): Uint8Array[] {
  return [
    randomBytes(117),
    new Uint8Array(0),
    randomBytes(20_000),
    randomBytes(5),
    randomBytes(16_379),
  ];
}

for (const c of providers) {
  describe(`record layer writes (${c.name})`, () => {
    for (const suite of [
      TLS_AES_128_GCM_SHA256,
      TLS_CHACHA20_POLY1305_SHA256,
      TLS_AES_256_GCM_SHA384,
    ]) {
      it(`TLS 1.3 ${suite.name}: buffers cut into full records across them, read back whole`, () => {
        const secret = randomBytes(suite.hashLength);
        const writer = new RecordLayer();
        writer.setWriteKeys(trafficKeys(c, suite, secret));
        const reader = new RecordLayer();
        reader.setReadKeys(trafficKeys(c, suite, secret));
        const data = chunks();
        const out: Uint8Array[] = [];
        writer.write(ContentType.applicationData, data, out);
        const total = data.reduce((n, d) => n + d.length, 0);
        assert.equal(out.length, Math.ceil(total / MAX_PLAINTEXT));
        for (const rec of out.slice(0, -1)) assert.equal(rec.length, 5 + MAX_PLAINTEXT + 1 + 16);
        const back = readBack(reader, out);
        assert.deepEqual(back.content, concatBytes(data));
        assert.ok(back.types.every((t) => t === ContentType.applicationData));

        // The same bytes as one buffer, and through `seal` instead of `sealInPlace`.
        for (const p of [c, withoutSealInPlace(c)]) {
          const again = new RecordLayer();
          again.setWriteKeys(trafficKeys(p, suite, secret));
          const whole: Uint8Array[] = [];
          again.write(ContentType.applicationData, concatBytes(data), whole);
          assert.deepEqual(whole, out);
        }
      });
    }

    it("TLS 1.3: the send limit bounds every record; empty content is one empty record", () => {
      const secret = randomBytes(32);
      const writer = new RecordLayer();
      writer.setWriteKeys(trafficKeys(c, TLS_AES_128_GCM_SHA256, secret));
      writer.sendLimit = 100;
      const reader = new RecordLayer();
      reader.setReadKeys(trafficKeys(c, TLS_AES_128_GCM_SHA256, secret));
      const out: Uint8Array[] = [];
      writer.write(
        ContentType.applicationData,
        [randomBytes(60), randomBytes(60), randomBytes(81)],
        out,
      );
      assert.deepEqual(
        out.map((r) => r.length - 5 - 17),
        [100, 100, 1],
      );
      writer.write(ContentType.alert, [], out);
      const last = readBack(reader, out);
      assert.equal(last.content.length, 201);
      assert.deepEqual(last.types, [23, 23, 23, ContentType.alert]);
    });

    it("records stay intact after many more are written (no buffer is reused)", () => {
      const secret = randomBytes(32);
      const writer = new RecordLayer();
      writer.setWriteKeys(trafficKeys(c, TLS_AES_128_GCM_SHA256, secret));
      const out: Uint8Array[] = [];
      const sent: Uint8Array[] = [];
      const copies: Uint8Array[] = [];
      for (let i = 0; i < 60; i++) {
        const d = randomBytes(1 + Math.floor(next() * 6000));
        sent.push(d);
        const some: Uint8Array[] = [];
        writer.write(ContentType.applicationData, d, some);
        for (const r of some) copies.push(r.slice());
        out.push(...some);
      }
      // Over 64 KiB written since the first: each record still holds the bytes it was made with.
      assert.deepEqual(out, copies);
      const reader = new RecordLayer();
      reader.setReadKeys(trafficKeys(c, TLS_AES_128_GCM_SHA256, secret));
      assert.deepEqual(readBack(reader, out).content, concatBytes(sent));
    });

    for (const [aead, ivLength] of [
      ["aes-128-gcm", 4],
      ["chacha20-poly1305", 12],
    ] as [AeadAlgorithm, number][]) {
      it(`TLS 1.2 ${aead}: outer type kept, ${ivLength === 4 ? "explicit nonce" : "XORed IV"}, read back`, () => {
        const key = randomBytes(aead === "aes-128-gcm" ? 16 : 32);
        const iv = randomBytes(ivLength);
        const writer = new RecordLayer();
        writer.tls12 = true;
        writer.setWriteKeys({ aead: c.aead(aead, key), iv });
        const reader = new RecordLayer();
        reader.tls12 = true;
        reader.setReadKeys({ aead: c.aead(aead, key), iv });
        const data = chunks();
        const out: Uint8Array[] = [];
        writer.write(ContentType.handshake, [Uint8Array.of(20, 0, 0, 1, 7)], out);
        writer.write(ContentType.applicationData, data, out);
        assert.equal(out[0]?.[0], ContentType.handshake);
        // GCM's explicit nonce is the sequence number (RFC 5288 §3): 1 for the second record.
        if (ivLength === 4)
          assert.deepEqual(out[1]?.subarray(5, 13), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1));
        const back = readBack(reader, out);
        assert.deepEqual(back.content, concatBytes([Uint8Array.of(20, 0, 0, 1, 7), ...data]));
        assert.equal(back.types[0], ContentType.handshake);

        const again = new RecordLayer();
        again.tls12 = true;
        again.setWriteKeys({ aead: withoutSealInPlace(c).aead(aead, key), iv });
        const same: Uint8Array[] = [];
        again.write(ContentType.handshake, Uint8Array.of(20, 0, 0, 1, 7), same);
        again.write(ContentType.applicationData, concatBytes(data), same);
        assert.deepEqual(same, out);
      });
    }
  });
}

describe("default cipher suite order follows the provider's fastest AEAD", () => {
  const [noble, node] = providers as [CryptoProvider, CryptoProvider];
  const handshake = (client: CryptoProvider, server: CryptoProvider, serverSuites?: number[]) => {
    const cl = new TlsClient({
      crypto: client,
      serverName: "localhost",
      verifier: verifierFor(client),
    });
    const sv = new TlsServer({
      crypto: server,
      credentials: serverCredentials(server, "p256"),
      ...(serverSuites ? { cipherSuites: serverSuites } : {}),
    });
    pump(cl, sv, cl.start().records);
    assert.equal(cl.status, "open", JSON.stringify(cl.failure));
    return sv.summary().suite;
  };

  it("the portable provider's server chooses ChaCha20-Poly1305; node:crypto's AES-128-GCM", () => {
    assert.deepEqual(noble.aeadPreference, ["chacha20-poly1305"]);
    assert.equal(handshake(node, noble), "TLS_CHACHA20_POLY1305_SHA256");
    assert.equal(handshake(node, node), "TLS_AES_128_GCM_SHA256");
    // A client on the portable provider offers ChaCha20-Poly1305 first; the server still decides.
    assert.equal(handshake(noble, node), "TLS_AES_128_GCM_SHA256");
  });

  it("a configured suite list wins over the provider's preference", () => {
    assert.equal(handshake(node, noble, [0x1301, 0x1303]), "TLS_AES_128_GCM_SHA256");
    assert.equal(handshake(noble, noble, [0x1302]), "TLS_AES_256_GCM_SHA384");
  });
});
