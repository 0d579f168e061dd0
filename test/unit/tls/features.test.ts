/** HRR, resumption, KeyUpdate, ALPN, record_size_limit, tracing and the key log, in memory. */
import assert from "node:assert/strict";
import { concatBytes, toHex, utf8Encode } from "../../../stack/bytes/index.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import type { ClientConfig, ClientSession, ServerConfig } from "../../../stack/tls/config.ts";
import { decodeClientHello, encodeClientHello } from "../../../stack/tls/messages.ts";
import { TlsServer } from "../../../stack/tls/server.ts";
import { ExtensionType, NamedGroup } from "../../../stack/tls/wire.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { providers } from "../crypto/providers.ts";
import { pump, serverCredentials, verifierFor } from "./helpers.ts";

const c = providers[1] as (typeof providers)[1];

function pair(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const cl = new TlsClient({
    crypto: c,
    serverName: "localhost",
    verifier: verifierFor(c),
    ...client,
  });
  const sv = new TlsServer({ crypto: c, credentials: serverCredentials(c, "p256"), ...server });
  const seen = pump(cl, sv, cl.start().records);
  return { cl, sv, seen };
}

describe("TLS 1.3 features in memory", () => {
  it("HelloRetryRequest: a P-256-only server asks an X25519-sharing client again", () => {
    const trace = new TraceRecorder();
    const { cl, sv } = pair({ tracer: trace }, { groups: [NamedGroup.secp256r1] });
    assert.equal(cl.status, "open", JSON.stringify(cl.failure));
    assert.equal(sv.summary().group, "secp256r1");
    const hellos = trace
      .find("tls", "handshake-message")
      .filter((e) => e.detail?.type === "ClientHello");
    assert.equal(hellos.length, 2);
  });

  it("HelloRetryRequest with no common group fails with handshake_failure", () => {
    const { cl, sv } = pair({ groups: [NamedGroup.x25519] }, { groups: [NamedGroup.secp384r1] });
    assert.equal(sv.failure?.failure, "handshake-failure");
    assert.equal(cl.status, "closed");
  });

  it("resumption: a ticket from one session resumes the next (PSK with ECDHE, no certificate)", () => {
    const ticketKey = new Uint8Array(32).fill(7);
    const first = pair({}, { ticketKey });
    const ev = first.seen.aEvents.find((e) => e.type === "session-ticket");
    assert.ok(ev && ev.type === "session-ticket");
    const session: ClientSession = ev.session;
    const trace = new TraceRecorder();
    const second = pair({ session, tracer: trace }, { ticketKey });
    assert.equal(second.cl.status, "open", JSON.stringify(second.cl.failure));
    assert.equal(second.cl.summary().resumed, true);
    assert.equal(second.sv.summary().resumed, true);
    const types = trace.find("tls", "handshake-message").map((e) => e.detail?.type);
    assert.ok(!types.includes("Certificate"));
    // Another server key: the ticket does not open, a full handshake follows.
    const third = pair({ session }, { ticketKey: new Uint8Array(32).fill(8) });
    assert.equal(third.cl.status, "open");
    assert.equal(third.cl.summary().resumed, false);
  });

  it("resumption after a HelloRetryRequest: the binder covers message_hash, HRR and the new hello", () => {
    const ticketKey = new Uint8Array(32).fill(7);
    const ev = pair({}, { ticketKey }).seen.aEvents.find((e) => e.type === "session-ticket");
    assert.ok(ev && ev.type === "session-ticket");
    const trace = new TraceRecorder();
    const { cl, sv } = pair(
      { session: ev.session, keyShareGroups: [NamedGroup.secp256r1], tracer: trace },
      { ticketKey, groups: [NamedGroup.x25519] },
    );
    assert.equal(cl.status, "open", JSON.stringify([cl.failure, sv.failure]));
    assert.equal(cl.summary().resumed, true);
    assert.equal(cl.summary().group, "x25519");
    const hellos = trace
      .find("tls", "handshake-message")
      .filter((e) => e.detail?.type === "ClientHello");
    assert.equal(hellos.length, 2);
  });

  it("an IP address as the server name: no SNI sent, the certificate's IP SAN checked", () => {
    const { cl, sv } = pair({ serverName: "127.0.0.1" });
    assert.equal(cl.status, "open", JSON.stringify(cl.failure));
    assert.equal(sv.summary().sni, null);
    const wrong = pair({ serverName: "127.0.0.2" });
    assert.equal(wrong.cl.failure?.failure, "bad-certificate");
  });

  it("resumption: a tampered binder is decrypt_error", () => {
    const ticketKey = new Uint8Array(32).fill(7);
    const ev = pair({}, { ticketKey }).seen.aEvents.find((e) => e.type === "session-ticket");
    assert.ok(ev && ev.type === "session-ticket");
    const bad = { ...ev.session, psk: ev.session.psk.map((b) => b ^ 1) };
    const { sv } = pair({ session: bad }, { ticketKey });
    assert.equal(sv.failure?.failure, "decrypt-error");
  });

  it("KeyUpdate: each side updates, requested updates are answered, data still flows", () => {
    const { cl, sv } = pair();
    const mine = cl.updateKeys(true);
    assert.deepEqual(mine.events, [{ type: "key-update", direction: "write" }]);
    const u = pump(cl, sv, mine.records);
    // The server reads the update and, as asked, updates its own write key.
    assert.deepEqual(u.bEvents, [
      { type: "key-update", direction: "read" },
      { type: "key-update", direction: "write" },
    ]);
    assert.deepEqual(u.aEvents, [{ type: "key-update", direction: "read" }]);
    const d = pump(sv, cl, sv.send(utf8Encode("after update")).records);
    assert.equal(Buffer.concat(d.bData).toString(), "after update");
    const d2 = pump(cl, sv, cl.send(utf8Encode("and back")).records);
    assert.equal(Buffer.concat(d2.bData).toString(), "and back");
  });

  it("ALPN: the server's first choice the client offers; none in common is no_application_protocol", () => {
    const ok = pair({ alpn: ["h2", "http/1.1"] }, { alpn: ["http/1.1", "h2"] });
    assert.equal(ok.cl.summary().alpn, "http/1.1");
    assert.equal(ok.sv.summary().alpn, "http/1.1");
    const none = pair({ alpn: ["h2"] }, { alpn: ["http/1.1"] });
    assert.equal(none.sv.failure?.failure, "no-application-protocol");
  });

  it("record_size_limit: a client asking for 256-byte records gets none larger", () => {
    const { cl, sv } = pair({ recordSizeLimit: 256 });
    const out = sv.send(new Uint8Array(3000));
    for (const r of out.records) assert.ok(r.length <= 5 + 256 + 16, `record of ${r.length}`);
    assert.equal(out.records.length, Math.ceil(3000 / 255));
    const got = pump(sv, cl, out.records);
    assert.equal(Buffer.concat(got.bData).length, 3000);
  });

  it("tracing: messages, states, alerts and key updates with the summary, and no secret", () => {
    const trace = new TraceRecorder();
    const keyLog: string[] = [];
    const { cl, sv } = pair(
      { tracer: trace, traceId: "tls:test", keyLog: (l) => keyLog.push(l), alpn: ["x"] },
      { alpn: ["x"] },
    );
    pump(cl, sv, cl.updateKeys(false).records);
    pump(cl, sv, cl.close().records);
    const names = new Set(trace.events.map((e) => e.name));
    for (const n of ["handshake-message", "state", "alert", "key-update"])
      assert.ok(names.has(n), n);
    const last = trace.events[trace.events.length - 1];
    assert.equal(last?.id, "tls:test");
    assert.equal(last?.state.version, "TLSv1.3");
    assert.equal(last?.state.suite, "TLS_AES_128_GCM_SHA256");
    assert.equal(last?.state.group, "x25519");
    assert.equal(last?.state.sni, "localhost");
    assert.equal(last?.state.alpn, "x");
    assert.equal(last?.state.peer, "CN=localhost p256");
    const all = JSON.stringify(trace.events, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    assert.ok(keyLog.length >= 6);
    for (const line of keyLog) {
      const [label, random, secret] = line.split(" ");
      assert.match(
        label ?? "",
        /^(CLIENT|SERVER)_(HANDSHAKE_)?TRAFFIC_SECRET(_\d+)?$|^EXPORTER_SECRET$/,
      );
      assert.equal(random?.length, 64);
      assert.ok(secret && !all.includes(secret), "a secret reached the trace");
    }
    assert.ok(
      keyLog.some((l) => l.startsWith("CLIENT_TRAFFIC_SECRET_1 ")),
      "key update logged",
    );
  });

  it("no tracer: no event is built (the engine runs the same)", () => {
    const { cl } = pair();
    assert.equal(cl.status, "open");
  });

  it("close_notify both ways closes both engines", () => {
    const { cl, sv } = pair();
    const a = pump(cl, sv, cl.close().records);
    assert.ok(a.bEvents.some((e) => e.type === "close-notify"));
    const b = pump(sv, cl, sv.close().records);
    assert.ok(b.bEvents.some((e) => e.type === "close-notify"));
    assert.equal(cl.status, "closed");
    assert.equal(sv.status, "closed");
    // Nothing is sent once closed.
    assert.deepEqual(cl.send(utf8Encode("late")).records, []);
  });

  it("middlebox compatibility: each side sends one change_cipher_spec; off, none", () => {
    const ccs = "140303000101";
    const on = new TlsClient({ crypto: c, serverName: "localhost", verifier: verifierFor(c) });
    const sv = new TlsServer({ crypto: c, credentials: serverCredentials(c, "p256") });
    const flight = sv.handle(concatBytes(on.start().records));
    assert.equal(flight.records.filter((r) => toHex(r) === ccs).length, 1);
    const fin = on.handle(concatBytes(flight.records));
    assert.equal(fin.records.filter((r) => toHex(r) === ccs).length, 1);
    const off = new TlsClient({
      crypto: c,
      serverName: "localhost",
      verifier: verifierFor(c),
      middleboxCompat: false,
    });
    const sv2 = new TlsServer({ crypto: c, credentials: serverCredentials(c, "p256") });
    const flight2 = sv2.handle(concatBytes(off.start().records));
    assert.equal(flight2.records.filter((r) => toHex(r) === ccs).length, 0);
  });
});

describe("TLS 1.2 in memory (both sides ours)", () => {
  for (const [suite, kind] of [
    [0xc02b, "p256"],
    [0xc02c, "p256"],
    [0xcca9, "p256"],
    [0xc02f, "rsa"],
    [0xc030, "rsa"],
    [0xcca8, "rsa"],
  ] as const) {
    it(`suite ${suite.toString(16)}: handshake, data both ways, close; CLIENT_RANDOM logged alike`, () => {
      const logs: string[][] = [[], []];
      const cl = new TlsClient({
        crypto: c,
        serverName: "localhost",
        verifier: verifierFor(c),
        cipherSuites: [suite],
        keyLog: (l) => logs[0]?.push(l),
      });
      const sv = new TlsServer({
        crypto: c,
        credentials: serverCredentials(c, kind),
        keyLog: (l) => logs[1]?.push(l),
      });
      pump(cl, sv, cl.start().records);
      assert.equal(cl.status, "open", JSON.stringify([cl.failure, sv.failure]));
      assert.equal(cl.summary().version, "TLSv1.2");
      assert.equal(sv.summary().version, "TLSv1.2");
      assert.equal(cl.summary().peer, `CN=localhost ${kind}`);
      assert.deepEqual(logs[0], logs[1]);
      assert.match(logs[0]?.[0] ?? "", /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
      const up = pump(cl, sv, cl.send(new Uint8Array(40000).fill(3)).records);
      assert.equal(Buffer.concat(up.bData).length, 40000);
      const down = pump(sv, cl, sv.send(utf8Encode("back")).records);
      assert.equal(Buffer.concat(down.bData).toString(), "back");
      pump(cl, sv, cl.close().records);
      assert.equal(sv.readClosed, true);
    });
  }
});

describe("downgrade protection (RFC 8446 §4.1.3)", () => {
  it("an attacker who strips TLS 1.3 from the hello gets a 1.2 answer the client refuses", () => {
    const cl = new TlsClient({ crypto: c, serverName: "localhost", verifier: verifierFor(c) });
    const sv = new TlsServer({ crypto: c, credentials: serverCredentials(c, "p256") });
    const rec = concatBytes(cl.start().records);
    const hello = decodeClientHello(rec.subarray(9));
    const exts = hello.extensions.map((e) =>
      e.type === ExtensionType.supportedVersions
        ? { type: e.type, data: Uint8Array.of(2, 3, 3) }
        : e,
    );
    const raw = encodeClientHello({ ...hello, extensions: exts });
    const out = sv.handle(Uint8Array.of(22, 3, 1, raw.length >> 8, raw.length & 0xff, ...raw));
    assert.equal(sv.summary().version, "TLSv1.2");
    cl.handle(concatBytes(out.records));
    assert.equal(cl.failure?.failure, "illegal-parameter");
    assert.match(cl.failure?.reason ?? "", /downgrade/);
  });
});
