import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { ProtocolModel, type Unikernel } from "../../extension/src/protocol.ts";
import { ProtocolChannel } from "../../extension/src/protocolChannel.ts";
import { children, type ProtocolNode, present } from "../../extension/src/protocolTree.ts";
import { type TraceEvent, traceEventJson } from "../../stack/trace/index.ts";

const MS = 1_000_000n;
const HELLO = { name: "site", target: "direct", pid: 42 };

function tls(name: string, atMs: number, handshake: string, detail: TraceEvent["detail"]) {
  return {
    layer: "tls" as const,
    id: "tls#1",
    name,
    atNs: BigInt(atMs) * MS,
    state: {
      role: "server",
      version: atMs === 0 ? null : "TLSv1.3",
      suite: atMs === 0 ? null : "TLS_AES_128_GCM_SHA256",
      group: atMs === 0 ? null : "x25519",
      handshake,
      sni: "localhost",
      alpn: "http/1.1",
      peer: null,
      resumed: false,
    },
    ...(detail ? { detail } : {}),
  };
}

function tcp(name: string, i: number, state: string, detail?: TraceEvent["detail"]): TraceEvent {
  return {
    layer: "tcp",
    id: "tcp:10.77.0.60:80-10.77.0.1:40000#1",
    name,
    atNs: 5n * MS + BigInt(i) * 1000n,
    state: {
      state,
      sndUna: 1000 + i,
      sndNxt: 1001 + i,
      sndWnd: 64240,
      rcvNxt: 7,
      rcvWnd: 65535,
      cwnd: 14600,
      ssthresh: 65535,
      srtt: i === 0 ? null : 0.25,
      rto: 1000,
      flight: 1,
    },
    ...(detail ? { detail } : {}),
  };
}

/** The rows under a node, as label and description. */
function rows(model: ProtocolModel, node?: ProtocolNode): [string, string | undefined][] {
  return children(model, node).map((n) => {
    const r = present(n);
    return [r.label, r.description];
  });
}

function only(model: ProtocolModel, node: ProtocolNode | undefined, label: string): ProtocolNode {
  const found = children(model, node).filter((n) => present(n).label === label);
  assert.equal(found.length, 1, `one row "${label}" in ${JSON.stringify(rows(model, node))}`);
  return found[0] as ProtocolNode;
}

