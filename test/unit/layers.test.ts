import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a plain .mjs script without declarations
import { importSpecifiers } from "../../scripts/check-layers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(root, "scripts", "check-layers.mjs");
const LAYERS = ["stack", "runtime", "tool", "language-server", "debugger", "emulator", "extension"];

function check(at: string) {
  const r = spawnSync(process.execPath, [script, at], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Found = { spec: string; line: number }[];

describe("layer check (scripts/check-layers.mjs)", () => {
  it("finds import and export specifiers, and only real ones", () => {
    const text = [
      'import { a } from "./a.ts";', // 1
      "import type {", // 2
      "  B,", // 3
      '} from "../b.ts";', // 4
      'export * from "./c.ts";', // 5
      'export { d as e } from "@morgana/stack/devices";', // 6
      'import "./side-effect.ts";', // 7
      'const lazy = await import("node:fs");', // 8
      '// import { no } from "../../tool/comment.ts";', // 9
      '/* export * from "../../tool/block.ts"; */', // 10
      "const s = \"import { x } from '../../tool/string.ts'\";", // 11
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a template in it
      'const t = `import { y } from "../../tool/${"template"}.ts"; ${`import("x")`}`;', // 12
      'const re = /["\'`]import("z")/g;', // 13
      'const n = x.import("not-a-module");', // 14
      'export const from = "not-a-module";', // 15
      'import x2, * as all from "yaml";', // 16
    ].join("\n");
    assert.deepEqual(importSpecifiers(text) as Found, [
      { spec: "./a.ts", line: 1 },
      { spec: "../b.ts", line: 2 },
      { spec: "./c.ts", line: 5 },
      { spec: "@morgana/stack/devices", line: 6 },
      { spec: "./side-effect.ts", line: 7 },
      { spec: "node:fs", line: 8 },
      { spec: "yaml", line: 16 },
    ]);
  });

  it("stack/http and stack/devices have no import cycles (message types stand apart)", () => {
    for (const folder of ["stack/http", "stack/devices"]) {
      const dir = join(root, folder);
      const edges = new Map<string, string[]>();
      for (const name of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
        const file = join(dir, name);
        const specs = importSpecifiers(readFileSync(file, "utf8")) as Found;
        edges.set(
          file,
          specs.filter((x) => x.spec.startsWith(".")).map((x) => resolve(dir, x.spec)),
        );
      }
      const done = new Set<string>();
      const visit = (file: string, path: string[]): void => {
        const seen = path.indexOf(file);
        if (seen >= 0) {
          const cycle = [...path.slice(seen), file].map((f) => basename(f));
          assert.fail(`import cycle in ${folder}: ${cycle.join(" -> ")}`);
        }
        if (done.has(file)) return;
        for (const to of edges.get(file) ?? []) visit(to, [...path, file]);
        done.add(file);
      };
      for (const file of edges.keys()) visit(file, []);
      assert.ok(edges.size >= 5, folder);
    }
    const message = readFileSync(join(root, "stack/http/message.ts"), "utf8");
    assert.deepEqual(importSpecifiers(message), [], "message.ts imports nothing");
  });

  it("passes on this checkout", () => {
    const r = check(root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^layers: \d+ files, \d+ imports, all arrows point down/);
  });

  describe("on a copy with planted violations", () => {
    let copy = "";
    before(() => {
      copy = mkdtempSync(join(tmpdir(), "morgana-layers-"));
      cpSync(join(root, "package.json"), join(copy, "package.json"));
      for (const layer of LAYERS) {
        if (!existsSync(join(root, layer))) continue;
        cpSync(join(root, layer), join(copy, layer), {
          recursive: true,
          force: true,
          errorOnExist: false,
          filter: (src) => !["node_modules", "dist", ".morgana"].includes(basename(src)),
        });
      }
    });
    after(() => rmSync(copy, { recursive: true, force: true }));

    function plant(path: string, text: string): () => void {
      const file = join(copy, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return () => rmSync(file);
    }

    it("the copy passes as it is", () => {
      const r = check(copy);
      assert.equal(r.status, 0, r.stderr);
    });

    it("fails on a stack file importing tool/, naming file, line and rule", () => {
      const undo = plant(
        "stack/http/planted.ts",
        '// a planted violation\nimport type { Http } from "./message.ts";\nimport { parseConfig } from "../../tool/src/config/index.ts";\n',
      );
      try {
        const r = check(copy);
        assert.equal(r.status, 1);
        assert.match(
          r.stderr,
          /^stack\/http\/planted\.ts:3: imports "\.\.\/\.\.\/tool\/src\/config\/index\.ts": stack\/ may import only stack\/ and @noble\/\*, not tool\/$/m,
        );
        assert.match(r.stderr, /1 import\(s\) point the wrong way/);
        assert.doesNotMatch(r.stderr, /planted\.ts:2:/);
      } finally {
        undo();
      }
    });

    it("fails on a runtime file importing tool/, by path or by package name, statically or not", () => {
      const undo = plant(
        "runtime/unix/src/planted.ts",
        'import { StackError } from "@morgana/stack/devices";\nimport { parseConfig } from "@morgana/tool/config";\nexport const later = () => import("../../../tool/src/cli/main.ts");\n',
      );
      try {
        const r = check(copy);
        assert.equal(r.status, 1);
        assert.match(
          r.stderr,
          /^runtime\/unix\/src\/planted\.ts:2: imports "@morgana\/tool\/config": runtime\/ may import only .*, not tool\/$/m,
        );
        assert.match(
          r.stderr,
          /^runtime\/unix\/src\/planted\.ts:3: imports "\.\.\/\.\.\/\.\.\/tool\/src\/cli\/main\.ts": .*not tool\/$/m,
        );
        assert.doesNotMatch(r.stderr, /planted\.ts:1:/);
      } finally {
        undo();
      }
    });

    it("fails on stack/devices importing another stack folder, Node built-ins in stack, npm in runtime code", () => {
      const undos = [
        plant("stack/devices/planted.ts", 'import { concatBytes } from "../bytes/index.ts";\n'),
        plant("stack/trace/planted.ts", 'import { readFileSync } from "node:fs";\n'),
        plant("runtime/unix/src/planted.ts", 'import YAML from "yaml";\n'),
        plant("emulator/src/planted.ts", 'import { x } from "../../extension/src/client.ts";\n'),
      ];
      try {
        const r = check(copy);
        assert.equal(r.status, 1);
        assert.match(
          r.stderr,
          /^stack\/devices\/planted\.ts:1: .*stack\/devices\/ may import only stack\/devices\/$/m,
        );
        assert.match(r.stderr, /^stack\/trace\/planted\.ts:1: .*not Node built-ins$/m);
        assert.match(r.stderr, /^runtime\/unix\/src\/planted\.ts:1: .*not the npm package yaml$/m);
        assert.match(r.stderr, /^emulator\/src\/planted\.ts:1: .*not extension\/$/m);
        assert.match(r.stderr, /4 import\(s\) point the wrong way/);
      } finally {
        for (const undo of undos) undo();
      }
    });
  });
});
