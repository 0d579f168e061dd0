import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packKv, QEMU_BOARD, qemuArgs, seedFile } from "../../../runtime/baremetal/build/index.ts";
import { TimerQueue } from "../../../runtime/baremetal/src/timers.ts";

describe("baremetal: the board's timer queue", () => {
  it("fires due timers in deadline order, equal deadlines first-in first-out", () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    q.add(30n, () => fired.push("c"));
    q.add(10n, () => fired.push("a1"));
    q.add(20n, () => fired.push("b"));
    q.add(10n, () => fired.push("a2"));
    assert.equal(q.next(), 10n);
    assert.equal(q.fireDue(9n), 0);
    assert.equal(q.fireDue(20n), 3);
    assert.deepEqual(fired, ["a1", "a2", "b"]);
    assert.equal(q.next(), 30n);
  });

  it("cancels a timer; one added while firing and already due runs in the same drain", () => {
    const q = new TimerQueue();
    const fired: number[] = [];
    const cancel = q.add(5n, () => fired.push(5));
    q.add(6n, () => q.add(6n, () => fired.push(66)));
    cancel();
    q.fireDue(6n);
    assert.deepEqual(fired, [66]);
    assert.equal(q.size, 0);
    assert.equal(q.next(), null);
  });
});

describe("baremetal: kv_ro packing", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "morgana-kvpack-"));
    mkdirSync(join(dir, "site", "css"), { recursive: true });
    writeFileSync(join(dir, "site", "index.html"), "<h1>hi</h1>");
    writeFileSync(join(dir, "site", "css", "a.css"), "body{}");
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "x"), new Uint8Array([0, 255, 1]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes MGKV, the index length, a sorted index with SHA-256 digests, then the values", () => {
    const packed = packKv({ site: join(dir, "site"), other: join(dir, "other") });
    assert.equal(new TextDecoder().decode(packed.subarray(0, 4)), "MGKV");
    const indexLen = new DataView(packed.buffer).getUint32(4, true);
    const index = JSON.parse(new TextDecoder().decode(packed.subarray(8, 8 + indexLen)));
    const keys = index.files.map((f: unknown[]) => f[0]);
    assert.deepEqual(keys, ["other/x", "site/css/a.css", "site/index.html"]);
    const [, offset, length, digest] = index.files[2];
    const values = packed.subarray(8 + indexLen);
    assert.equal(new TextDecoder().decode(values.subarray(offset, offset + length)), "<h1>hi</h1>");
    // sha256("<h1>hi</h1>"), as the unix target's kv_ro computes it.
    assert.equal(digest, "e7fbb6fbbf4ce294913eb62b53ff03a7546649cfdc0d824d9e3a2b4541502f7f");
    assert.equal(values.byteLength, 11 + 6 + 3);
  });

  it("refuses store names that would break the key space", () => {
    assert.throws(() => packKv({ "a/b": dir }), /bad kv_ro store name/);
  });
});

describe("baremetal: how QEMU boots an image", () => {
  it("a seed carries the magic, its length and fresh bytes", () => {
    const a = seedFile();
    const b = seedFile();
    assert.equal(new TextDecoder().decode(a.subarray(0, 8)), QEMU_BOARD.seedMagic);
    assert.equal(new DataView(a.buffer).getUint32(8, true), QEMU_BOARD.seedBytes);
    assert.equal(a.byteLength, 12 + QEMU_BOARD.seedBytes);
    assert.notDeepEqual(a.subarray(12), b.subarray(12));
  });

  it("the command line: cubieboard, semihosting for the exit code, the seed at its address", () => {
    const args = qemuArgs("/x/hello.elf", "/tmp/seed.bin");
    assert.deepEqual(args.slice(0, 2), ["-M", "cubieboard"]);
    assert.ok(args.includes("enable=on,target=native"));
    assert.equal(args[args.indexOf("-kernel") + 1], "/x/hello.elf");
    assert.ok(args.includes("loader,file=/tmp/seed.bin,addr=0x40001000,force-raw=on"));
    assert.ok(!qemuArgs("/x/hello.elf", null).includes("-device"));
  });
});
