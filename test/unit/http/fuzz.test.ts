import assert from "node:assert/strict";
import { latin1Encode } from "../../../stack/bytes/index.ts";
import { HttpConnection, type ParseResult, RequestParser } from "../../../stack/http/index.ts";
import { rng } from "../../helpers/rng.ts";

const SEEDS = [
  "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
  "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
  "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: v\r\n\r\n",
  "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
];
const INTERESTING = [..."\r\n :;,\t\0\x7f\xff0123456789abcdefABCDEF-/?#%"].map((c) =>
  c.charCodeAt(0),
);
const STATUSES = new Set([400, 408, 413, 414, 431, 501, 505]);

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const byte =
      next() < 0.7
        ? (INTERESTING[Math.floor(next() * INTERESTING.length)] as number)
        : Math.floor(next() * 256);
    const op = next();
    if (op < 0.4) out[at] = byte;
    else if (op < 0.7) out.splice(at, 0, byte);
    else if (op < 0.9) out.splice(at, 1 + Math.floor(next() * 8));
    else out.splice(at, 0, ...out.slice(0, Math.floor(next() * 64)));
  }
  return Uint8Array.from(out);
}

function checkResult(r: ParseResult, seed: number): void {
  assert.ok(["ok", "need-more", "error"].includes(r.kind), `seed ${seed}: kind ${r.kind}`);
  if (r.kind === "error") assert.ok(STATUSES.has(r.status), `seed ${seed}: status ${r.status}`);
}

/**
 * Network input never throws out of the stack: mutated requests, fed whole or in random
 * pieces, always come back as a request, need-more or an error status, and the connection
 * state machine always ends in an answer or a close.
 */
describe("http: fuzzing the parser and the connection with mutated requests", () => {
  it("the parser never throws and answers only known statuses (20,000 inputs)", () => {
    for (let seed = 1; seed <= 20_000; seed++) {
      const next = rng(seed);
      const input = mutate(latin1Encode(SEEDS[seed % SEEDS.length] as string), next);
      const parser = new RequestParser({ maxBodyBytes: 1024 });
      let buf = input;
      // Feed in random pieces: parse, drop what was consumed, add more.
      let fed = 0;
      let pending = new Uint8Array(0);
      while (fed < buf.length) {
        const take = 1 + Math.floor(next() * 32);
        const piece = buf.subarray(fed, fed + take);
        fed += piece.length;
        const joined = new Uint8Array(pending.length + piece.length);
        joined.set(pending);
        joined.set(piece, pending.length);
        pending = joined;
        let r: ParseResult;
        try {
          r = parser.parse(pending);
        } catch (e) {
          assert.fail(`seed ${seed}: parse threw ${(e as Error).message}`);
        }
        checkResult(r, seed);
        if (r.kind === "error") break;
        if (r.kind === "ok") {
          pending = pending.subarray(r.consumed);
          parser.reset();
        }
      }
      buf = new Uint8Array(0);
    }
  });

  it("the connection answers or closes on every mutated input, never throwing (5,000 inputs)", () => {
    for (let seed = 1; seed <= 5_000; seed++) {
      const next = rng(seed * 7919);
      const input = mutate(latin1Encode(SEEDS[seed % SEEDS.length] as string), next);
      const conn = new HttpConnection({}, 0n);
      let now = 0n;
      try {
        conn.receive(input, now);
        for (let round = 0; round < 4; round++) {
          for (const { id } of conn.takeRequests())
            conn.respond(id, { status: 200, body: "ok" }, now);
          conn.takeOutput(0);
          conn.flushed(now);
        }
        conn.peerClosed(now);
        now += 60_000_000_000n;
        conn.tick(now);
        conn.takeOutput(0);
      } catch (e) {
        assert.fail(`seed ${seed}: connection threw ${(e as Error).message}`);
      }
      assert.equal(conn.closed, true, `seed ${seed}: the connection ends once the peer is gone`);
    }
  });
});
