import assert from "node:assert/strict";
import { concatBytes } from "../../../stack/bytes/index.ts";
import { type Flow, StackError } from "../../../stack/devices/stack.ts";
import { parseIpv4 } from "../../../stack/net/addr.ts";
import { echoRequest } from "../../../stack/net/icmp.ts";
import { PROTO_ICMP } from "../../../stack/net/ipv4.ts";
import { NetStack } from "../../../stack/net/stack.ts";
import { VirtualClock } from "../../../stack/net/testing/clock.ts";
import { type LinkOptions, SimLink } from "../../../stack/net/testing/link.ts";
import { TraceRecorder } from "../../../stack/trace/index.ts";
import { rng } from "../../helpers/rng.ts";
import { runFor, runUntil, seededRandom, settle } from "./helpers/drive.ts";

const S = 1_000_000_000n;

function pair(link: Partial<LinkOptions> = {}, seed = 1) {
  const clock = new VirtualClock();
  const l = new SimLink(clock, { random: rng(seed), ...link });
  const a = new NetStack(l.a, clock, seededRandom(seed + 1), { ipv4: "10.0.0.1/24" });
  const b = new NetStack(l.b, clock, seededRandom(seed + 2), { ipv4: "10.0.0.2/24" });
  return { clock, link: l, a, b };
}

/** An echo server on `port`: each flow's bytes are written back until the peer's end. */
async function echo(stack: NetStack, port: number) {
  return stack.tcp.listen(port, (flow) => {
    void (async () => {
      for (let d = await flow.read(); d !== null; d = await flow.read()) await flow.write(d);
      await flow.close();
    })().catch(() => flow.close());
  });
}

