import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createClock, createConsole, createRandom } from "@morgana/runtime-unix";
import { NS_PER_MS } from "@morgana/stack/devices";

describe("unix devices: random, clock, console", () => {
  it("random fills buffers larger than one getRandomValues call, all of them", () => {
    const buf = createRandom().fill(new Uint8Array(200_000));
    // 200,000 random bytes: every value occurs, and no 64 KiB stretch is left zero.
    const seen = new Set(buf);
    assert.equal(seen.size, 256);
    for (const at of [0, 65_536, 131_072, 196_608]) {
      assert.ok(
        buf.subarray(at, at + 1024).some((b) => b !== 0),
        `bytes at ${at} were filled`,
      );
    }
  });

  it("the monotonic clock never goes back and sleepNs waits at least as long as asked", async () => {
    const clock = createClock();
    const before = clock.monotonicNs();
    await clock.sleepNs(20n * NS_PER_MS);
    const slept = clock.monotonicNs() - before;
    assert.ok(slept >= 20n * NS_PER_MS, `slept ${slept} ns`);
    assert.ok(Math.abs(clock.wallMs() - Date.now()) < 1000);
  });

  it("the console writes lines and raw bytes, in order", async () => {
    let text = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const console = createConsole(sink);
    await console.log("one");
    await console.write(new TextEncoder().encode("two"));
    await console.log("");
    assert.equal(text, "one\ntwo\n");
  });
});
