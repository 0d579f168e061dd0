/**
 * Malformed and hostile input: every case ends in the right alert (RFC 8446 §6.2), with no
 * exception and no hang. An "evil peer" re-encrypts real flights with the keys the key log
 * gives, so broken messages arrive where a real peer's would.
 */
import assert from "node:assert/strict";
import { concatBytes, fromHex } from "../../../stack/bytes/index.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import type { TlsOutput } from "../../../stack/tls/config.ts";
import type { TlsFailure } from "../../../stack/tls/errors.ts";
import { trafficKeys } from "../../../stack/tls/keyschedule.ts";
import {
  decodeClientHello,
  type Extension,
  encodeClientHello,
  encodeServerHello,
  splitMessages,
} from "../../../stack/tls/messages.ts";
import { RecordLayer } from "../../../stack/tls/record.ts";
import { TlsServer } from "../../../stack/tls/server.ts";
import { TLS_AES_128_GCM_SHA256 } from "../../../stack/tls/suites.ts";
import { AlertDescription, ContentType, ExtensionType } from "../../../stack/tls/wire.ts";
import { providers } from "../crypto/providers.ts";
import { serverCredentials, verifierFor } from "./helpers.ts";

const c = providers[1] as (typeof providers)[1];
const suite = TLS_AES_128_GCM_SHA256;

function secretOf(log: string[], label: string): Uint8Array {
  const line = log.find((l) => l.startsWith(`${label} `));
  assert.ok(line, label);
  return fromHex(line.split(" ")[2] as string);
}

function newClient(log: string[] = []) {
  return new TlsClient({
    crypto: c,
    serverName: "localhost",
    verifier: verifierFor(c),
    middleboxCompat: false,
    cipherSuites: [suite.id],
    keyLog: (l) => log.push(l),
  });
}
function newServer(log: string[] = []) {
  return new TlsServer({
    crypto: c,
    credentials: serverCredentials(c, "p256"),
    keyLog: (l) => log.push(l),
  });
}

/** Protects `content` as `type` records under `secret` (sequence numbers from `skip`). */
function protect(secret: Uint8Array, type: number, content: Uint8Array, skip = 0): Uint8Array {
  const rl = new RecordLayer();
  rl.setWriteKeys(trafficKeys(c, suite, secret));
  const out: Uint8Array[] = [];
  for (let i = 0; i < skip; i++) rl.write(ContentType.applicationData, new Uint8Array(1), []);
  rl.write(type, content, out);
  return concatBytes(out);
}

/** The alert in a plaintext or protected output record is what failure names; nothing thrown. */
function expectFailure(engine: TlsClient | TlsServer, out: TlsOutput, failure: TlsFailure): void {
  assert.equal(engine.status, "closed");
  assert.equal(engine.failure?.failure, failure, engine.failure?.reason);
  assert.ok(out.events.some((e) => e.type === "alert-sent"));
}

