import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..", "..", "..");
const TARGET_DOCS = join(REPO, "docs", "targets");
/** Where a path in a target doc may be relative to: the repository, or the board's runtime. */
const BASES = [REPO, join(REPO, "runtime", "baremetal")];

/** The inline code spans of a markdown text that look like a relative path in this repo. */
function repoPaths(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
  return [...prose.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1] as string)
    .filter((p) => /^[\w.-]+(\/[\w.-]+)+\/?$/.test(p));
}

describe("docs/targets: every repository path a target doc names exists", () => {
  const docs = readdirSync(TARGET_DOCS).filter((f) => f.endsWith(".md"));

  it("there is a doc per board target", () => {
    assert.ok(docs.includes("cubieboard2.md"), `${docs}`);
  });

  for (const doc of docs) {
    it(doc, () => {
      const paths = repoPaths(readFileSync(join(TARGET_DOCS, doc), "utf8"));
      assert.ok(paths.length >= 5, `${doc} names the files it describes: ${paths}`);
      const missing = paths.filter((p) => !BASES.some((b) => existsSync(join(b, p))));
      assert.deepEqual(missing, [], `${doc} names files that do not exist`);
    });
  }
});
