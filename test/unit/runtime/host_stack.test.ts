import assert from "node:assert/strict";
import { connect } from "node:net";
import { createHostStack } from "@morgana/runtime-unix";
import { StackError } from "@morgana/stack/devices";

describe("unix stack: host sockets as Flows", function () {
  this.timeout(10_000);
  it("round-trips bytes over a real loopback connection, client and server both Flows", async () => {
    const server = createHostStack();
    const client = createHostStack();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const listener = await server.tcp.listen(port, async (flow) => {
      const chunk = await flow.read();
      await flow.writev([new TextEncoder().encode("echo:"), chunk ?? new Uint8Array()]);
      await flow.close();
    });
    const flow = await client.tcp.connect({ address: "127.0.0.1", port });
    await flow.write(new TextEncoder().encode("ping"));
    let reply = "";
    for (let c = await flow.read(); c !== null; c = await flow.read())
      reply += new TextDecoder().decode(c);
    assert.equal(reply, "echo:ping");
    await flow.close();
    await listener.close();
    await server.close();
    await client.close();
  });

  it("rejects listen on a taken port with StackError address-in-use, naming the forward", async () => {
    const blocker = createHostStack();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const l = await blocker.tcp.listen(port, (f) => void f.close());
    const stack = createHostStack({ tcpPorts: { 80: port } });
    await assert.rejects(
      stack.tcp.listen(80, (f) => void f.close()),
      (err: unknown) =>
        err instanceof StackError &&
        err.code === "address-in-use" &&
        err.message.includes(`127.0.0.1:${port} (forwarded to the unikernel's port 80)`),
    );
    await l.close();
    await blocker.close();
  });

  it("rejects connect to a closed port with StackError connection-refused", async () => {
    const stack = createHostStack();
    await assert.rejects(stack.tcp.connect({ address: "127.0.0.1", port: 1 }), (err: unknown) => {
      return err instanceof StackError && err.code === "connection-refused";
    });
  });

  it("applies backpressure: write resolves only once the peer drains", async () => {
    const stack = createHostStack();
    const port = 20000 + Math.floor(Math.random() * 20000);
    let writes = 0;
    let sawPending = false;
    const done = new Promise<void>((finish) => {
      void stack.tcp.listen(port, async (flow) => {
        const big = new Uint8Array(1 << 20);
        for (let i = 0; i < 16; i++) {
          const p = flow.write(big);
          let settled = false;
          void p.then(() => {
            settled = true;
          });
          await new Promise((r) => setImmediate(r));
          if (!settled) sawPending = true;
          await p;
          writes++;
        }
        await flow.close();
        finish();
      });
    });
    // A slow reader: connect, wait, then drain everything.
    const sock = connect({ host: "127.0.0.1", port });
    sock.pause();
    const closed = new Promise((r) => sock.on("close", r));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(writes < 16, "the writer must be held back while nobody reads");
    let received = 0;
    sock.on("data", (d) => {
      received += d.length;
    });
    sock.resume();
    await done;
    await closed;
    assert.equal(received, 16 << 20);
    assert.ok(sawPending);
    await stack.close();
  });

  it("sends and receives UDP datagrams, with the sender's endpoint", async () => {
    const a = createHostStack();
    const b = createHostStack();
    const got = new Promise<{ text: string; from: number }>((done) => {
      void b.udp
        .bind(0, (d) => done({ text: new TextDecoder().decode(d.data), from: d.from.port }))
        .then(async (sb) => {
          const sa = await a.udp.bind(0, () => {});
          await sa.send(
            { address: "127.0.0.1", port: sb.port },
            new TextEncoder().encode("datagram"),
          );
        });
    });
    const { text, from } = await got;
    assert.equal(text, "datagram");
    assert.ok(from > 0);
    await a.close();
    await b.close();
  });
});