describe("extension Protocol view: events to tree", () => {
  it("a TLS session: its state one field a row, its handshake as history", () => {
    const model = new ProtocolModel();
    const u = model.open("k1", HELLO);
    for (const e of [
      tls("state", 0, "expect-client-hello", { to: "expect-client-hello" }),
      tls("handshake-message", 0, "expect-client-hello", {
        direction: "in",
        type: "ClientHello",
        length: 508,
      }),
      tls("handshake-message", 2, "expect-client-hello", {
        direction: "out",
        type: "ServerHello",
        length: 118,
      }),
      tls("state", 3, "expect-finished", { from: "expect-client-hello", to: "expect-finished" }),
      tls("handshake-message", 4, "expect-finished", {
        direction: "in",
        type: "Finished",
        length: 32,
      }),
      tls("state", 4, "traffic", { from: "expect-finished", to: "traffic" }),
      tls("alert", 9, "closed", { direction: "in", level: 1, description: "close_notify" }),
    ])
      model.add(u, e);

    assert.deepEqual(rows(model), [["site", "direct · pid 42"]]);
    const uk = only(model, undefined, "site");
    assert.deepEqual(rows(model, uk), [["TLS sessions", "1"]]);
    const session = only(model, only(model, uk, "TLS sessions"), "tls#1");
    assert.equal(present(session).description, "TLSv1.3 · TLS_AES_128_GCM_SHA256 · closed");
    assert.deepEqual(rows(model, session), [
      ["version", "TLSv1.3"],
      ["suite", "TLS_AES_128_GCM_SHA256"],
      ["group", "x25519"],
      ["handshake", "closed"],
      ["SNI", "localhost"],
      ["ALPN", "http/1.1"],
      ["peer certificate", "—"],
      ["role", "server"],
      ["resumed", "false"],
      ["history", "7 events"],
    ]);
    assert.deepEqual(rows(model, only(model, session, "history")), [
      ["state → expect-client-hello", "+0.000 ms"],
      ["← ClientHello", "+0.000 ms"],
      ["→ ServerHello", "+2.000 ms"],
      ["state expect-client-hello → expect-finished", "+3.000 ms"],
      ["← Finished", "+4.000 ms"],
      ["state expect-finished → traffic", "+4.000 ms"],
      ["alert ← warning close_notify", "+9.000 ms"],
    ]);
    model.close(u);
    assert.deepEqual(rows(model), [["site", "direct · pid 42 · exited"]]);
  });

  it("a TCP connection: DESIGN's field names, segments with flags, seq, ack, length, window", () => {
    const model = new ProtocolModel();
    const u = model.open("k1", HELLO);
    model.add(u, tcp("state", 0, "SYN-RECEIVED", { from: "LISTEN", to: "SYN-RECEIVED" }));
    model.add(
      u,
      tcp("segment-in", 0, "SYN-RECEIVED", { flags: "SYN", seq: 6, ack: 0, len: 0, window: 64240 }),
    );
    model.add(
      u,
      tcp("segment-out", 1, "SYN-RECEIVED", {
        flags: "SYN,ACK",
        seq: 1000,
        ack: 7,
        len: 0,
        window: 65535,
      }),
    );
    model.add(u, tcp("state", 2, "ESTABLISHED", { from: "SYN-RECEIVED", to: "ESTABLISHED" }));
    const conn = only(
      model,
      only(model, only(model, undefined, "site"), "TCP connections"),
      "tcp:10.77.0.60:80-10.77.0.1:40000#1",
    );
    assert.equal(present(conn).description, "ESTABLISHED · cwnd 14600 · srtt 0.25 ms");
    assert.deepEqual(rows(model, conn).slice(0, 11), [
      ["state", "ESTABLISHED"],
      ["snd.una", "1002"],
      ["snd.nxt", "1003"],
      ["snd.wnd", "64240"],
      ["rcv.nxt", "7"],
      ["rcv.wnd", "65535"],
      ["cwnd", "14600"],
      ["ssthresh", "65535"],
      ["srtt (ms)", "0.25"],
      ["rto (ms)", "1000"],
      ["flight size", "1"],
    ]);
    assert.deepEqual(
      rows(model, only(model, conn, "history")).map(([l]) => l),
      [
        "state LISTEN → SYN-RECEIVED",
        "← SYN seq 6 ack 0 len 0 win 64240",
        "→ SYN,ACK seq 1000 ack 7 len 0 win 65535",
        "state SYN-RECEIVED → ESTABLISHED",
      ],
    );
  });

  it("keeps a bounded history and says how many older events it dropped; row ids stay put", () => {
    const model = new ProtocolModel({ eventsPerItem: 3, itemsPerUnikernel: 10, unikernels: 2 });
    const u = model.open("k1", HELLO);
    for (let i = 0; i < 5; i++)
      model.add(
        u,
        tcp("segment-in", i, "ESTABLISHED", { flags: "ACK", seq: i, ack: 0, len: 0, window: 1 }),
      );
    const conn = children(model, children(model, children(model)[0])[0])[0] as ProtocolNode;
    assert.equal(present(only(model, conn, "history")).description, "5 events");
    const history = children(model, only(model, conn, "history")).map(present);
    assert.deepEqual(
      history.map((r) => r.label),
      [
        "2 older events dropped",
        "← ACK seq 2 ack 0 len 0 win 1",
        "← ACK seq 3 ack 0 len 0 win 1",
        "← ACK seq 4 ack 0 len 0 win 1",
      ],
    );
    assert.equal(history[1]?.id, "k1/tcp:10.77.0.60:80-10.77.0.1:40000#1/e/2");
    assert.equal(new Set(history.map((r) => r.id)).size, 4, "ids are unique");
  });

  it("forgets closed connections first when it keeps too many, and counts them", () => {
    const model = new ProtocolModel({ eventsPerItem: 10, itemsPerUnikernel: 2, unikernels: 2 });
    const u = model.open("k1", HELLO);
    const at = (id: string, state: string): TraceEvent => ({ ...tcp("state", 0, state), id });
    model.add(u, at("a", "ESTABLISHED"));
    model.add(u, at("b", "CLOSED"));
    model.add(u, at("c", "SYN-RECEIVED"));
    assert.deepEqual([...u.items.keys()], ["a", "c"]);
    assert.deepEqual(rows(model, children(model)[0]).at(-1), [
      "1 older connections and sessions dropped",
      undefined,
    ]);
  });

  it("keeps the last few unikernels, dropping exited ones first; Clear forgets exited ones", () => {
    const model = new ProtocolModel({ eventsPerItem: 10, itemsPerUnikernel: 10, unikernels: 2 });
    const a = model.open("a", { ...HELLO, pid: 1 });
    model.open("b", { ...HELLO, pid: 2 });
    model.close(a);
    const c = model.open("c", { ...HELLO, pid: 3 });
    assert.deepEqual(
      model.unikernels.map((u) => u.pid),
      [2, 3],
    );
    model.add(c, tcp("state", 0, "ESTABLISHED"));
    model.close(model.unikernels[0] as Unikernel);
    model.clear();
    assert.deepEqual(
      model.unikernels.map((u) => [u.pid, u.items.size]),
      [[3, 0]],
    );
  });
});

