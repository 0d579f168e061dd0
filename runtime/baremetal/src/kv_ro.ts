import type { KvRo } from "@morgana/stack/devices";
import { board } from "./host.ts";

type Entry = [key: string, offset: number, length: number, digest: string];

/** Splits a key like the unix target does: null for keys that try to leave the store. */
function partsOf(key: string): string[] | null {
  const parts = key.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === ".." || p.includes("\0") || p.includes("\\"))) return null;
  return parts;
}

/**
 * kv_ro on the board: the folder packed into the image at build time (build/kv.ts) as the
 * store `store` (the device's name), with the digests computed there: the same SHA-256
 * hex the unix target gives.
 */
export function createKvRo(store: string): KvRo {
  const host = board();
  const index = JSON.parse(host.kvIndex()) as { files: Entry[] };
  const prefix = `${store}/`;
  const files = new Map<string, Entry>();
  /** Each dictionary's children: name -> kind. */
  const dirs = new Map<string, Map<string, "value" | "dictionary">>([["", new Map()]]);
  for (const packed of index.files) {
    if (!packed[0].startsWith(prefix)) continue;
    const entry: Entry = [packed[0].slice(prefix.length), packed[1], packed[2], packed[3]];
    files.set(entry[0], entry);
    const parts = entry[0].split("/");
    let dir = "";
    parts.forEach((name, i) => {
      const kind = i === parts.length - 1 ? "value" : "dictionary";
      dirs.get(dir)?.set(name, kind);
      dir = dir === "" ? name : `${dir}/${name}`;
      if (kind === "dictionary" && !dirs.has(dir)) dirs.set(dir, new Map());
    });
  }
  const cache = new Map<string, Uint8Array>();
  const norm = (key: string) => partsOf(key)?.join("/") ?? null;

  return {
    async get(key) {
      const k = norm(key);
      const entry = k === null ? undefined : files.get(k);
      if (!entry || k === null) return null;
      let data = cache.get(k);
      if (!data) {
        data = new Uint8Array(host.kvRead(entry[1], entry[2]));
        cache.set(k, data);
      }
      return data;
    },
    async digest(key) {
      const k = norm(key);
      return (k === null ? undefined : files.get(k))?.[3] ?? null;
    },
    async exists(key) {
      const k = norm(key);
      if (k === null) return null;
      if (files.has(k)) return "value";
      return dirs.has(k) ? "dictionary" : null;
    },
    async list(key) {
      const k = norm(key);
      const children = k === null ? undefined : dirs.get(k);
      if (!children) return [];
      return [...children.entries()]
        .map(([name, kind]) => ({ name, kind }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
