import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MemBlock, MemDns, MemKv } from "@morgana/runtime-mem";
import { BlockError, DnsError, KvError, type KvRw } from "@morgana/stack/devices";

const text = (s: string) => new TextEncoder().encode(s);
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe("runtime-mem: kv_rw, block and dns in memory", () => {
  it("MemKv: set makes dictionaries, list and exists see them, remove takes a whole dictionary", async () => {
    const kv: KvRw = new MemKv();
    await kv.set("css/site.css", text("body{}"));
    await kv.set("index.html", text("<p>"));
    assert.equal(await kv.exists("css"), "dictionary");
    assert.equal(await kv.exists("css/site.css"), "value");
    assert.deepEqual(await kv.list(""), [
      { name: "css", kind: "dictionary" },
      { name: "index.html", kind: "value" },
    ]);
    // SHA-256 of "<p>"
    assert.equal(await kv.digest("index.html"), createHash("sha256").update("<p>").digest("hex"));
    assert.equal(await kv.digest("css"), null);
    await kv.remove("css");
    assert.equal(await kv.exists("css"), null);
    assert.equal(await kv.get("css/site.css"), null);
    assert.equal(await kv.get("../index.html"), null, "keys never leave the store");
  });

  it("MemKv: writes that contradict the tree or the key rules fail with their KvError code", async () => {
    const kv = new MemKv({ "a/b": text("1") });
    await assert.rejects(kv.set("a", text("x")), code("value-expected"));
    await assert.rejects(kv.set("a/b/c", text("x")), code("dictionary-expected"));
    for (const bad of ["", "/a", "a//b", "a/../b", "."]) {
      await assert.rejects(
        kv.set(bad, text("x")),
        (e) => e instanceof KvError && e.code === "invalid-key",
      );
    }
  });

  it("MemKv: a batch commits all its writes or none, and retries when another write got in", async () => {
    const kv = new MemKv();
    await assert.rejects(
      kv.batch(async (b) => {
        await b.set("one", text("1"));
        assert.deepEqual(await b.get("one"), text("1"), "a batch reads its own writes");
        throw new Error("abandon");
      }),
      /abandon/,
    );
    assert.equal(await kv.get("one"), null, "nothing of a failed batch is visible");
    let runs = 0;
    const result = await kv.batch(async (b) => {
      runs++;
      await b.set("counter", text(String(runs)));
      if (runs === 1) await kv.set("other", text("x")); // a concurrent write: run again
      return runs;
    });
    assert.equal(result, 2);
    assert.deepEqual(await kv.get("counter"), text("2"));
    assert.deepEqual(await kv.get("other"), text("x"), "the concurrent write is kept");
    await assert.rejects(
      kv.batch(async () => {
        await kv.set("again", text("y"));
      }),
      code("conflict"),
    );
  });

  it("MemBlock: whole sectors in range; read-only refuses writes", async () => {
    const block = new MemBlock(512, 4);
    assert.equal(block.sectorCount, 4);
    const data = new Uint8Array(1024).map((_, i) => i & 0xff);
    await block.write(2, data);
    const back = new Uint8Array(512);
    await block.read(3, back);
    assert.deepEqual(back, data.subarray(512));
    await assert.rejects(
      block.read(3, new Uint8Array(1024)),
      (e) => e instanceof BlockError && e.code === "out-of-range",
    );
    await assert.rejects(block.write(0, new Uint8Array(100)), code("unaligned"));
    await assert.rejects(block.read(-1, back), code("out-of-range"));
    const ro = new MemBlock(512, block.bytes, true);
    await ro.read(2, back);
    assert.deepEqual(back, data.subarray(0, 512));
    await assert.rejects(ro.write(0, back), code("read-only"));
  });

  it("MemDns: addresses with TTL; nxdomain, no-data and invalid names as DnsError codes", async () => {
    const dns = new MemDns().add("Example.ORG.", "A", ["192.0.2.1", "192.0.2.2"], 60);
    assert.deepEqual(await dns.resolve("example.org", "A"), [
      { address: "192.0.2.1", ttlSeconds: 60 },
      { address: "192.0.2.2", ttlSeconds: 60 },
    ]);
    await assert.rejects(dns.resolve("example.org", "AAAA"), code("no-data"));
    await assert.rejects(
      dns.resolve("nowhere.example", "A"),
      (e) => e instanceof DnsError && e.code === "nxdomain",
    );
    await assert.rejects(dns.resolve("bad_name..org", "A"), code("invalid-name"));
    await assert.rejects(dns.resolve(`${"a".repeat(64)}.org`, "A"), code("invalid-name"));
  });
});