describe("extension Protocol view: the channel", () => {
  it("one connection is one unikernel; lines may split anywhere; it is exited once it hangs up", async () => {
    const model = new ProtocolModel();
    const channel = await ProtocolChannel.open(model);
    try {
      let changes = 0;
      model.onChange(() => changes++);
      const text = [
        traceEventJson(tcp("state", 0, "SYN-RECEIVED")), // before the hello: not shown
        JSON.stringify({ morgana: "trace", version: 1, ...HELLO }),
        traceEventJson(tcp("state", 1, "ESTABLISHED", { from: "SYN-RECEIVED", to: "ESTABLISHED" })),
        "not a trace line",
        JSON.stringify({ dropped: 4 }),
        traceEventJson(
          tcp("segment-in", 2, "ESTABLISHED", {
            flags: "ACK",
            seq: 7,
            ack: 1001,
            len: 0,
            window: 1,
          }),
        ),
        "",
      ].join("\n");
      const socket = createConnection(channel.path);
      await new Promise<void>((done) => socket.once("connect", () => done()));
      // Byte by byte in a few writes: a line split across chunks must come out whole.
      for (let i = 0; i < text.length; i += 37) socket.write(text.slice(i, i + 37));
      await new Promise<void>((done) => socket.end(done));
      const deadline = Date.now() + 5000;
      while (model.unikernels[0]?.connected !== false && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const [u] = model.unikernels;
      assert.ok(u, "the unikernel is in the model");
      assert.equal(u.connected, false);
      assert.equal(u.droppedByRuntime, 4);
      const item = [...u.items.values()][0];
      assert.deepEqual(
        item?.events.map((e) => e.event.name),
        ["state", "segment-in"],
      );
      assert.ok(changes >= 3);
      assert.deepEqual(rows(model, children(model)[0]).at(-1), [
        "4 events lost: the unikernel outran the view",
        undefined,
      ]);
    } finally {
      channel.dispose();
    }
  });
});

describe("extension Protocol view: Open Trace File", () => {
  it("a `--trace` file is one exited unikernel named after the file, with the same tree", () => {
    const model = new ProtocolModel();
    const text = [
      traceEventJson(tcp("state", 0, "SYN-RECEIVED", { from: "LISTEN", to: "SYN-RECEIVED" })),
      "{ not an event",
      traceEventJson(tcp("state", 1, "ESTABLISHED", { from: "SYN-RECEIVED", to: "ESTABLISHED" })),
      "",
    ].join("\n");
    assert.equal(model.load("f1", "/ci/run-7/trace.jsonl", text), 1, "one bad line");
    assert.deepEqual(rows(model), [["trace.jsonl", "trace file"]]);
    const file = only(model, undefined, "trace.jsonl");
    assert.equal(present(file).tooltip, "/ci/run-7/trace.jsonl");
    const conn = only(
      model,
      only(model, file, "TCP connections"),
      "tcp:10.77.0.60:80-10.77.0.1:40000#1",
    );
    assert.deepEqual(
      rows(model, only(model, conn, "history")).map(([l]) => l),
      ["state LISTEN → SYN-RECEIVED", "state SYN-RECEIVED → ESTABLISHED"],
    );
  });
});
