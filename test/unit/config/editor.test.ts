import assert from "node:assert/strict";
import { completionsAt, hoverAt, offsetAt, placeAt } from "../../../tool/src/config/index.ts";

function labels(withCursor: string): string[] {
  const { text, line, col } = cursor(withCursor);
  return completionsAt(text, line, col).map((c) => c.label);
}

/** A config being typed: `|` marks the cursor, removed before the call. */
function cursor(withCursor: string): { text: string; line: number; col: number } {
  const offset = withCursor.indexOf("|");
  const text = withCursor.slice(0, offset) + withCursor.slice(offset + 1);
  const before = text.slice(0, offset).split("\n");
  return { text, line: before.length, col: (before.at(-1) as string).length + 1 };
}

const HEAD = "name: site\nmain: src/unikernel.ts\n";

describe("config editor support: place, completion, hover", () => {
  it("offsetAt maps 1-based line:col to offsets, clamped to the line", () => {
    const text = "ab\ncde\n";
    assert.equal(offsetAt(text, 1, 1), 0);
    assert.equal(offsetAt(text, 2, 2), 4);
    assert.equal(offsetAt(text, 2, 99), 6);
    assert.equal(offsetAt(text, 9, 1), text.length);
  });

  it("finds the mapping and role under the cursor, in block and flow style", () => {
    const c1 = cursor(`${HEAD}devices:\n  http:\n    type: http\n    po|\n`);
    assert.deepEqual(placeAt(c1.text, c1.line, c1.col), {
      path: ["devices", "http"],
      role: "key",
      prefix: "po",
    });
    const c2 = cursor(`${HEAD}devices:\n  web: { type: http, st| }\n`);
    assert.deepEqual(placeAt(c2.text, c2.line, c2.col).path, ["devices", "web"]);
    const c3 = cursor(`${HEAD}devices:\n  net:\n    ipv4: d|\n`);
    assert.deepEqual(placeAt(c3.text, c3.line, c3.col), {
      path: ["devices", "net"],
      role: "value",
      key: "ipv4",
      prefix: "d",
    });
  });

  it("completes top-level keys not yet written", () => {
    assert.deepEqual(labels(`name: site\n|`), ["main", "devices", "targets"]);
    assert.deepEqual(labels(`name: site\nd|`), ["devices"]);
  });

  it("completes a device's fields from its type's schema, without those already there", () => {
    assert.deepEqual(labels(`${HEAD}devices:\n  http:\n    type: http\n    |`).sort(), [
      "clock",
      "header_timeout",
      "idle_timeout",
      "port",
      "request_timeout",
      "send_timeout",
      "stack",
    ]);
    assert.deepEqual(labels(`${HEAD}devices:\n  web: { type: http, st| }\n`), ["stack"]);
  });

  it("completes device types, and device names of the right type for dependencies", () => {
    assert.ok(labels(`${HEAD}devices:\n  site: { type: kv| }\n`).includes("kv_ro"));
    const text = `${HEAD}devices:\n  clock: {}\n  net: { type: net }\n  keys: { type: kv_ro, path: k }\n  tls: { type: tls, keys: keys }\n  http:\n    stack: |\n`;
    assert.deepEqual(labels(text).sort(), ["net", "tls"]);
    assert.deepEqual(labels(text.replace("stack: |", "clock: |")), ["clock"]);
  });

  it("completes keywords (ipv4: dhcp), target names and target fields", () => {
    assert.deepEqual(labels(`${HEAD}devices:\n  net:\n    ipv4: d|\n`), ["dhcp"]);
    assert.deepEqual(labels(`${HEAD}targets:\n  unix: {}\n  |`), ["direct", "cubieboard2", "xen"]);
    assert.deepEqual(labels(`${HEAD}targets:\n  unix:\n    |`), ["memory", "ports"]);
  });

  it("offers device types as names under devices:", () => {
    const got = labels(`${HEAD}devices:\n  console: {}\n  c|`);
    assert.deepEqual(got, ["clock"]);
  });

  it("hovers keys, device names and device types with the schema's docs", () => {
    const text = `${HEAD}devices:\n  net: { type: net, ipv4: dhcp }\n  http:\n    port: 80\ntargets:\n  unix: {}\n`;
    assert.match(hoverAt(text, 4, 3)?.contents ?? "", /^\*\*net\*\*: net device\./);
    assert.match(
      hoverAt(text, 4, 22)?.contents ?? "",
      /^\*\*ipv4\*\*: .*\n\nExpected: dhcp or an address/,
    );
    assert.match(
      hoverAt(text, 6, 6)?.contents ?? "",
      /^\*\*port\*\*: The TCP port[\s\S]*Default: `80`/,
    );
    assert.match(hoverAt(text, 8, 4)?.contents ?? "", /^\*\*unix\*\* target: /);
    assert.match(hoverAt(text, 4, 16)?.contents ?? "", /^\*\*net\*\*: A network interface/);
    assert.match(hoverAt(text, 1, 2)?.contents ?? "", /^\*\*name\*\*: /);
    assert.equal(hoverAt(text, 6, 12), null, "nothing over a number");
  });

  it("never throws on half-written text", () => {
    const text = `${HEAD}devices:\n  http: { type: http, port: [\n  : :\n- x\n  net:\n`;
    for (let line = 1; line <= 8; line++) {
      for (let col = 1; col <= 30; col++) {
        completionsAt(text, line, col);
        hoverAt(text, line, col);
      }
    }
  });
});
