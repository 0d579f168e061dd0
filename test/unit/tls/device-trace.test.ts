/**
 * The `tls` device's trace ids: traced, each session is named after its connection (the port,
 * the peer), as HTTP's connections are, so the Protocol view and `morgana trace` say which
 * peer a session is; untraced, nothing of the kind is built.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ManualClock, MemKv, MemStack, settle } from "../../../runtime/mem/src/index.ts";
import { utf8Encode } from "../../../stack/bytes/index.ts";
import type { Flow } from "../../../stack/devices/stack.ts";
import { createTlsStack } from "../../../stack/tls/device.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { nodeWithNativeAead as nodeCrypto } from "../crypto/providers.ts";
import { testPki } from "./helpers.ts";

describe("the tls device's trace ids", () => {
  it("names each server and client session after its connection", async () => {
    const pki = testPki();
    const leaf = pki.leaf("p256");
    const keys = new MemKv({
      "server.pem": readFileSync(leaf.chainFile),
      "server.key": readFileSync(leaf.keyFile),
      "ca.pem": utf8Encode(pki.caPem),
    });
    const clock = new ManualClock();
    clock.wallOriginMs = Date.now(); // the test PKI is valid from today
    const tracer = new TraceRecorder();
    const mem = new MemStack();
    const tls = createTlsStack(mem, {
      keys,
      certificate: "server.pem",
      key: "server.key",
      trust: "ca.pem",
      crypto: nodeCrypto,
      clock,
      tracer,
    });
    const accepted: Flow[] = [];
    await tls.tcp.listen(443, (flow) => accepted.push(flow));
    const flows: Flow[] = [];
    for (let i = 0; i < 2; i++)
      flows.push(await tls.tcp.connect({ address: "localhost", port: 443 }));
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
