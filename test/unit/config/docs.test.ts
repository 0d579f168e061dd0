import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DEVICE_SCHEMA,
  DEVICE_TYPES,
  type FieldSpec,
  formatDiagnostic,
  parseConfig,
} from "../../../tool/src/config/index.ts";

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
    assert.deepEqual(tls?.options, {
      certificate: "server.pem",
      key: "server.key",
      dev_certificate: false,
      crypto: "native",
    });
  });
});

/** The rows of the first markdown table whose header row starts with `header`. */
function tableAfter(text: string, header: RegExp): string[][] {
  const lines = text.split("\n");
  let i = lines.findIndex((l) => header.test(l));
  assert.ok(i >= 0, `docs/config.md has a table ${header}`);
  const rows: string[][] = [];
  for (i += 2; i < lines.length && lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] as string)
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** What docs/config.md shows as a field's default, from the schema. */
function shownDefault(field: FieldSpec): string {
  if (field.kind === "device") return "auto";
  if (field.required) return "required";
  const d = field.default;
  if (d === undefined) return "none";
  if (typeof d === "number" && field.validate?.("1s").ok) {
    // Durations are shown as written: 10_000 ms -> 10s.
    return `\`${d % 1000 === 0 ? `${d / 1000}s` : `${d}ms`}\``;
  }
  return `\`${String(d)}\``;
}

describe("config: docs/config.md and the schema (hover's source) say the same", () => {
  it("lists each device type's fields, in the schema's order", () => {
    const rows = tableAfter(markdown, /^\| type +\| fields +\| provides a stack/);
    for (const type of DEVICE_TYPES) {
      const row = rows.find((r) => r[0] === `\`${type}\``);
      assert.ok(row, `a row for ${type}`);
      const fields = Object.keys(DEVICE_SCHEMA[type].fields);
      assert.equal(
        row[1],
        fields.length === 0 ? "none" : fields.map((f) => `\`${f}\``).join(", "),
        type,
      );
    }
  });

  it("gives every field its default (or required / auto), and no field the schema lacks", () => {
    const rows = tableAfter(markdown, /^\| type +\| field +\| required \/ default/);
    const documented = new Set(rows.map((r) => `${r[0]} ${r[1]}`));
    for (const type of DEVICE_TYPES) {
      for (const [name, field] of Object.entries(DEVICE_SCHEMA[type].fields)) {
        const row = rows.find((r) => r[0] === `\`${type}\`` && r[1] === `\`${name}\``);
        assert.ok(row, `docs/config.md documents ${type}.${name}`);
        assert.equal(row[2], shownDefault(field), `${type}.${name}'s default`);
        documented.delete(`\`${type}\` \`${name}\``);
      }
    }
    assert.deepEqual([...documented], [], "documented fields the schema does not have");
  });
});