/** A client that has sent its hello and read the real ServerHello; the evil server's flight follows. */
function clientAfterServerHello() {
  const log: string[] = [];
  const client = newClient(log);
  const server = newServer();
  const flight = server.handle(concatBytes(client.start().records)).records;
  const sh = flight[0] as Uint8Array;
  client.handle(sh);
  const secret = secretOf(log, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
  const reader = new RecordLayer();
  reader.setReadKeys(trafficKeys(c, suite, secret));
  const enc = flight[1] as Uint8Array;
  const plain = reader.unprotect(enc.subarray(0, 5), enc.subarray(5)).content;
  const split = splitMessages(plain, 1 << 20);
  assert.ok("messages" in split);
  const [ee, cert, cv, fin] = split.messages.map((m) => m.raw.slice()) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  return { client, secret, ee, cert, cv, fin, enc };
}

function reheader(type: number, body: Uint8Array): Uint8Array {
  return Uint8Array.of(
    type,
    body.length >> 16,
    (body.length >> 8) & 0xff,
    body.length & 0xff,
    ...body,
  );
}

describe("TLS 1.3 client against a hostile server", () => {
  const cases: [
    string,
    (m: ReturnType<typeof clientAfterServerHello>) => Uint8Array[],
    TlsFailure,
  ][] = [
    [
      "Certificate before EncryptedExtensions",
      (m) => [m.cert, m.ee, m.cv, m.fin],
      "unexpected-message",
    ],
    ["no CertificateVerify", (m) => [m.ee, m.cert, m.fin], "unexpected-message"],
    ["no Certificate", (m) => [m.ee, m.cv, m.fin], "unexpected-message"],
    [
      "Finished with one bit flipped",
      (m) => [m.ee, m.cert, m.cv, flip(m.fin, m.fin.length - 1)],
      "decrypt-error",
    ],
    [
      "Finished one byte short",
      (m) => [m.ee, m.cert, m.cv, reheader(20, m.fin.subarray(4, m.fin.length - 1))],
      "decode-error",
    ],
    [
      "CertificateVerify signature altered",
      (m) => [m.ee, m.cert, flip(m.cv, m.cv.length - 3), m.fin],
      "decrypt-error",
    ],
    [
      "CertificateVerify with an unoffered scheme",
      (m) => [m.ee, m.cert, withU16(m.cv, 4, 0x0201), m.fin],
      "illegal-parameter",
    ],
    [
      "EncryptedExtensions whose list overruns",
      (m) => [reheader(8, Uint8Array.of(0, 9, 0, 0)), m.cert, m.cv, m.fin],
      "decode-error",
    ],
    [
      "EncryptedExtensions with key_share",
      (m) => [reheader(8, Uint8Array.of(0, 4, 0, 51, 0, 0)), m.cert, m.cv, m.fin],
      "illegal-parameter",
    ],
    [
      "an unrequested ALPN answer",
      (m) => [reheader(8, Uint8Array.of(0, 7, 0, 16, 0, 3, 0, 1, 0x78)), m.cert, m.cv, m.fin],
      "unsupported-extension",
    ],
    [
      "an empty Certificate",
      (m) => [m.ee, reheader(11, Uint8Array.of(0, 0, 0, 0)), m.cv, m.fin],
      "decode-error",
    ],
    [
      "a NewSessionTicket mid-handshake",
      (m) => [m.ee, reheader(4, new Uint8Array(13)), m.cert],
      "unexpected-message",
    ],
    [
      "an unknown handshake type",
      (m) => [m.ee, reheader(99, new Uint8Array(3))],
      "unexpected-message",
    ],
    [
      "a message after Finished in the same record (key change)",
      (m) => [m.ee, m.cert, m.cv, m.fin, reheader(24, Uint8Array.of(0))],
      "unexpected-message",
    ],
  ];
  for (const [name, build, failure] of cases) {
    it(`${name}: ${failure}`, () => {
      const m = clientAfterServerHello();
      const out = m.client.handle(protect(m.secret, ContentType.handshake, concatBytes(build(m))));
      expectFailure(m.client, out, failure);
    });
  }

  it("a flipped bit in the protected flight: bad_record_mac", () => {
    const m = clientAfterServerHello();
    expectFailure(m.client, m.client.handle(flip(m.enc, 40)), "bad-record-mac");
  });
  it("a protected change_cipher_spec: unexpected_message", () => {
    const m = clientAfterServerHello();
    expectFailure(
      m.client,
      m.client.handle(protect(m.secret, ContentType.changeCipherSpec, Uint8Array.of(1))),
      "unexpected-message",
    );
  });
  it("application data before Finished: unexpected_message", () => {
    const m = clientAfterServerHello();
    expectFailure(
      m.client,
      m.client.handle(protect(m.secret, ContentType.applicationData, Uint8Array.of(1))),
      "unexpected-message",
    );
  });
  it("a record longer than 2^14 + 256: record_overflow", () => {
    const m = clientAfterServerHello();
    expectFailure(
      m.client,
      m.client.handle(Uint8Array.of(23, 3, 3, 0x41, 0x01)),
      "record-overflow",
    );
  });
  it("a protected plaintext over 2^14 bytes: record_overflow", () => {
    const m = clientAfterServerHello();
    // One record of 2^14 + 1 content bytes: made by hand, the record layer would split it.
    const rl = new RecordLayer();
    rl.setWriteKeys(trafficKeys(c, suite, m.secret));
    rl.sendLimit = (1 << 14) + 1;
    const out: Uint8Array[] = [];
    rl.write(ContentType.handshake, new Uint8Array((1 << 14) + 1), out);
    assert.equal(out.length, 1);
    expectFailure(m.client, m.client.handle(out[0] as Uint8Array), "record-overflow");
  });
  it("an unknown record type: unexpected_message", () => {
    const m = clientAfterServerHello();
    expectFailure(
      m.client,
      m.client.handle(Uint8Array.of(99, 3, 3, 0, 1, 0)),
      "unexpected-message",
    );
  });
});

describe("TLS 1.3 client against bad ServerHellos (downgrade and parameters)", () => {
  function serverHello(
    over: { random?: Uint8Array; suite?: number; sessionId?: Uint8Array; exts?: Extension[] },
    ch: Uint8Array,
  ) {
    const hello = decodeClientHello(ch.subarray(9));
    const keyShare = {
      type: ExtensionType.keyShare,
      data: Uint8Array.of(0, 0x1d, 0, 32, ...new Uint8Array(32).fill(9)),
    };
    const sh = encodeServerHello({
      random: over.random ?? new Uint8Array(32).fill(1),
      sessionId: over.sessionId ?? hello.sessionId,
      cipherSuite: over.suite ?? suite.id,
      compressionMethod: 0,
      extensions: over.exts ?? [
        keyShare,
        { type: ExtensionType.supportedVersions, data: Uint8Array.of(3, 4) },
      ],
    });
    return Uint8Array.of(22, 3, 3, sh.length >> 8, sh.length & 0xff, ...sh);
  }
  const downgrade = concatBytes([new Uint8Array(24), fromHex("444f574e47524401")]);
  const cases: [string, Parameters<typeof serverHello>[0], TlsFailure][] = [
    ["TLS 1.2 with the downgrade sentinel", { random: downgrade, exts: [] }, "illegal-parameter"],
    ["TLS 1.2 without it", { exts: [] }, "protocol-version"],
    ["a suite not offered", { suite: 0x1302 }, "illegal-parameter"],
    ["another session id", { sessionId: Uint8Array.of(1) }, "illegal-parameter"],
    [
      "no key_share",
      { exts: [{ type: ExtensionType.supportedVersions, data: Uint8Array.of(3, 4) }] },
      "missing-extension",
    ],
    [
      "supported_versions says 1.2",
      { exts: [{ type: ExtensionType.supportedVersions, data: Uint8Array.of(3, 3) }] },
      "illegal-parameter",
    ],
    [
      "a small-order X25519 share",
      {
        exts: [
          {
            type: ExtensionType.keyShare,
            data: Uint8Array.of(0, 0x1d, 0, 32, ...new Uint8Array(32)),
          },
          { type: ExtensionType.supportedVersions, data: Uint8Array.of(3, 4) },
        ],
      },
      "illegal-parameter",
    ],
  ];
  for (const [name, over, failure] of cases) {
    it(`${name}: ${failure}`, () => {
      const client = newClient();
      const ch = concatBytes(client.start().records);
      expectFailure(client, client.handle(serverHello(over, ch)), failure);
    });
  }
});

describe("TLS 1.3 server against a hostile client", () => {
  function hello(
    edit: (exts: Extension[], h: ReturnType<typeof decodeClientHello>) => void,
  ): Uint8Array {
    const client = newClient();
    const rec = concatBytes(client.start().records);
    const h = decodeClientHello(rec.subarray(9));
    const exts = h.extensions.map((e) => ({ ...e }));
    edit(exts, h);
    const raw = encodeClientHello({ ...h, extensions: exts });
    return Uint8Array.of(22, 3, 1, raw.length >> 8, raw.length & 0xff, ...raw);
  }
  const drop = (t: number) => (exts: Extension[]) =>
    exts.splice(
      exts.findIndex((e) => e.type === t),
      1,
    );
  const cases: [string, () => Uint8Array, TlsFailure][] = [
    [
      "Finished first",
      () => Uint8Array.of(22, 3, 3, 0, 36, 20, 0, 0, 32, ...new Uint8Array(32)),
      "unexpected-message",
    ],
    ["application data first", () => Uint8Array.of(23, 3, 3, 0, 1, 0), "unexpected-message"],
    [
      "a hello offering TLS 1.1 at most (RFC 8996)",
      () =>
        hello((e) => {
          const v = e.find((x) => x.type === ExtensionType.supportedVersions) as Extension;
          v.data = Uint8Array.of(4, 3, 2, 3, 1);
        }),
      "protocol-version",
    ],
    [
      "a TLS 1.2 hello without extended_master_secret (RFC 7627)",
      () => hello(drop(ExtensionType.supportedVersions)),
      "handshake-failure",
    ],
    [
      "compression offered",
      () =>
        hello((_e, h) => {
          h.compressionMethods = Uint8Array.of(1, 0);
        }),
      "illegal-parameter",
    ],
    [
      "an extension twice",
      () =>
        hello((e) => {
          e.push({ ...(e[0] as Extension) });
        }),
      "illegal-parameter",
    ],
    [
      "key_share without supported_groups",
      () => hello(drop(ExtensionType.supportedGroups)),
      "missing-extension",
    ],
    [
      "no signature_algorithms",
      () => hello(drop(ExtensionType.signatureAlgorithms)),
      "missing-extension",
    ],
    [
      "no suite in common",
      () =>
        hello((_e, h) => {
          h.cipherSuites = [0xc02f];
        }),
      "handshake-failure",
    ],
    [
      "pre_shared_key not last",
      () =>
        hello((e) => {
          e.unshift({ type: ExtensionType.preSharedKey, data: Uint8Array.of(0, 0) });
        }),
      "illegal-parameter",
    ],
    [
      "an odd cipher_suites length",
      () => {
        const r = hello(() => {});
        r[5 + 4 + 2 + 32 + 2] = 3; // after an empty session id: cipher_suites length 3
        return r;
      },
      "decode-error",
    ],
    [
      "a hello whose length field overruns its body",
      () => {
        const r = hello(() => {});
        r[8] = (r[8] as number) - 1;
        return r;
      },
      "decode-error",
    ],
  ];
  for (const [name, build, failure] of cases) {
    it(`${name}: ${failure}`, () => {
      const server = newServer();
      expectFailure(server, server.handle(build()), failure);
    });
  }

  /** A TLS 1.2 hello (no supported_versions, with extended_master_secret) answered by the server. */
  function server12() {
    const rec = hello((e, h) => {
      h.cipherSuites = [0xc02b];
      e.splice(
        e.findIndex((x) => x.type === ExtensionType.supportedVersions),
        1,
      );
      e.push({ type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) });
    });
    const server = newServer();
    const out = server.handle(rec);
    return { server, out };
  }
  it("TLS 1.2: the server answers with its flight and the downgrade sentinel in its random", () => {
    const { server, out } = server12();
    assert.equal(server.status, "handshaking", JSON.stringify(server.failure));
    const sh = out.records[0] as Uint8Array;
    // record 5 + header 4 + version 2 + random 32: the random's last 8 bytes.
    assert.deepEqual(
      [...sh.subarray(5 + 4 + 2 + 24, 5 + 4 + 2 + 32)],
      [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01],
    );
    assert.equal(server.summary().version, "TLSv1.2");
  });
  it("TLS 1.2: change_cipher_spec before ClientKeyExchange: unexpected_message", () => {
    const { server } = server12();
    expectFailure(server, server.handle(Uint8Array.of(20, 3, 3, 0, 1, 1)), "unexpected-message");
  });
  it("TLS 1.2: an invalid ClientKeyExchange point: illegal_parameter", () => {
    const { server } = server12();
    const cke = reheader(16, Uint8Array.of(32, ...new Uint8Array(32)));
    expectFailure(
      server,
      server.handle(Uint8Array.of(22, 3, 3, 0, cke.length, ...cke)),
      "illegal-parameter",
    );
  });
  it("TLS 1.2: Finished in plaintext without change_cipher_spec: unexpected_message", () => {
    const { server } = server12();
    const cke = reheader(16, Uint8Array.of(32, ...new Uint8Array(32).fill(9)));
    server.handle(Uint8Array.of(22, 3, 3, 0, cke.length, ...cke));
    const fin = reheader(20, new Uint8Array(12));
    expectFailure(
      server,
      server.handle(Uint8Array.of(22, 3, 3, 0, fin.length, ...fin)),
      "unexpected-message",
    );
  });
  it("TLS 1.2 refused when the server is configured for TLS 1.3 only: protocol_version", () => {
    const rec = hello((e) => {
      e.splice(
        e.findIndex((x) => x.type === ExtensionType.supportedVersions),
        1,
      );
      e.push({ type: ExtensionType.extendedMasterSecret, data: new Uint8Array(0) });
    });
    const server = new TlsServer({
      crypto: c,
      credentials: serverCredentials(c, "p256"),
      tls12: false,
    });
    expectFailure(server, server.handle(rec), "protocol-version");
  });

  function serverAwaitingFinished() {
    const log: string[] = [];
    const client = newClient(log);
    const server = newServer();
    const ch = concatBytes(client.start().records);
    client.handle(concatBytes(server.handle(ch).records));
    return { server, secret: secretOf(log, "CLIENT_HANDSHAKE_TRAFFIC_SECRET") };
  }
  it("a wrong client Finished: decrypt_error", () => {
    const { server, secret } = serverAwaitingFinished();
    const out = server.handle(
      protect(secret, ContentType.handshake, reheader(20, new Uint8Array(32).fill(5))),
    );
    expectFailure(server, out, "decrypt-error");
  });
  it("two change_cipher_spec records: unexpected_message", () => {
    const { server } = serverAwaitingFinished();
    const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
    assert.equal(server.handle(ccs).records.length, 0);
    expectFailure(server, server.handle(ccs), "unexpected-message");
  });
  it("an alert of three bytes: decode_error", () => {
    const { server, secret } = serverAwaitingFinished();
    expectFailure(
      server,
      server.handle(protect(secret, ContentType.alert, Uint8Array.of(2, 40, 0))),
      "decode-error",
    );
  });
  it("a fatal alert from the peer closes without an answer", () => {
    const { server, secret } = serverAwaitingFinished();
    const out = server.handle(
      protect(secret, ContentType.alert, Uint8Array.of(2, AlertDescription.handshakeFailure)),
    );
    assert.equal(server.status, "closed");
    assert.deepEqual(out.records, []);
    assert.equal(out.events[0]?.type, "alert-received");
  });
  it("every prefix of a ClientHello waits for more; the whole one is answered", () => {
    const rec = hello(() => {});
    for (let cut = 0; cut < rec.length; cut += 7) {
      const server = newServer();
      assert.deepEqual(server.handle(rec.subarray(0, cut)).records, []);
      assert.equal(server.status, "handshaking");
      assert.ok(server.handle(rec.subarray(cut)).records.length > 0);
    }
  });
});

function flip(b: Uint8Array, at: number): Uint8Array {
  const out = b.slice();
  out[at] = (out[at] as number) ^ 1;
  return out;
}
function withU16(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  out[at] = v >> 8;
  out[at + 1] = v & 0xff;
  return out;
}
