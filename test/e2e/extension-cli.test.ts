/**
 * The extension's side of the CLI contract, without an editor: `extension/src/cli.ts` runs
 * the real `morgana ... --json` and must find each problem at the place the CLI names.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type CliContext,
  findCheckout,
  problemOfDiagnostic,
  problemOfLine,
  runJson,
  targetsOf,
} from "../../extension/src/cli.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ctx: CliContext = {
  checkout: root,
  node: process.execPath,
  env: { ...process.env, NO_COLOR: "1" },
};

describe("extension: reading the morgana CLI's --json", () => {
  let project: string;

  beforeEach(() => {
    project = join(mkdtempSync(join(tmpdir(), "morgana-ext-cli-")), "site");
    cpSync(join(root, "samples", "static-website"), project, {
      recursive: true,
      filter: (src) => !/[\\/](dist|\.morgana|node_modules)$/.test(src),
    });
  });
  afterEach(() => rmSync(dirname(project), { recursive: true, force: true }));

  it("finds the checkout above a folder inside it, and not above an outside one", () => {
    assert.equal(findCheckout("", [join(root, "samples", "hello")]), root);
    assert.equal(findCheckout("", [project]), undefined);
    assert.equal(findCheckout(root, [project]), root);
  });

  it("lists targets, unix available", async () => {
    const r = await runJson(ctx, ["targets"], root);
    assert.equal(r.ok, true);
    const unix = targetsOf(r.json).find((t) => t.name === "unix");
    assert.equal(unix?.available, true);
  });

  it("places a config error at the key the CLI names", async () => {
    const yaml = join(project, "unikernel.yaml");
    const text = readFileSync(yaml, "utf8").replace("port: 80", "prot: 80");
    writeFileSync(yaml, text);
    const r = await runJson(ctx, ["configure", "-t", "unix"], project);
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 3);
    const p = r.problems.find((x) => x.message.includes("prot"));
    assert.ok(p, JSON.stringify(r.json));
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("prot:")) + 1;
    assert.equal(p.file, "unikernel.yaml");
    assert.equal(p.line, line);
    assert.equal(p.column, (lines[line - 1] ?? "").indexOf("prot") + 1);
    assert.match(p.message, /did you mean "port"/);
  });

  it("places a type error in src/ at its file, line and column", async () => {
    const file = join(project, "src", "unikernel.ts");
    const text = readFileSync(file, "utf8").replace("console.log(`static", "console.lgo(`static");
    writeFileSync(file, text);
    const r = await runJson(ctx, ["build", "-t", "unix"], project);
    assert.equal(r.ok, false);
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("console.lgo")) + 1;
    const hits = r.problems.filter((x) => x.message.includes("'lgo'"));
    assert.ok(hits.length >= 1, JSON.stringify(r.json));
    for (const p of hits) {
      assert.equal(p.file, "src/unikernel.ts");
      assert.equal(p.line, line);
      assert.equal(p.column, (lines[line - 1] ?? "").indexOf("lgo") + 1);
    }
  });

  it("reads both diagnostic shapes and compiler-style lines", () => {
    const flat = problemOfDiagnostic({
      severity: "warning",
      code: "x",
      message: "m",
      file: "f",
      line: 2,
      column: 3,
      endLine: 2,
      endColumn: 5,
    });
    const span = problemOfDiagnostic({
      severity: "error",
      code: "y",
      message: "m",
      file: "f",
      path: "a.b",
      span: { line: 2, col: 3 },
    });
    assert.deepEqual(
      [flat?.line, flat?.column, flat?.endColumn, flat?.severity],
      [2, 3, 5, "warning"],
    );
    assert.deepEqual([span?.line, span?.column, span?.message], [2, 3, "a.b: m"]);
    assert.deepEqual(problemOfLine("src/a.ts:4:7: TS2339: Property 'x' does not exist"), {
      severity: "error",
      file: "src/a.ts",
      line: 4,
      column: 7,
      code: "TS2339",
      message: "Property 'x' does not exist",
    });
    assert.equal(problemOfLine("built dist/unix/site.mjs (54 KiB)"), undefined);
  });
});
