import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { BundleMap, decodeMappings } from "../../../debugger/src/sourcemap.ts";

/** Two TypeScript modules bundled as the board's bundle is (an IIFE, a linked map). */
const MAIN = `import { area } from "./shapes.ts";

// A comment: no code on this line.

export function report(side: number): string {
  const a = area(side);
  return \`area \${a}\`;
}
(globalThis as { out?: string }).out = report(3);
`;
const SHAPES = `/** Square areas. */
export function area(side: number): number {
  const squared = side * side;
  return squared;
}
`;

describe("debugger: the bundle's source map, read both ways", () => {
  let dir: string;
  let bundle: string;
  let map: BundleMap;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "morgana-sourcemap-"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "main.ts"), MAIN);
    writeFileSync(join(dir, "src", "shapes.ts"), SHAPES);
    bundle = join(dir, "dist", "app.js");
    await build({
      entryPoints: [join(dir, "src", "main.ts")],
      outfile: bundle,
      bundle: true,
      format: "iife",
      platform: "neutral",
      sourcemap: "linked",
      logLevel: "silent",
    });
    map = BundleMap.load(bundle) as BundleMap;
    assert.ok(map);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("decodes every segment as Node's own SourceMap reads it", () => {
    const raw = JSON.parse(readFileSync(`${bundle}.map`, "utf8"));
    const node = new SourceMap(raw);
    const segments = decodeMappings(raw.mappings);
    assert.ok(segments.length > 10, `${segments.length} segments`);
    for (const s of segments) {
      const e = node.findEntry(s.generatedLine, s.generatedColumn) as {
        originalSource: string;
        originalLine: number;
        originalColumn: number;
      };
      assert.deepEqual(
        [e.originalLine, e.originalColumn, e.originalSource.endsWith(raw.sources[s.source])],
        [s.originalLine, s.originalColumn, true],
        JSON.stringify(s),
      );
    }
  });

  it("decodes VLQ edge cases: negatives, multi-digit values, lines with no segment", () => {
    // "AAgBC": [0, 0, 16, 1] (g = 32: continue, B = 1); "D" = -1; ";;" two empty lines.
    assert.deepEqual(decodeMappings("AAgBC;;ACDD"), [
      { generatedLine: 0, generatedColumn: 0, source: 0, originalLine: 16, originalColumn: 1 },
      { generatedLine: 2, generatedColumn: 0, source: 1, originalLine: 15, originalColumn: 0 },
    ]);
    assert.throws(() => decodeMappings("A!"), /bad VLQ digit/);
  });

  it("a TypeScript line -> the bundle lines with its code; none for a comment", () => {
    const bundleText = readFileSync(bundle, "utf8").split("\n");
    const shapes = join(dir, "src", "shapes.ts");
    const [line] = map.bundleLines(shapes, 4); // return squared;
    assert.ok(line, "mapped");
    assert.match(bundleText[line - 1] as string, /return squared;/);
    const main = join(dir, "src", "main.ts");
    assert.deepEqual(map.bundleLines(main, 3), []);
    assert.equal(map.nextLineWithCode(main, 3), 5);
    assert.equal(map.has(join(dir, "src", "nope.ts")), false);
  });

  it("a bundle line -> its TypeScript position; none for the bundle's own wrapper", () => {
    const bundleText = readFileSync(bundle, "utf8").split("\n");
    const at = bundleText.findIndex((l) => l.includes("const squared")) + 1;
    assert.deepEqual(map.original(at), {
      path: join(dir, "src", "shapes.ts"),
      line: 3,
      column: 3,
    });
    assert.equal(map.original(1), undefined); // "(() => {"
  });
});
