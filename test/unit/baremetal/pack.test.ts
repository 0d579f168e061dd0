import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pack } from "../../../runtime/baremetal/build/pack.ts";
import { planeSlots } from "../../../runtime/baremetal/build/snapshot.ts";
import { run } from "../../../runtime/baremetal/build/toolchain.ts";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const PLATFORM = join(ROOT, "runtime", "baremetal", "platform");

/** A host program around platform/unpack.c: packed file in, unpacked bytes out (exit 3: damaged). */
const HARNESS = `
#include <stdio.h>
#include <stdlib.h>
#include "unpack.h"
int main(int argc, char **argv) {
  if (argc != 3) return 1;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 1;
  static uint8_t in[1 << 24];
  size_t n = fread(in, 1, sizeof in, f);
  fclose(f);
  long size = unpack_size(in, n);
  if (size < 0) return 2;
  uint8_t *out = malloc(size > 0 ? (size_t)size : 1);
  if (unpack(in, n, out, (size_t)size) != size) return 3;
  f = fopen(argv[2], "wb");
  fwrite(out, 1, (size_t)size, f);
  fclose(f);
  return 0;
}
`;

/** Runs the harness: the unpacked bytes, or its exit code. */
function unpackOnHost(exe: string, dir: string, packed: Uint8Array): Promise<Uint8Array | number> {
  const input = join(dir, "in.lz");
  const output = join(dir, "out.bin");
  writeFileSync(input, packed);
  rmSync(output, { force: true });
  return new Promise((done) =>
    execFile(exe, [input, output], (err) =>
      done(err ? ((err as { code?: number }).code ?? -1) : new Uint8Array(readFileSync(output))),
    ),
  );
}

describe("baremetal: snapshot packing (build/pack.ts) against the board's unpacker (platform/unpack.c, compiled for the host)", () => {
  let dir: string;
  let exe: string;

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), "morgana-pack-"));
    writeFileSync(join(dir, "harness.c"), HARNESS);
    exe = join(dir, "unpack");
    await run("cc", [
      "-O2",
      "-Wall",
      "-Wextra",
      "-Werror",
      `-I${PLATFORM}`,
      join(dir, "harness.c"),
      join(PLATFORM, "unpack.c"),
      "-o",
      exe,
    ]);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const source = readFileSync(join(ROOT, "runtime", "baremetal", "xs", "xs_host.c"));
  const runs = new Uint8Array(100_000);
  for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 700) % 3; // long runs: lengths past 255
  const cases: [string, Uint8Array][] = [
    ["nothing", new Uint8Array(0)],
    ["three bytes", new Uint8Array([1, 2, 3])],
    ["one byte repeated (overlapping matches, distance 1)", new Uint8Array(5000).fill(0x41)],
    ["random bytes (nothing to match)", new Uint8Array(randomBytes(70_000))],
    ["long runs", runs],
    [
      "C source, repeated past the 64 KiB window",
      new Uint8Array(Buffer.concat([source, source, source, source])),
    ],
  ];
  for (const [name, data] of cases) {
    it(`round-trips ${name}`, async () => {
      const packed = pack(data);
      assert.equal(Buffer.from(packed.subarray(0, 4)).toString("latin1"), "MGLZ");
      assert.deepEqual(await unpackOnHost(exe, dir, packed), data);
    });
  }

  it("packs what repeats: C source to well under half", () => {
    const packed = pack(new Uint8Array(source));
    assert.ok(packed.length < source.length / 2, `${packed.length} of ${source.length}`);
  });

  it("reads the layout as pack.ts describes it, and refuses damaged input", async () => {
    const header = (size: number) => [0x4d, 0x47, 0x4c, 0x5a, size, 0, 0, 0];
    // One literal "a", then a match 1 back of 4 + 1 bytes, then an empty last sequence.
    const sixAs = new Uint8Array([...header(6), 0x11, 0x61, 1, 0, 0x00]);
    assert.deepEqual(await unpackOnHost(exe, dir, sixAs), new Uint8Array(6).fill(0x61));
    // The same with a match 2 back, before the start of the output.
    assert.equal(
      await unpackOnHost(exe, dir, new Uint8Array([...header(6), 0x11, 0x61, 2, 0, 0x00])),
      3,
    );
    // A size the sequences do not make: one byte more, one byte less.
    assert.equal(await unpackOnHost(exe, dir, new Uint8Array([...header(7), 0x11, 0x61, 1, 0])), 3);
    assert.equal(await unpackOnHost(exe, dir, new Uint8Array([...header(5), 0x11, 0x61, 1, 0])), 3);
    const data = new Uint8Array(Buffer.concat([source, source]));
    const packed = pack(data);
    assert.equal(await unpackOnHost(exe, dir, packed.subarray(0, packed.length - 1)), 3);
    assert.equal(await unpackOnHost(exe, dir, packed.subarray(0, 40)), 3);
    // Not packed at all.
    assert.equal(await unpackOnHost(exe, dir, new Uint8Array([0x4d, 0x47])), 2);
  });
});

describe("baremetal: a snapshot's slots as byte planes before packing (build/snapshot.ts planeSlots)", () => {
  /** An XS-like snapshot: the file's head, then atoms (big-endian size with the 8-byte head, tag). */
  const atom = (tag: string, body: number[]) => {
    const size = body.length + 8;
    return [size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255]
      .concat([...tag].map((c) => c.charCodeAt(0)))
      .concat(body);
  };
  const head = [0, 0, 0, 0, ..."XS_M"].map((c) => (typeof c === "string" ? c.charCodeAt(0) : c));

  it("lays the HEAP atom's slots out byte plane by byte plane, with the slot size VERS gives, and leaves the rest", () => {
    // Slots of 4 bytes (VERS's fourth byte): three of them.
    const heap = [0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32, 0x33];
    const before = [...head, ...atom("VERS", [13, 3, 0, 4]), ...atom("BLOC", [9, 9, 9])];
    const after = atom("STAC", [7, 7]);
    const input = new Uint8Array([...before, ...atom("HEAP", heap), ...after]);
    const planes = [0x10, 0x20, 0x30, 0x11, 0x21, 0x31, 0x12, 0x22, 0x32, 0x13, 0x23, 0x33];
    const expected = new Uint8Array([...before, ...atom("HEAP", planes), ...after]);
    assert.deepEqual(planeSlots(input), expected);
    // The input itself is left alone, a Buffer included (its slice() would share the bytes).
    const buffer = Buffer.from(input);
    planeSlots(buffer);
    assert.deepEqual(new Uint8Array(buffer), input);
  });

  it("refuses a snapshot whose HEAP it cannot read: none, or not whole slots", () => {
    const noHeap = new Uint8Array([...head, ...atom("VERS", [13, 3, 0, 16])]);
    assert.throws(() => planeSlots(noHeap), /no HEAP atom/);
    const ragged = new Uint8Array([
      ...head,
      ...atom("VERS", [13, 3, 0, 16]),
      ...atom("HEAP", [1, 2, 3]),
    ]);
    assert.throws(() => planeSlots(ragged), /no HEAP atom/);
  });
});
