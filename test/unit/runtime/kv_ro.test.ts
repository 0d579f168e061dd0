import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKvRo } from "@morgana/runtime-unix";

describe("unix kv_ro: a live host folder", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "morgana-kv-"));
    mkdirSync(join(dir, "css"));
    writeFileSync(join(dir, "index.html"), "<h1>hi</h1>");
    writeFileSync(join(dir, "css", "site.css"), "body{}");
    writeFileSync(join(tmpdir(), "morgana-kv-outside.txt"), "secret");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("gets values by key, with a sha256 digest", async () => {
    const kv = createKvRo(dir);
    assert.deepEqual(await kv.get("css/site.css"), new TextEncoder().encode("body{}"));
    assert.equal(
      await kv.digest("index.html"),
      createHash("sha256").update("<h1>hi</h1>").digest("hex"),
    );
  });

  it("answers null for absent keys and for dictionaries", async () => {
    const kv = createKvRo(dir);
    assert.equal(await kv.get("nope.html"), null);
    assert.equal(await kv.get("css"), null);
    assert.equal(await kv.digest("css"), null);
  });

  it("never leaves its folder: .. and absolute-looking keys find nothing", async () => {
    const kv = createKvRo(dir);
    assert.equal(await kv.get("../morgana-kv-outside.txt"), null);
    assert.equal(await kv.get("css/../../morgana-kv-outside.txt"), null);
    assert.equal(await kv.get("/etc/passwd"), null);
    assert.equal(await kv.exists(".."), null);
  });

  it("tells values from dictionaries and lists entries sorted", async () => {
    const kv = createKvRo(dir);
    assert.equal(await kv.exists("css"), "dictionary");
    assert.equal(await kv.exists("css/site.css"), "value");
    assert.deepEqual(await kv.list(""), [
      { name: "css", kind: "dictionary" },
      { name: "index.html", kind: "value" },
    ]);
  });

  it("sees a file changed on disk at the next read (the cache revalidates)", async () => {
    const kv = createKvRo(dir);
    const before = await kv.digest("index.html");
    await new Promise((r) => setTimeout(r, 30)); // past the revalidation window
    writeFileSync(join(dir, "index.html"), "<h1>changed</h1>");
    utimesSync(join(dir, "index.html"), new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(await kv.get("index.html"), new TextEncoder().encode("<h1>changed</h1>"));
    assert.notEqual(await kv.digest("index.html"), before);
  });
});
