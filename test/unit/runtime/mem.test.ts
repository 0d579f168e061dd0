import assert from "node:assert/strict";
import { flowPair, ManualClock, MemStack, settle } from "@morgana/runtime-mem";
import { StackError } from "@morgana/stack/devices";

const bytes = (n: number) => new Uint8Array(n).fill(7);

describe("runtime-mem: in-memory devices", () => {
  it("flows carry bytes both ways and push back above the high-water mark", async () => {
    const [a, b] = flowPair(10);
    await a.write(bytes(4));
    assert.deepEqual(await b.read(), bytes(4));
    let resumed = false;
    const blocked = a.write(bytes(11)).then(() => {
      resumed = true;
    });
    await settle();
    assert.equal(resumed, false, "above the mark the writer waits");
    assert.equal((await b.read())?.length, 11);
    await blocked;
    assert.equal(resumed, true);
    await b.writev([bytes(1), bytes(2)]);
    assert.equal((await a.read())?.length, 3, "writev joins its buffers");
  });

  it("shutdown ends the peer's stream; close fails the peer's writes; destroy resets", async () => {
    const [a, b] = flowPair();
    await a.shutdown();
    assert.equal(await b.read(), null);
    await b.write(bytes(1));
    assert.equal((await a.read())?.length, 1, "half-closed: the other way still works");
    await a.close();
    await assert.rejects(
      b.write(bytes(1)),
      (e: unknown) => e instanceof StackError && e.code === "reset",
    );
    const [c, d] = flowPair();
    const reading = d.read();
    c.destroy();
    await assert.rejects(reading, (e: unknown) => e instanceof StackError && e.code === "reset");
  });

  it("a stack's connect reaches its own listener; a taken port is refused", async () => {
    const stack = new MemStack();
    const got: string[] = [];
    const l = await stack.tcp.listen(80, (flow) => {
      got.push(`${flow.local.address}:${flow.local.port}`);
    });
    const client = await stack.tcp.connect({ address: "10.0.0.2", port: 80 });
    assert.equal(client.remote.port, 80);
    assert.deepEqual(got, ["10.0.0.2:80"]);
    await assert.rejects(
      stack.tcp.listen(80, () => {}),
      /port 80 taken/,
    );
    await l.close();
    assert.throws(
      () => stack.connect(80),
      (e: unknown) => e instanceof StackError && e.code === "connection-refused",
    );
  });

  it("the manual clock wakes sleepers only when moved past their time", async () => {
    const clock = new ManualClock();
    const woke: number[] = [];
    void clock.sleepNs(5_000_000n).then(() => woke.push(5));
    void clock.sleepNs(10_000_000n).then(() => woke.push(10));
    await clock.advanceMs(4);
    assert.deepEqual(woke, []);
    await clock.advanceNs(1_000_000n);
    assert.deepEqual(woke, [5]);
    assert.equal(clock.pendingSleeps, 1);
    await clock.advanceMs(5);
    assert.deepEqual(woke, [5, 10]);
    assert.equal(clock.monotonicNs(), 10_000_000n);
    assert.equal(clock.wallMs(), Date.UTC(2024, 0, 2, 3, 4, 5) + 10);
  });
});