function pattern(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** Sends `data` over a fresh connection to the echo port and reads it all back. */
async function roundTrip(from: NetStack, clock: VirtualClock, data: Uint8Array, limit: bigint) {
  let result: Uint8Array | null = null;
  let failure: unknown = null;
  void (async () => {
    const flow = await from.tcp.connect({ address: "10.0.0.2", port: 7 });
    const reader = (async () => {
      const parts: Uint8Array[] = [];
      for (let d = await flow.read(); d !== null; d = await flow.read()) parts.push(d.slice());
      return concatBytes(parts);
    })();
    for (let off = 0; off < data.length; off += 10_000)
      await flow.write(data.subarray(off, off + 10_000));
    await flow.shutdown();
    result = await reader;
    await flow.close();
  })().catch((e) => {
    failure = e;
  });
  await runUntil(clock, () => result !== null || failure !== null, limit);
  if (failure) throw failure;
  return result as unknown as Uint8Array;
}

describe("NetStack over a simulated link", () => {
  it("TCP echo of 300 kB over a clean link, then every record freed after TIME-WAIT", async () => {
    const { clock, a, b } = pair();
    await echo(b, 7);
    const data = pattern(300_000, 1);
    const back = await roundTrip(a, clock, data, 60n * S);
    assert.equal(back.length, data.length);
    assert.deepEqual(back, data);
    await runFor(clock, 130n * S);
    assert.equal(a.liveConnections, 0);
    assert.equal(b.liveConnections, 0);
  });

  it("TCP echo of 200 kB under 5% loss, 10% reordering, 1% duplication is byte-exact", async () => {
    const { clock, link, a, b } = pair({ loss: 0.05, reorder: 0.1, duplicate: 0.01 }, 7);
    await echo(b, 7);
    const data = pattern(200_000, 2);
    const back = await roundTrip(a, clock, data, 600n * S);
    assert.deepEqual(back, data);
    assert.ok(link.stats.lost > 10, `the link lost ${link.stats.lost} frames`);
  });

  it("connect to a port nobody listens on is refused", async () => {
    const { clock, a } = pair();
    let err: unknown = null;
    a.tcp.connect({ address: "10.0.0.2", port: 9 }).catch((e) => {
      err = e;
    });
    await runUntil(clock, () => err !== null, 10n * S);
    assert.ok(err instanceof StackError);
    assert.equal(err.code, "connection-refused");
  });

  it("connect beyond the subnet without a gateway is unreachable at once", async () => {
    const { a } = pair();
    await assert.rejects(
      a.tcp.connect({ address: "192.168.9.9", port: 80 }),
      (e: unknown) => e instanceof StackError && e.code === "unreachable",
    );
  });

  it("listen twice on a port is address-in-use", async () => {
    const { b } = pair();
    await echo(b, 7);
    await assert.rejects(
      echo(b, 7),
      (e: unknown) => e instanceof StackError && e.code === "address-in-use",
    );
  });

  it("UDP datagrams both ways; an unbound port answers ICMP port unreachable", async () => {
    const { clock, a, b } = pair();
    const got: string[] = [];
    const server = await b.udp.bind(5353, (d) => {
      got.push(`${d.from.address}:${d.from.port}:${[...d.data]}`);
      void server.send(d.from, new Uint8Array([9, ...d.data]));
    });
    const replies: number[][] = [];
    const client = await a.udp.bind(0, (d) => replies.push([...d.data]));
    assert.ok(client.port >= 49152);
    await client.send({ address: "10.0.0.2", port: 5353 }, new Uint8Array([1, 2]));
    await runUntil(clock, () => replies.length === 1, 5n * S);
    assert.deepEqual(got, [`10.0.0.1:${client.port}:1,2`]);
    assert.deepEqual(replies, [[9, 1, 2]]);
    await client.send({ address: "10.0.0.2", port: 6000 }, new Uint8Array([1]));
    await runFor(clock, S);
    assert.equal(b.iface.stats().icmp["tx-unreachable-3"], 1);
    assert.equal(a.iface.stats().icmp["rx-type-3"], 1);
  });

  it("answers ping (ICMP echo) after resolving the asker over ARP", async () => {
    const { clock, a, b } = pair();
    a.iface.sendIp(
      parseIpv4("10.0.0.2") as number,
      PROTO_ICMP,
      echoRequest(1, 1, new Uint8Array(56)),
      clock.monotonicNs(),
    );
    a.kick();
    await runFor(clock, S);
    assert.equal(b.iface.stats().icmp.echo, 1);
    assert.equal(a.iface.stats().icmp["rx-type-0"], 1);
    assert.equal(a.iface.stats().arp["rx-reply"], 1);
  });

  it("a thousand garbage frames are counted and dropped, and the stack still serves", async () => {
    const { clock, link, a, b } = pair();
    await echo(b, 7);
    const r = rng(3);
    for (let i = 0; i < 1000; i++) {
      const f = Uint8Array.from({ length: Math.floor(r() * 120) }, () => Math.floor(r() * 256));
      if (f.length >= 14) {
        f.set(link.b.mac, 0); // addressed to b, so it goes past the MAC filter
        f[12] = 0x08;
        f[13] = r() < 0.5 ? 0x00 : 0x06;
      }
      link.b.rx.push(f);
    }
    link.b.wake();
    await settle();
    const data = pattern(5000, 4);
    assert.deepEqual(await roundTrip(a, clock, data, 10n * S), data);
    const s = b.iface.stats();
    const dropped = [s.eth, s.ip, s.arp]
      .flatMap((layer) => Object.entries(layer ?? {}))
      .filter(([k]) => k.startsWith("drop"))
      .reduce((n, [, v]) => n + v, 0);
    assert.ok(dropped >= 950, `dropped ${dropped}: ${JSON.stringify(s)}`);
  });

  it("closing the stack resets its flows: the peer sees the reset", async () => {
    const { clock, a, b } = pair();
    let server: Flow | null = null;
    await b.tcp.listen(7, (f) => {
      server = f;
    });
    let client: Flow | null = null;
    void a.tcp.connect({ address: "10.0.0.2", port: 7 }).then((f) => {
      client = f;
    });
    await runUntil(clock, () => client !== null && server !== null, 5n * S);
    let readErr: unknown = null;
    (client as unknown as Flow).read().catch((e) => {
      readErr = e;
    });
    await b.close();
    await runUntil(clock, () => readErr !== null, 5n * S);
    assert.ok(readErr instanceof StackError);
    assert.equal(readErr.code, "reset");
  });
});

describe("NetStack: link state and tracing", () => {
  it("announces its address again when the link comes back up", async () => {
    const { clock, link, a } = pair();
    await runFor(clock, 5n * S);
    const before = a.iface.stats().arp["tx-announce"] ?? 0;
    link.a.linkUp = false;
    a.kick();
    await runFor(clock, S);
    link.a.linkUp = true;
    a.kick();
    await runFor(clock, 5n * S);
    assert.equal((a.iface.stats().arp["tx-announce"] ?? 0) - before, 2);
  });

  it("a listener that throws gets its flow reset; the stack goes on serving", async () => {
    const { clock, a, b } = pair();
    let calls = 0;
    await b.tcp.listen(8, () => {
      calls++;
      throw new Error("handler bug");
    });
    await echo(b, 7);
    let err: unknown = null;
    void a.tcp
      .connect({ address: "10.0.0.2", port: 8 })
      .then((f) => f.read())
      .catch((e) => {
        err = e;
      });
    await runUntil(clock, () => err !== null, 10n * S);
    assert.equal(calls, 1);
    assert.ok(err instanceof StackError && err.code === "reset", String(err));
    const data = pattern(1000, 3);
    assert.deepEqual(await roundTrip(a, clock, data, 10n * S), data);
  });

  it("an app can talk to its own address (loopback, never on the wire)", async () => {
    const { clock, link, a } = pair();
    await echo(a, 7);
    const sentBefore = link.a.sent;
    let back: Uint8Array | null = null;
    void (async () => {
      const f = await a.tcp.connect({ address: "10.0.0.1", port: 7 });
      await f.write(new Uint8Array([1, 2, 3]));
      back = await f.read();
      await f.close();
    })();
    await runUntil(clock, () => back !== null, 5n * S);
    assert.deepEqual([...(back as unknown as Uint8Array)], [1, 2, 3]);
    assert.equal(link.a.sent, sentBefore, "nothing went on the wire");
  });

  it("hands its tracer to TCP: a connection's segments and states, and the IP configuration", async () => {
    const clock = new VirtualClock();
    const l = new SimLink(clock, { random: rng(5) });
    const trace = new TraceRecorder();
    const a = new NetStack(l.a, clock, seededRandom(1), { ipv4: "10.0.0.1/24", tracer: trace });
    const b = new NetStack(l.b, clock, seededRandom(2), { ipv4: "10.0.0.2/24" });
    await echo(b, 7);
    const data = pattern(3000, 9);
    assert.deepEqual(await roundTrip(a, clock, data, 10n * S), data);
    assert.deepEqual(
      trace.find("ip", "configured").map((e) => e.state.address),
      ["10.0.0.1/24"],
    );
    const tcp = trace.events.filter((e) => e.layer === "tcp");
    const ids = new Set(tcp.map((e) => e.id));
    assert.equal(ids.size, 1, [...ids].join(", "));
    const states = tcp.filter((e) => e.name === "state").map((e) => e.state.state);
    assert.equal(states[0], "SYN-SENT");
    assert.ok(states.includes("ESTABLISHED"), states.join(" "));
    assert.ok(tcp.some((e) => e.name === "segment-out"));
    assert.ok(tcp.some((e) => e.name === "segment-in"));
  });
});

describe("NetStack: peers that go away free every record", function () {
  this.timeout(120_000);

  /**
   * a opens `n` connections to b (in batches of 100) and reads them; b's flows wait until
   * `send()` has each write 16 kB, so data is in flight when a goes away.
   */
  async function streams(n: number) {
    const env = pair({}, 11);
    const { clock, a, b } = env;
    const serverFlows: Flow[] = [];
    let serverClosed = 0;
    await b.tcp.listen(7, (flow) => {
      serverFlows.push(flow);
      void (async () => {
        while ((await flow.read()) !== null) {}
      })()
        .catch(() => {})
        .finally(() => {
          serverClosed++;
          void flow.close();
        });
    });
    let connected = 0;
    for (let batch = 0; batch < n; batch += 100) {
      const want = Math.min(n, batch + 100);
      for (let i = batch; i < want; i++) {
        void a.tcp
          .connect({ address: "10.0.0.2", port: 7 })
          .then(async (f) => {
            connected++;
            while ((await f.read()) !== null) {}
          })
          .catch(() => {});
      }
      await runUntil(clock, () => connected === want, clock.monotonicNs() + 60n * S);
    }
    await runFor(clock, S);
    assert.equal(b.liveConnections, n);
    const chunk = new Uint8Array(16 * 1024);
    const send = () => {
      for (const f of serverFlows) f.write(chunk).catch(() => {});
    };
    return { ...env, send, closed: () => serverClosed };
  }

  it("1000 peers reset mid-transfer: every server flow fails and every record is freed", async () => {
    const { clock, a, b, send, closed } = await streams(1000);
    send();
    await a.close(); // resets all of a's connections
    await runUntil(clock, () => closed() === 1000, clock.monotonicNs() + 60n * S);
    await runFor(clock, S);
    assert.equal(b.liveConnections, 0);
  });

  it("1000 peers vanish mid-transfer: retransmissions time out and every record is freed", async () => {
    const { clock, link, b, send, closed } = await streams(1000);
    await link.a.close(); // a hears and says nothing from now on
    send();
    await runUntil(clock, () => closed() === 1000, clock.monotonicNs() + 3600n * S);
    await runFor(clock, S);
    assert.equal(b.liveConnections, 0);
    assert.ok(b.tcpCore.counters.timeouts >= 1000, `${b.tcpCore.counters.timeouts} timeouts`);
  });
});
