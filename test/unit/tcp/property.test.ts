import assert from "node:assert/strict";
import fc from "fast-check";
import { equalBytes } from "../../../stack/bytes/index.ts";
import { rng } from "../../helpers/rng.ts";
import { receivedBytes, runTransfer } from "./link.ts";

/** Default runs keep `npm test` fast; TCP_PROPERTY_RUNS=500 for a long soak. */
const RUNS = Number(process.env.TCP_PROPERTY_RUNS ?? 20);

function stream(seed: number, n: number): Uint8Array {
  const next = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

describe("tcp property: two cores over a lossy, reordering, duplicating link", () => {
  it(`always deliver both byte streams exactly and close cleanly (${RUNS} runs)`, function () {
    this.timeout(120_000);
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 0x7fffffff }),
          loss: fc.double({ min: 0, max: 0.25, noNaN: true }),
          duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          corrupt: fc.double({ min: 0, max: 0.05, noNaN: true }),
          delayMs: fc.integer({ min: 0, max: 50 }),
          jitterMs: fc.integer({ min: 0, max: 40 }),
          aSize: fc.integer({ min: 0, max: 60_000 }),
          bSize: fc.integer({ min: 0, max: 60_000 }),
          timestamps: fc.boolean(),
          sack: fc.boolean(),
          windowScaling: fc.boolean(),
          smallBuffers: fc.boolean(),
          mss: fc.constantFrom(536, 1000, 1460),
        }),
        (p) => {
          const aBytes = stream(p.seed, p.aSize);
          const bBytes = stream(p.seed + 1, p.bSize);
          const options = {
            timestamps: p.timestamps,
            sack: p.sack,
            windowScaling: p.windowScaling,
            mss: p.mss,
            minRtoMs: 200,
            ...(p.smallBuffers ? { sendBufferBytes: 3000, receiveBufferBytes: 4000 } : {}),
          };
          const r = runTransfer(p.seed, p, aBytes, bBytes, options);
          assert.deepEqual(r.a.errors, [], "side A saw no error");
          assert.deepEqual(r.b.errors, [], "side B saw no error");
          assert.ok(equalBytes(receivedBytes(r.b), aBytes), `B got A's ${p.aSize} bytes`);
          assert.ok(equalBytes(receivedBytes(r.a), bBytes), `A got B's ${p.bSize} bytes`);
          assert.ok(r.a.gotEnd && r.b.gotEnd, "both saw the end of stream");
          assert.equal(r.a.core.liveConnections, 0, "A freed its connection");
          assert.equal(r.b.core.liveConnections, 0, "B freed its connection");
          assert.equal(r.a.core.pollAt(), null);
          assert.equal(r.b.core.pollAt(), null);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.TCP_PROPERTY_SEED ?? 20261127) },
    );
  });
});

describe("tcp property: an off-path attacker injecting guessed segments (RFC 5961)", () => {
  it(`forged RSTs, SYNs and data with guessed numbers never break or corrupt a transfer (${RUNS} runs)`, function () {
    this.timeout(120_000);
    let forged = 0;
    let answered = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 0x7fffffff }),
          blind: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
          loss: fc.double({ min: 0, max: 0.1, noNaN: true }),
          aSize: fc.integer({ min: 0, max: 40_000 }),
          bSize: fc.integer({ min: 0, max: 40_000 }),
        }),
        (p) => {
          const aBytes = stream(p.seed, p.aSize);
          const bBytes = stream(p.seed + 1, p.bSize);
          const faults = {
            loss: p.loss,
            duplicate: 0,
            corrupt: 0,
            delayMs: 5,
            jitterMs: 5,
            blind: p.blind,
          };
          const r = runTransfer(p.seed, faults, aBytes, bBytes, { minRtoMs: 200 });
          assert.deepEqual([r.a.errors, r.b.errors], [[], []]);
          assert.ok(equalBytes(receivedBytes(r.b), aBytes), "B got exactly A's bytes");
          assert.ok(equalBytes(receivedBytes(r.a), bBytes), "A got exactly B's bytes");
          assert.equal(r.a.core.liveConnections + r.b.core.liveConnections, 0);
          forged += r.forged;
          const c = [r.a.core.counters, r.b.core.counters];
          answered += c.reduce((n, k) => n + k.challengeAcks + k.outOfWindow + k.noConnection, 0);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.TCP_PROPERTY_SEED ?? 20261127) },
    );
    // The attack happened, and was answered (challenge ACKs, ACKs, RSTs), not obeyed.
    assert.ok(forged > 100 && answered > 0, `${forged} forged, ${answered} answered`);
  });
});
