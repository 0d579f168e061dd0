import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isAlias, isMap, isPair, isScalar, isSeq } from "yaml";
import { bigConfig } from "../../../bench/lsp-config.ts";
import { configOf } from "../../../tool/src/config/parse.ts";
import { type ParsedYaml, parseWhole, parseYaml } from "../../../tool/src/config/tree.ts";
import { rng } from "../../helpers/rng.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const sample = (name: string) =>
  readFileSync(join(REPO, "samples", name, "unikernel.yaml"), "utf8");

/** Valid YAML that a cut by lines could get wrong: comments anywhere, odd indentation, scalars
 * over several lines, flow collections over several lines, lists, an empty `devices:`. */
const ODD = `# leading comment

name: odd   # trailing comment
main: "src/unikernel.ts"
devices:
    # devices indented by four
    console: {}

      # a comment more indented than the devices
    clock:
      type: clock
    net: { type: net,
      ipv4: 10.0.0.2/24, gateway: 10.0.0.1 }
    htdocs:
      type: kv_ro
      path: >-
        htdocs
    web:
      type: http
      port: 80
      stack: net
# a comment at column 0
targets:
  unix:
    ports:
      - "8080:80"
      - 5353/udp
  cubieboard2: { memory: 256M }
# trailing comment`;

/** Comments less indented than the devices, between them. */
const SHALLOW_COMMENTS = `name: c
main: src/unikernel.ts
devices:
    console: {}
# at column 0
    clock:
      type: clock
  # at column 2
    net: { type: net, ipv4: dhcp }
# at column 0, before the next section
targets: {}
`;

const EMPTY_DEVICES = `name: e
main: src/unikernel.ts
devices:
targets: {}
`;

const CONFIGS: Record<string, string> = {
  "samples/hello": sample("hello"),
  "samples/static-website": sample("static-website"),
  "samples/https-site": sample("https-site"),
  odd: ODD,
  "empty devices": EMPTY_DEVICES,
  "shallow comments": SHALLOW_COMMENTS,
};

/** Edits that keep YAML valid, and edits that break it. */
const PIECES = [
  ":",
  " ",
  "\n",
  "  ",
  "    ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  ",",
  "&a ",
  "*a",
  "!!str ",
  "#",
  " # note",
  '"',
  "'",
  "|\n",
  "\t",
  "---\n",
  "x",
  "0",
  "\n  extra: {}\n",
  "\n  web9:\n    type: http\n    port: 9\n",
  "\n    port: 99\n",
  "\nother: 1\n",
  "\n# comment\n",
];

/** Everything of a parse that the model reads: the tree with every range, errors, lines. */
function dump(p: ParsedYaml) {
  const node = (n: unknown): unknown => {
    if (n === null || n === undefined) return n;
    if (isPair(n)) return { key: node(n.key), value: node(n.value) };
    if (isScalar(n)) return { scalar: n.value, type: n.type, tag: n.tag, range: n.range };
    if (isMap(n) || isSeq(n))
      return {
        [isMap(n) ? "map" : "seq"]: n.items.map(node),
        flow: n.flow ?? false,
        tag: n.tag,
        range: n.range,
      };
    if (isAlias(n)) return { alias: n.source, range: n.range };
    return { other: String(n) };
  };
  const lines = [];
  for (let offset = 0; offset <= p.text.length; offset++) lines.push(p.pos.span(offset, offset));
  return {
    contents: node(p.doc.contents),
    errors: p.doc.errors.map((e) => [e.code, e.pos, e.message]),
    warnings: p.doc.warnings.map((e) => [e.code, e.pos, e.message]),
    lines,
  };
}

/** One random edit of `text`. */
function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const op = next();
  if (op < 0.45)
    return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
  if (op < 0.8) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 6));
  const lines = text.split("\n");
  const n = Math.floor(next() * lines.length);
  if (op < 0.9)
    lines.splice(n, 1); // a whole line deleted
  else lines.splice(n, 0, lines[n] as string); // a line duplicated
  return lines.join("\n");
}

