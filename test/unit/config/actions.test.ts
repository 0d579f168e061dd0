import assert from "node:assert/strict";
import {
  completionsAt,
  definitionAt,
  documentSymbols,
  parseConfig,
  quickFixes,
  type TextEdit,
} from "../../../tool/src/config/index.ts";

const HEAD = "name: site\nmain: src/unikernel.ts\n";

/** Applies edits (1-based, exclusive ends) to `text`, last first so offsets stay valid. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split("\n");
  const offset = (line: number, col: number) =>
    lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
  const sorted = [...edits].sort(
    (a, b) => offset(b.span.line, b.span.col) - offset(a.span.line, a.span.col),
  );
  let out = text;
  for (const e of sorted) {
    out =
      out.slice(0, offset(e.span.line, e.span.col)) +
      e.newText +
      out.slice(offset(e.span.endLine, e.span.endCol));
  }
  return out;
}

/** The text after applying the fix titled `title` for the first diagnostic. */
function fixed(text: string, title: string): string {
  const d = parseConfig(text, "unikernel.yaml").diagnostics[0];
  assert.ok(d, "a diagnostic to fix");
  const fix = quickFixes(text, d).find((f) => f.title === title);
  assert.ok(fix, `no fix "${title}" among ${quickFixes(text, d).map((f) => f.title)}`);
  return apply(text, fix.edits);
}

const clean = (text: string) => parseConfig(text, "unikernel.yaml").diagnostics;

describe("config: quick fixes", () => {
  it("takes the did-you-mean of an unknown key, and the result is clean", () => {
    const text = `${HEAD}devics:\n  console: {}\n`;
    const out = fixed(text, 'Change to "devices"');
    assert.equal(out, `${HEAD}devices:\n  console: {}\n`);
    assert.deepEqual(clean(out), []);
  });

  it("takes the did-you-mean of a device type and of a device reference", () => {
    const type = fixed(
      `${HEAD}devices:\n  web: { type: htp }\n  clock: {}\n  net: {}\n`,
      'Change to "http"',
    );
    assert.deepEqual(clean(type), []);
    const ref = fixed(
      `${HEAD}devices:\n  clock: {}\n  net0: { type: net }\n  web: { type: http, stack: net }\n`,
      'Change to "net0"',
    );
    assert.deepEqual(clean(ref), []);
  });

  it("removes an unknown key in block style (its whole lines) and in flow style", () => {
    const block = `${HEAD}devices:\n  kv: \n    type: kv_ro\n    pth: x # typo\n    path: htdocs\n`;
    assert.equal(
      fixed(block, 'Remove unknown key "pth"'),
      `${HEAD}devices:\n  kv: \n    type: kv_ro\n    path: htdocs\n`,
    );
    const flow = `${HEAD}devices:\n  kv: { type: kv_ro, pth: x, path: htdocs }\n`;
    const out = fixed(flow, 'Remove unknown key "pth"');
    assert.equal(out, `${HEAD}devices:\n  kv: { type: kv_ro, path: htdocs }\n`);
    assert.deepEqual(clean(out), []);
  });

  it("adds the device a dependency is missing, indented as its siblings", () => {
    const text = `${HEAD}devices:\n    clock: {}\n    http: { port: 80 }\n`;
    const out = fixed(text, "Add a net device");
    assert.equal(out, `${text}    net: {}\n`);
    assert.deepEqual(clean(out), []);
  });

  it("offers nothing where no fix is safe", () => {
    const text = `${HEAD}devices:\n  http: { type: http, port: 99999 }\n  clock: {}\n  net: {}\n`;
    const d = clean(text)[0];
    assert.ok(d);
    assert.deepEqual(quickFixes(text, d), []);
  });
});

describe("config: outline and definitions", () => {
  const text = `${HEAD}devices:\n  clock: {}\n  net0: { type: net }\n  web:\n    type: http\n    stack: net0\n  site: { type: kv_ro, path: htdocs }\ntargets:\n  unix: { ports: ["8080:80"] }\n`;

  it("outlines name, main, each device with its type, and each target", () => {
    const symbols = documentSymbols(text);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.children.map((c) => `${c.name}:${c.detail}`)]),
      [
        ["name", "site", []],
        ["main", "src/unikernel.ts", []],
        ["devices", "4 devices", ["clock:clock", "net0:net", "web:http", "site:kv_ro"]],
        ["targets", "1 target", ["unix:target"]],
      ],
    );
    const web = symbols[2]?.children[2];
    assert.deepEqual([web?.span.line, web?.span.endLine, web?.selection.col], [6, 8, 3]);
  });

  it("goes from main to the entry module, from a path to its folder, from a reference to the device", () => {
    assert.deepEqual(definitionAt(text, 2, 9), { kind: "path", path: "src/unikernel.ts" });
    assert.deepEqual(definitionAt(text, 9, 32), { kind: "path", path: "htdocs" });
    const ref = definitionAt(text, 8, 13);
    assert.equal(ref?.kind, "span");
    assert.deepEqual(ref?.kind === "span" ? [ref.span.line, ref.span.col] : null, [5, 3]);
    assert.equal(definitionAt(text, 1, 3), null, "a key leads nowhere");
  });
});

describe("config: path completion and snippets", () => {
  const listing: Record<string, { name: string; folder: boolean }[]> = {
    "": [
      { name: "src", folder: true },
      { name: "htdocs", folder: true },
      { name: "disk.img", folder: false },
      { name: "node_modules", folder: true },
      { name: ".morgana", folder: true },
    ],
    src: [
      { name: "unikernel.ts", folder: false },
      { name: "notes.txt", folder: false },
    ],
  };
  const listDir = (dir: string) => listing[dir] ?? null;
  const labels = (t: string, line: number, col: number) =>
    completionsAt(t, line, col, { listDir }).map((c) => c.label);

  it("main completes modules and folders; kv_ro folders only; block files too", () => {
    assert.deepEqual(labels("name: a\nmain: \n", 2, 7), ["src/", "htdocs/"]);
    assert.deepEqual(labels("name: a\nmain: src/\n", 2, 11), ["src/unikernel.ts"]);
    const kv = `${HEAD}devices:\n  site: { type: kv_ro, path:  }\n`;
    assert.deepEqual(labels(kv, 4, 30), ["src", "htdocs"]);
    const block = `${HEAD}devices:\n  disk:\n    type: block\n    path: d\n`;
    assert.deepEqual(labels(block, 6, 12), ["disk.img"]);
  });

  it("offers whole devices as snippets where device names are typed", () => {
    const items = completionsAt(`${HEAD}devices:\n  `, 4, 3);
    const snippets = items.filter((c) => c.kind === "snippet").map((c) => c.label);
    assert.deepEqual(snippets, ["http-site", "https-site", "net-static"]);
    // Each snippet, with its defaults taken, is a valid config.
    for (const c of items.filter((i) => i.kind === "snippet")) {
      const body = (c.insertText ?? "").replace(/\$\{\d+:([^}]*)\}/g, "$1");
      const yaml = `${HEAD}devices:\n${body
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n")}\n`;
      assert.deepEqual(
        clean(yaml).map((d) => d.message),
        [],
        c.label,
      );
    }
  });
});
