import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { closeTrace, openTrace, tracer } from "@morgana/runtime-unix";
import { parseTraceEventJson, type TraceEvent } from "../../../stack/trace/index.ts";
import { openTraceChannel, parseTraceLine, type TraceSource } from "../../../tool/src/api/trace.ts";
import { removeDir, tempDir } from "../../e2e/lib/morgana.ts";

const event = (i: number): TraceEvent => ({
  layer: "tcp",
  id: "tcp:10.0.0.2:80-10.0.0.1:40000#1",
  name: "segment-in",
  atNs: 1_000_000_000_000n + BigInt(i),
  state: { state: "ESTABLISHED", sndUna: i },
  detail: { flags: "A", seq: i, len: 0 },
});

describe("trace channel (runtime/unix trace.ts to tool/src/api/trace.ts)", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir("trace-channel");
  });
  afterEach(async () => {
    await closeTrace();
    removeDir(dir);
  });

  it("no MORGANA_TRACE: no tracer at all", () => {
    openTrace({ name: "u", target: "unix" }, {});
    assert.equal(tracer(), undefined);
  });

  it("carries every event, in order, to listeners and the file, under the hello's name", async () => {
    const file = join(dir, "t.jsonl");
    const host = await openTraceChannel(file);
    const got: [TraceEvent, TraceSource][] = [];
    host.onEvent((e, s) => got.push([e, s]));
    openTrace({ name: "site", target: "direct" }, { MORGANA_TRACE: host.path });
    const t = tracer();
    assert.ok(t, "a tracer once MORGANA_TRACE names a channel");
    for (let i = 0; i < 1000; i++) t.event(event(i));
    await closeTrace();
    await host.close();
    assert.equal(host.events, 1000);
    assert.equal(host.dropped, 0);
    assert.deepEqual(
      got.map(([e]) => e),
      Array.from({ length: 1000 }, (_, i) => event(i)),
    );
    assert.deepEqual(got[0]?.[1], { name: "site", target: "direct", pid: process.pid });
    const lines = readFileSync(file, "utf8").split("\n");
    assert.equal(lines.pop(), "", "the file ends with a newline");
    assert.equal(lines.length, 1000, "one line per event, no hello in the file");
    assert.deepEqual(parseTraceEventJson(lines[999] as string), event(999));
  });

  it("an event JSON cannot hold is dropped and counted, not thrown into the core", async () => {
    const host = await openTraceChannel();
    openTrace({ name: "u", target: "unix" }, { MORGANA_TRACE: host.path });
    const t = tracer();
    assert.ok(t);
    t.event({ ...event(0), detail: { bad: 1n as unknown as number } });
    t.event(event(1));
    await closeTrace();
    await host.close();
    assert.equal(host.events, 1);
    assert.equal(host.dropped, 1);
  });

  it("a channel nobody listens on costs the unikernel one stderr line, no crash", async () => {
    openTrace({ name: "u", target: "unix" }, { MORGANA_TRACE: join(dir, "nobody.sock") });
    const t = tracer();
    assert.ok(t);
    t.event(event(0));
    await closeTrace();
  });

  it("reads the channel's line kinds", () => {
    assert.deepEqual(parseTraceLine('{"dropped":3}'), { kind: "dropped", count: 3 });
    assert.deepEqual(
      parseTraceLine('{"morgana":"trace","version":1,"name":"a","target":"unix","pid":7}'),
      { kind: "hello", source: { name: "a", target: "unix", pid: 7 } },
    );
    assert.equal(parseTraceLine("not json").kind, "other");
    assert.equal(parseTraceLine("[1]").kind, "other");
  });
});
