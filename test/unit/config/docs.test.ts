import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatDiagnostic, parseConfig } from "../../../tool/src/config/index.ts";

const docsPath = fileURLToPath(new URL("../../../docs/config.md", import.meta.url));
const markdown = readFileSync(docsPath, "utf8");

/** The ```yaml blocks of docs/config.md, with the line each starts on. */
function yamlBlocks(text: string): { line: number; body: string }[] {
  const blocks: { line: number; body: string }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== "```yaml") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== "```") end++;
    blocks.push({ line: start + 1, body: `${lines.slice(start, end).join("\n")}\n` });
    i = end;
  }
  return blocks;
}

describe("config: docs/config.md examples", () => {
  const blocks = yamlBlocks(markdown);

  it("has the examples this test expects", () => {
    assert.equal(blocks.length, 4);
  });

  for (const block of blocks) {
    it(`example at docs/config.md:${block.line} is valid, without warnings`, () => {
      const { config, diagnostics } = parseConfig(block.body, "unikernel.yaml");
      assert.deepEqual(diagnostics.map(formatDiagnostic), []);
      assert.ok(config);
    });
  }

  it("first example: http is auto-wired to net and clock", () => {
    const first = blocks[0];
    assert.ok(first);
    const { config } = parseConfig(first.body, "unikernel.yaml");
    const http = config?.devices.find((d) => d.name === "http");
    assert.deepEqual(http?.deps, { stack: "net", clock: "clock" });
    assert.deepEqual(http?.options, {
      port: 80,
      header_timeout: 10_000,
      request_timeout: 60_000,
      idle_timeout: 5000,
      send_timeout: 60_000,
    });
    assert.equal(config?.targets.cubieboard2?.memoryBytes, 256 * 1024 * 1024);
  });

  it("https example: tls sits between net and http, with default-free options", () => {
    const https = blocks[1];
    assert.ok(https);
    const { config } = parseConfig(https.body, "unikernel.yaml");
    const names = config?.devices.map((d) => d.name) ?? [];
    assert.ok(names.indexOf("net") < names.indexOf("tls"));
    assert.ok(names.indexOf("tls") < names.indexOf("http"));
    const tls = config?.devices.find((d) => d.name === "tls");
    assert.deepEqual(tls?.deps, { stack: "net", keys: "certs" });
    assert.deepEqual(tls?.options, { certificate: "server.pem", key: "server.key" });
  });
});
