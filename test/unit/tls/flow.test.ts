/** TlsFlow over an in-memory Flow pair: a session end to end, and a peer that says nothing. */
import assert from "node:assert/strict";
import { utf8Decode, utf8Encode } from "../../../stack/bytes/index.ts";
import type { Flow } from "../../../stack/devices/stack.ts";
import { TlsFlow, TlsFlowError } from "../../../stack/tls/flow.ts";
import { providers } from "../crypto/providers.ts";
import { serverCredentials, verifierFor } from "./helpers.ts";

const c = providers[1] as (typeof providers)[1];

/** Two connected in-memory flows: what one writes, the other reads. */
function flowPair(): [Flow & { closed: boolean }, Flow & { closed: boolean }] {
  const make = (
    inbox: Uint8Array[],
    waiters: ((v: Uint8Array | null) => void)[],
    peer: () => {
      inbox: Uint8Array[];
      waiters: ((v: Uint8Array | null) => void)[];
      ended: boolean;
    },
  ) => {
    const self = {
      closed: false,
      ended: false,
      local: { address: "127.0.0.1", port: 1 },
      remote: { address: "127.0.0.1", port: 2 },
      inbox,
      waiters,
      async read() {
        const next = inbox.shift();
        if (next) return next;
        if (self.ended) return null;
        return new Promise<Uint8Array | null>((r) => waiters.push(r));
      },
      async write(d: Uint8Array) {
        const p = peer();
        const w = p.waiters.shift();
        if (w) w(d.slice());
        else p.inbox.push(d.slice());
      },
      async writev(ds: Uint8Array[]) {
        for (const d of ds) await self.write(d);
      },
      async shutdown() {
        const p = peer();
        p.ended = true;
        for (const w of p.waiters.splice(0)) w(null);
      },
      async close() {
        self.closed = true;
        await self.shutdown();
      },
    };
    return self;
  };
  const a: ReturnType<typeof make> = make([], [], () => b);
  const b: ReturnType<typeof make> = make([], [], () => a);
  return [a, b];
}

describe("TlsFlow", () => {
  it("a session end to end over a Flow pair: handshake, data both ways, close_notify", async () => {
    const [ca, sb] = flowPair();
    const [client, server] = await Promise.all([
      TlsFlow.client(ca, { crypto: c, serverName: "localhost", verifier: verifierFor(c) }),
      TlsFlow.server(sb, { crypto: c, credentials: serverCredentials(c, "p256") }),
    ]);
    assert.equal(client.session.suite, "TLS_AES_128_GCM_SHA256");
    await client.writev([utf8Encode("hello "), utf8Encode("server")]);
    assert.equal(utf8Decode((await server.read()) as Uint8Array), "hello server");
    await server.write(utf8Encode("hello client"));
    assert.equal(utf8Decode((await client.read()) as Uint8Array), "hello client");
    await client.close();
    assert.equal(await server.read(), null);
    assert.equal(server.truncated, false);
  });

  it("a peer that never speaks: the handshake gives up after its timeout and closes the flow", async () => {
    const [, sb] = flowPair();
    const clock = {
      timer: (ns: bigint, fire: () => void) => {
        const t = setTimeout(fire, Number(ns / 1_000_000n));
        return () => clearTimeout(t);
      },
    };
    const started = Date.now();
    await assert.rejects(
      TlsFlow.server(
        sb,
        { crypto: c, credentials: serverCredentials(c, "p256") },
        { handshakeTimeout: { ms: 50, clock } },
      ),
      (e: unknown) => e instanceof TlsFlowError && e.failure === "timeout",
    );
    assert.ok(Date.now() - started >= 45);
    assert.equal(sb.closed, true);
  });

  it("a peer that hangs up mid-handshake: the handshake rejects (eof), no hang", async () => {
    const [ca, sb] = flowPair();
    const pending = TlsFlow.server(sb, { crypto: c, credentials: serverCredentials(c, "p256") });
    await ca.close();
    await assert.rejects(pending, (e: unknown) => e instanceof TlsFlowError && e.failure === "eof");
  });

  it("a large write goes out in batches of full records; writes issued meanwhile follow it", async () => {
    const [ca, sb] = flowPair();
    const [client, server] = await Promise.all([
      TlsFlow.client(ca, { crypto: c, serverName: "localhost", verifier: verifierFor(c) }),
      TlsFlow.server(sb, { crypto: c, credentials: serverCredentials(c, "p256") }),
    ]);
    // What the transport took at each of its writes.
    const taken: number[] = [];
    const write = sb.write.bind(sb);
    sb.write = async (d: Uint8Array) => {
      taken.push(d.length);
      await write(d);
    };
    const big = new Uint8Array(1_000_000).map((_, i) => i % 251);
    const head = utf8Encode("head:");
    const tail = utf8Encode(":tail");
    // Not awaited in between: the later writes must wait for the batched one.
    const writes = [server.writev([head, big]), server.write(tail), server.writev([tail])];
    const total = head.length + big.length + 2 * tail.length;
    const got: Uint8Array[] = [];
    for (let n = 0; n < total; ) {
      const d = (await client.read()) as Uint8Array;
      got.push(d);
      n += d.length;
    }
    await Promise.all(writes);
    const all = new Uint8Array(total);
    let at = 0;
    for (const d of got) {
      all.set(d, at);
      at += d.length;
    }
    assert.deepEqual(all.subarray(0, head.length), head);
    assert.deepEqual(all.subarray(head.length, head.length + big.length), big);
    assert.equal(utf8Decode(all.subarray(head.length + big.length)), ":tail:tail");
    // Full records all through the batched write (batches are whole records).
    assert.ok(taken.length > 16 * 3, `${taken.length} records`);
    assert.equal(
      taken.filter((n) => n === 5 + (1 << 14) + 17).length,
      Math.floor((head.length + big.length) / (1 << 14)),
    );
  });
});
