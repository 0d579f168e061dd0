/**
 * A light mutation run (the long one: `npx tsx bench/fuzz-tls.ts --count 20000`): one byte of
 * one recorded peer record changed, replayed into a fresh engine. The engine must never throw, and
 * must end either closed with an alert from the closed set, still waiting for bytes (a length
 * grew), or, when the byte did not matter (legacy fields), open.
 */
import assert from "node:assert/strict";
import { mutationRun } from "./mutate.ts";

describe("TLS 1.3 mutation run (light)", function () {
  this.timeout(20000);
  it("100 single-byte mutations of recorded flights: no throw, a known alert or a harmless outcome", () => {
    const outcomes = mutationRun(100, 20261127);
    // Most mutations must be caught; a few land in ignored bytes (legacy_record_version).
    const caught = [...outcomes]
      .filter(([k]) => k !== "open" && k !== "handshaking")
      .reduce((n, [, v]) => n + v, 0);
    assert.ok(caught > 75, JSON.stringify([...outcomes]));
  });
});
