import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { diagnose } from "../../language-server/src/server.ts";
import { morgana, removeDir, tempDir } from "./lib/morgana.ts";

const HEAD = "name: bad\nmain: src/unikernel.ts\n";
const START =
  'import type { Devices } from "morgana:devices";\nexport async function start(_d: Devices) {}\n';

/** Bad configs, target-dependent ones included: each must read the same in both places. */
const CASES: { name: string; yaml: string; target?: string; entry?: boolean; codes: string[] }[] = [
  { name: "malformed YAML", yaml: `${HEAD}devices: { console: {}\n`, codes: ["yaml-syntax"] },
  { name: "unknown key", yaml: `${HEAD}devics:\n  console: {}\n`, codes: ["unknown-key"] },
  {
    name: "wrong type",
    yaml: `${HEAD}devices:\n  clock: {}\n  net: {}\n  http: { port: eighty }\n`,
    codes: ["wrong-type"],
  },
  {
    name: "missing dependency",
    yaml: `${HEAD}devices:\n  clock: {}\n  http: { type: http, port: 80, stack: nonet }\n`,
    codes: ["missing-dependency"],
  },
  {
    name: "dependency cycle",
    yaml: `${HEAD}devices:\n  keys: { type: kv_ro, path: . }\n  a: { type: tls, stack: b }\n  b: { type: tls, stack: a }\n`,
    codes: ["dependency-cycle"],
  },
  {
    name: "missing entry module",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    entry: false,
    codes: ["missing-entry"],
  },
  {
    name: "a device unix lacks (kv_rw)",
    yaml: `${HEAD}devices:\n  store: { type: kv_rw, path: data }\n`,
    codes: ["unsupported-device"],
  },
  {
    name: "two devices unix lacks (block, dns)",
    yaml: `${HEAD}devices:\n  disk: { type: block, path: disk.img }\n  net: {}\n  dns: { stack: net, server: 10.0.0.1 }\n`,
    codes: ["unsupported-device", "unsupported-device"],
  },
  {
    name: "a target that is not there yet",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    target: "xen",
    codes: ["target-unavailable"],
  },
  {
    name: "an unknown target",
    yaml: `${HEAD}devices:\n  console: {}\n`,
    target: "unx",
    codes: ["unknown-target"],
  },
  {
    name: "a warning only (gateway with dhcp) is no failure",
    yaml: `${HEAD}devices:\n  net: { ipv4: dhcp, gateway: 10.0.0.1 }\n`,
    codes: ["bad-value"],
  },
];

interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  file?: string;
  span?: { line: number; col: number; endLine: number; endCol: number };
  path?: string;
  suggestion?: string;
}

/** The editor's words for a CLI diagnostic: the message with its key path and did-you-mean. */
const editorText = (d: JsonDiagnostic) =>
  `${d.path ? `${d.path}: ` : ""}${d.message}${d.suggestion ? ` (did you mean "${d.suggestion}"?)` : ""}`;

describe("e2e: the editor and the CLI give the same diagnostics", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tempDir("agree");
      dirs.push(dir);
      mkdirSync(join(dir, "src"));
      if (c.entry !== false) writeFileSync(join(dir, "src", "unikernel.ts"), START);
      const file = join(dir, "unikernel.yaml");
      writeFileSync(file, c.yaml);
      const target = c.target ?? "unix";

      const cli = await morgana(["configure", "-t", target, "--json"], dir);
      const result = JSON.parse(cli.stdout) as { ok: boolean; diagnostics: JsonDiagnostic[] };
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      assert.equal(result.ok, errors.length === 0, cli.stdout);
      assert.deepEqual(
        result.diagnostics.map((d) => d.code),
        c.codes,
        "the CLI's codes, as data",
      );
      for (const d of result.diagnostics) {
        // Located problems carry their place as data, not inside a string.
        if (d.code !== "unknown-target" && d.code !== "target-unavailable") {
          assert.equal(d.file, "unikernel.yaml");
          assert.ok(d.span && d.span.line >= 1 && d.span.col >= 1, JSON.stringify(d));
        }
      }

      const doc = TextDocument.create(pathToFileURL(file).href, "yaml", 1, c.yaml);
      const editor = diagnose(doc, target);
      assert.deepEqual(
        editor.map((d) => ({
          code: d.code,
          line: d.range.start.line + 1,
          col: d.range.start.character + 1,
          message: d.message,
          error: d.severity === 1,
        })),
        result.diagnostics.map((d) => ({
          code: d.code,
          line: d.span?.line ?? 1,
          col: d.span?.col ?? 1,
          message: editorText(d),
          error: d.severity === "error",
        })),
      );
    });
  }

  it("--json on a device the target lacks carries it as structured data", async () => {
    const dir = tempDir("agree");
    dirs.push(dir);
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "unikernel.ts"), START);
    writeFileSync(
      join(dir, "unikernel.yaml"),
      `${HEAD}devices:\n  store: { type: kv_rw, path: data }\n`,
    );
    const r = await morgana(["configure", "-t", "unix", "--json"], dir);
    assert.equal(r.code, 3);
    const json = JSON.parse(r.stdout);
    assert.equal(json.ok, false);
    assert.equal(json.exitCode, 3);
    assert.deepEqual(json.diagnostics, [
      {
        severity: "error",
        code: "unsupported-device",
        file: "unikernel.yaml",
        span: { line: 4, col: 3, endLine: 4, endCol: 8 },
        path: "devices.store",
        message: 'device "store" (kv_rw) has no implementation on unix yet',
        hint: "`morgana targets` lists what each target provides.",
      },
    ]);
  });
});
