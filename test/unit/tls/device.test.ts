/**
 * The `tls` device (stack/tls/device.ts) over an in-memory stack with a clock moved by hand:
 * credentials from its keys store, a client that verifies against `trust`, and the handshake
 * timeout, which fires for a silent peer and is gone once a handshake ends (a pending one held
 * every finished session for the whole timeout).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ManualClock, MemKv, MemStack, settle } from "../../../runtime/mem/src/index.ts";
import { utf8Decode, utf8Encode } from "../../../stack/bytes/index.ts";
import type { Flow } from "../../../stack/devices/stack.ts";
import { createTlsStack } from "../../../stack/tls/device.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { nodeWithNativeAead as nodeCrypto } from "../crypto/providers.ts";
import { testPki } from "./helpers.ts";

function setUp(handshakeTimeoutMs = 1000, tracer?: TraceRecorder) {
  const pki = testPki();
  const leaf = pki.leaf("p256");
  const keys = new MemKv({
    "server.pem": readFileSync(leaf.chainFile),
    "server.key": readFileSync(leaf.keyFile),
    "ca.pem": utf8Encode(pki.caPem),
  });
  const clock = new ManualClock();
  clock.wallOriginMs = Date.now(); // the test PKI is valid from today
  const mem = new MemStack();
  const options = { keys, certificate: "server.pem", key: "server.key", crypto: nodeCrypto };
  const tls = createTlsStack(mem, {
    ...options,
    trust: "ca.pem",
    clock,
    handshakeTimeoutMs,
    ...(tracer ? { tracer } : {}),
  });
  return { clock, mem, tls };
}

describe("the tls device", () => {
  it("serves and connects over its inner stack, and leaves no timer once the handshakes end", async () => {
    const { clock, tls } = setUp();
    const accepted: Flow[] = [];
    await tls.tcp.listen(443, (flow) => accepted.push(flow));
    assert.equal(clock.pendingSleeps, 0);
    const client = await tls.tcp.connect({ address: "localhost", port: 443 });
    await settle();
    assert.equal(accepted.length, 1);
    const server = accepted[0] as Flow;
    await client.write(utf8Encode("ping"));
    assert.equal(utf8Decode((await server.read()) as Uint8Array), "ping");
    // Both handshakes' timeouts were cancelled: nothing keeps either session alive.
    assert.equal(clock.pendingSleeps, 0);
    await client.close();
    await server.close();
  });

  it("a client that connects and says nothing is dropped when the timeout fires", async () => {
    const { clock, mem, tls } = setUp(1000);
    let accepted = 0;
    await tls.tcp.listen(443, () => {
      accepted++;
    });
    const raw = mem.connect(443);
    await settle();
    assert.equal(clock.pendingSleeps, 1, "the handshake timeout is armed");
    await clock.advanceMs(999);
    assert.equal(clock.pendingSleeps, 1, "not yet");
    await clock.advanceMs(1);
    assert.equal(clock.pendingSleeps, 0);
    // The server closed its end: the silent client reads the end of the stream.
    assert.equal(await raw.read(), null);
    assert.equal(accepted, 0);
  });

  it("a session whose peer leaves or stays silent ends closed in the trace, saying why", async () => {
    const tracer = new TraceRecorder();
    const { clock, mem, tls } = setUp(1000, tracer);
    await tls.tcp.listen(443, () => {});
    const leaving = mem.connect(443);
    await settle();
    await leaving.close(); // TCP closed before any ClientHello
    await settle();
    const silent = mem.connect(443);
    await settle();
    await clock.advanceMs(1000);
    await settle();
    const closes = tracer.events
      .filter((e) => e.layer === "tls" && e.name === "state" && e.detail?.to === "closed")
      .map((e) => e.detail?.reason);
    assert.deepEqual(closes, ["transport closed", "no handshake after 1000 ms"]);
    await silent.close();
  });

  it("traced, names each server and client session after its connection", async () => {
    // So the Protocol view and `morgana trace` say which peer a session is, beside its TCP
    // connection, as HTTP's are.
    const tracer = new TraceRecorder();
    const { tls } = setUp(1000, tracer);
    const accepted: Flow[] = [];
    await tls.tcp.listen(443, (flow) => accepted.push(flow));
    const flows: Flow[] = [];
    for (let i = 0; i < 2; i++) {
      flows.push(await tls.tcp.connect({ address: "localhost", port: 443 }));
    }
    await settle();
    assert.equal(accepted.length, 2);
    const ids = [...new Set(tracer.events.filter((e) => e.layer === "tls").map((e) => e.id))];
    const peers = accepted.map((f) => `${f.remote.address}:${f.remote.port}`);
    assert.deepEqual(
      ids.sort(),
      [
        `tls:443#0-${peers[0]}`,
        `tls:443#1-${peers[1]}`,
        "tls:client#0-localhost:443",
        "tls:client#1-localhost:443",
      ].sort(),
    );
    for (const f of [...flows, ...accepted]) await f.close();
  });
});
