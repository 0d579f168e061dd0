import assert from "node:assert/strict";
import { parseConfig } from "../../../tool/src/config/index.ts";
import { rng } from "../../helpers/rng.ts";

const BASE = `name: site
main: src/unikernel.ts
devices:
  console: {}
  clock: {}
  htdocs: { type: kv_ro, path: htdocs }
  net: { type: net, ipv4: 10.0.0.2/24, gateway: 10.0.0.1 }
  keys: { type: kv_ro, path: keys }
  tls: { type: tls, stack: net, keys: keys }
  http: { type: http, port: 443, stack: tls, request_timeout: 5s }
targets:
  unix:
    ports: ["8443:443", 5353/udp]
  cubieboard2:
    memory: 256M
`;
const PIECES = [
  ":",
  " ",
  "\n",
  "  ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  "&a",
  "*a",
  "!!int ",
  "#",
  '"',
  "'",
  "\t",
  "devices",
  "type",
  "0",
];

/**
 * The language server parses unikernel.yaml on every keystroke: whatever the text, the model
 * must answer with diagnostics (never throw), each inside the file.
 */
describe("config: fuzzing with edited files", () => {
  it("never throws, and every diagnostic points inside the file (3,000 edits)", function () {
    // About 8 s of CPU: on a shared, loaded machine that can take far longer. Not a timed test.
    this.timeout(120_000);
    for (let seed = 1; seed <= 3_000; seed++) {
      const next = rng(seed);
      let text = BASE;
      const edits = 1 + Math.floor(next() * 5);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (text.length + 1));
        const op = next();
        if (op < 0.5)
          text = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
        else text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 6));
      }
      let result: ReturnType<typeof parseConfig>;
      try {
        result = parseConfig(text, "unikernel.yaml");
      } catch (err) {
        assert.fail(`seed ${seed}: threw ${(err as Error).stack}\n---\n${text}`);
      }
      const lines = text.split("\n");
      const hasError = result.diagnostics.some((d) => d.severity === "error");
      assert.equal(result.config === undefined, hasError, `seed ${seed}: config iff no errors`);
      for (const d of result.diagnostics) {
        const { line, col } = d.span;
        assert.ok(
          line >= 1 && line <= lines.length + 1,
          `seed ${seed}: line ${line} of ${lines.length}`,
        );
        assert.ok(
          col >= 1 && col <= (lines[line - 1]?.length ?? 0) + 2,
          `seed ${seed}: col ${col} on line ${line}`,
        );
        assert.ok(d.message.length > 0);
      }
    }
  });
});