/** Compares the block parse of `text` with a whole parse; answers whether blocks were used. */
function same(text: string, where: string): boolean {
  const blocks = parseYaml(text);
  const whole = parseWhole(text);
  assert.deepEqual(dump(blocks), dump(whole), `${where}: the trees differ\n---\n${text}`);
  assert.deepEqual(
    configOf(blocks, "unikernel.yaml"),
    configOf(whole, "unikernel.yaml"),
    `${where}: the diagnostics differ\n---\n${text}`,
  );
  return blocks.blocksParsed !== undefined;
}

describe("config: parsing in blocks", () => {
  it("gives the whole parse's tree and diagnostics for each real config", () => {
    for (const [name, text] of Object.entries({ ...CONFIGS, big: bigConfig() })) {
      assert.ok(same(text, name), `${name} is parsed in blocks`);
    }
  });

  it("gives the whole parse's tree and diagnostics over 4,000 random edits, valid or not", function () {
    this.timeout(300_000); // CPU-bound: two parses per edit, on a shared machine
    let inBlocks = 0;
    let edits = 0;
    for (const [name, base] of Object.entries(CONFIGS)) {
      for (let seed = 1; seed <= 100; seed++) {
        const next = rng(seed);
        let text = base;
        // A chain of edits, as typing makes them: each version reuses the last one's blocks.
        for (let e = 0; e < 8; e++) {
          text = edit(text, next);
          if (same(text, `${name}, seed ${seed}, edit ${e}`)) inBlocks++;
          edits++;
        }
      }
    }
    // The comparison means something only if many edits take the block path.
    // (Half the pieces break YAML, and a chain of edits stays broken: about 15% here.)
    assert.ok(inBlocks > edits / 10, `${inBlocks} of ${edits} edits parsed in blocks`);
    assert.ok(inBlocks < edits, "some edits fall back to the whole parse");
  });

  it("gives the whole parse's result over random edits of the 1,000-line config", function () {
    this.timeout(300_000);
    const big = bigConfig();
    for (let seed = 1; seed <= 10; seed++) {
      const next = rng(seed);
      let text = big;
      for (let e = 0; e < 10; e++) {
        text = edit(text, next);
        same(text, `big, seed ${seed}, edit ${e}`);
      }
    }
  });

  it("re-parses only the block an edit is in", () => {
    const big = bigConfig();
    parseYaml("name: other\n"); // only the last text's blocks are kept
    assert.ok((parseYaml(big).blocksParsed ?? 0) > 200, "the first version parses every block");
    // A value of one device.
    const port = big.replace("    port: 1010\n", "    port: 1011\n");
    assert.equal(parseYaml(port).blocksParsed, 1);
    // A new line in the first section moves every block after it: they are kept all the same.
    const moved = port.replace("name: big\n", "name: bigger\n\n");
    assert.equal(parseYaml(moved).blocksParsed, 1);
    assert.deepEqual(dump(parseYaml(moved)), dump(parseWhole(moved)));
    // A key without its colon in a device: that device is parsed with the next one (the
    // error's extent), every other block is kept; the result is still the whole parse's.
    const broken = moved.replace("  web50:\n    type: http\n", "  web50:\n    type http\n");
    assert.ok(broken !== moved);
    const parsed = parseYaml(broken);
    assert.ok((parsed.blocksParsed ?? 9) <= 3, `${parsed.blocksParsed} blocks parsed`);
    assert.ok(parsed.doc.errors.length > 0);
    assert.ok(same(broken, "broken device"));
    // Two devices with the same text (a duplicate key) are two blocks, not one shared.
    const twice = moved.replace("  clock: {}\n", "  clock: {}\n  clock: {}\n");
    assert.ok(same(twice, "duplicate device"));
    assert.match(
      configOf(parseYaml(twice), "u.yaml").diagnostics[0]?.message ?? "",
      /"clock" is already set on line 7/,
    );
  });
});
