import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One value in the packed store: key, offset and length in the value area, SHA-256 hex. */
export type KvEntry = [key: string, offset: number, length: number, digest: string];

/**
 * Packs folders for the board, as MirageOS's crunch does: "MGKV", a little-endian u32
 * index length, the index as JSON (`{"files": KvEntry[]}`, keys sorted), then the values.
 * Each store's keys are prefixed with its name and a slash (one image, several kv_ro
 * devices). Digests are SHA-256 hex of the bytes, exactly what the unix target's kv_ro
 * computes, so ETags match across targets.
 */
export function packKv(stores: Record<string, string>): Uint8Array {
  const files: { key: string; data: Uint8Array }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const key = prefix === "" ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) walk(join(dir, e.name), key);
      else if (e.isFile()) files.push({ key, data: readFileSync(join(dir, e.name)) });
    }
  };
  for (const [store, root] of Object.entries(stores)) {
    if (store === "" || store.includes("/")) throw new Error(`bad kv_ro store name: ${store}`);
    walk(root, store);
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let offset = 0;
  const entries: KvEntry[] = files.map(({ key, data }) => {
    const entry: KvEntry = [
      key,
      offset,
      data.byteLength,
      createHash("sha256").update(data).digest("hex"),
    ];
    offset += data.byteLength;
    return entry;
  });
  const index = new TextEncoder().encode(JSON.stringify({ files: entries }));
  const out = new Uint8Array(8 + index.byteLength + offset);
  out.set(new TextEncoder().encode("MGKV"), 0);
  new DataView(out.buffer).setUint32(4, index.byteLength, true);
  out.set(index, 8);
  let at = 8 + index.byteLength;
  for (const { data } of files) {
    out.set(data, at);
    at += data.byteLength;
  }
  return out;
}
