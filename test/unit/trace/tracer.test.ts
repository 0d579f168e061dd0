import assert from "node:assert/strict";
import {
  fanOut,
  filterTracer,
  parseTraceEventJson,
  type TraceEvent,
  TraceRecorder,
  traceEventJson,
} from "../../../stack/trace/index.ts";

function ev(n: number, over: Partial<TraceEvent> = {}): TraceEvent {
  return { layer: "tcp", id: `c${n % 2}`, name: `e${n}`, atNs: BigInt(n), state: { n }, ...over };
}

describe("trace: recorder", () => {
  it("keeps the newest `limit` events, oldest first, and counts the dropped ones", () => {
    const r = new TraceRecorder(3);
    for (let i = 0; i < 7; i++) r.event(ev(i));
    assert.deepEqual(
      r.events.map((e) => e.name),
      ["e4", "e5", "e6"],
    );
    assert.equal(r.dropped, 4);
    r.clear();
    assert.equal(r.events.length, 0);
    assert.equal(r.dropped, 0);
    r.event(ev(9));
    assert.deepEqual(
      r.events.map((e) => e.name),
      ["e9"],
    );
  });

  it("finds by layer, name and id", () => {
    const r = new TraceRecorder();
    r.event(ev(1));
    r.event(ev(2));
    r.event(ev(3, { layer: "http", name: "request" }));
    assert.equal(r.find("tcp").length, 2);
    assert.deepEqual(
      r.find("tcp", undefined, "c0").map((e) => e.name),
      ["e2"],
    );
    assert.deepEqual(
      r.find("http", "request").map((e) => e.atNs),
      [3n],
    );
    assert.deepEqual(r.find("tcp", "request"), []);
  });

  it("refuses a limit below one", () => {
    assert.throws(() => new TraceRecorder(0), RangeError);
    assert.throws(() => new TraceRecorder(Number.NaN), RangeError);
  });
});

describe("trace: fanOut and filterTracer", () => {
  it("fanOut gives every event to each tracer, in order", () => {
    const a = new TraceRecorder();
    const b = new TraceRecorder();
    const t = fanOut(a, b);
    t.event(ev(1));
    t.event(ev(2));
    assert.deepEqual(a.events, b.events);
    assert.equal(a.events.length, 2);
  });

  it("filterTracer passes only what `keep` accepts", () => {
    const r = new TraceRecorder();
    const t = filterTracer(r, (e) => e.id === "c1");
    for (let i = 0; i < 6; i++) t.event(ev(i));
    assert.deepEqual(
      r.events.map((e) => e.name),
      ["e1", "e3", "e5"],
    );
  });
});

describe("trace: JSON lines", () => {
  it("round-trips an event, bigint time and nested detail included", () => {
    const e: TraceEvent = {
      layer: "http",
      id: "http:80#0-10.0.0.1:40000",
      name: "response",
      atNs: 123_456_789_012_345_678_901n,
      state: { state: "reading", pending: 0, writing: false, tags: ["a", null] },
      detail: { status: 200, bytes: 1234, nested: { ok: true } },
    };
    const line = traceEventJson(e);
    assert.ok(!line.includes("\n"));
    assert.match(line, /"atNs":"123456789012345678901"/);
    assert.deepEqual(parseTraceEventJson(line), e);
  });

  it("answers null for lines that are not events", () => {
    for (const bad of [
      "",
      "not json",
      "null",
      "[]",
      '{"layer":"tcp","id":"x","name":"n","atNs":5,"state":{}}',
      '{"layer":"tcp","id":"x","name":"n","atNs":"-5","state":{}}',
      '{"layer":"tcp","id":"x","name":"n","atNs":"5"}',
      '{"id":"x","name":"n","atNs":"5","state":{}}',
    ]) {
      assert.equal(parseTraceEventJson(bad), null, bad);
    }
  });
});
