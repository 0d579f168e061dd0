import { createHash } from "node:crypto";
import { type Stats, statSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { KvRo } from "@morgana/stack/devices";

/**
 * How long a value read from disk is trusted without another `stat`. Short enough that an
 * edit shows on the next reload by a person; long enough that a burst of requests (and the
 * digest-then-get pair of one request) costs one `stat`, not one each.
 */
const REVALIDATE_AFTER_MS = 20;

interface Cached {
  checkedAt: number;
  mtimeMs: number;
  size: number;
  ino: number;
  data: Uint8Array;
  digest: string;
}

/**
 * A read-only store backed by a host folder, read live so edits show on the next request.
 * Values are cached and revalidated with a `stat` (mtime, size, inode) when last checked more
 * than REVALIDATE_AFTER_MS ago.
 */
export function createKvRo(root: string): KvRo {
  const base = resolve(root);
  const cache = new Map<string, Cached>();

  /** Maps a key to a path inside `base`, or null for keys that try to leave it. */
  function pathOf(key: string): string | null {
    const parts = key.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.some((p) => p === ".." || p.includes("\0") || p.includes("\\"))) return null;
    const full = join(base, ...parts);
    return full === base || full.startsWith(base + sep) ? full : null;
  }

  /**
   * The cached entry if it is fresh or still matches the file; `undefined` when the file must
   * be read; null when the key names no file. Synchronous, so hits cost no promise.
   */
  function lookup(key: string, now: number): Cached | null | undefined {
    const fresh = cache.get(key);
    if (fresh && now - fresh.checkedAt < REVALIDATE_AFTER_MS) return fresh;
    const path = pathOf(key);
    if (path === null) return null;
    // A synchronous stat: one syscall of a microsecond or two, where the async form costs a
    // round trip through libuv's thread pool on every request.
    let st: Stats | undefined;
    try {
      st = statSync(path, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (!st?.isFile()) {
      cache.delete(key);
      return null;
    }
    if (fresh && fresh.mtimeMs === st.mtimeMs && fresh.size === st.size && fresh.ino === st.ino) {
      fresh.checkedAt = now;
      return fresh;
    }
    return undefined;
  }

  async function readInto(key: string, now: number): Promise<Cached | null> {
    const path = pathOf(key);
    if (path === null) return null;
    // Stat and read through one handle, so the cached bytes and the stat that validates them
    // belong to the same file even if it is replaced meanwhile.
    let buf: Buffer;
    let st: Stats;
    try {
      const handle = await open(path, "r");
      try {
        st = await handle.stat();
        if (!st.isFile()) return null;
        buf = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
    const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    const entry: Cached = {
      checkedAt: now,
      mtimeMs: st.mtimeMs,
      size: st.size,
      ino: st.ino,
      data,
      digest: createHash("sha256").update(data).digest("hex"),
    };
    cache.set(key, entry);
    return entry;
  }

  function load(key: string): Promise<Cached | null> | Cached | null {
    const now = performance.now();
    const hit = lookup(key, now);
    return hit === undefined ? readInto(key, now) : hit;
  }

  /** One field of an entry, as a promise, without an extra turn on a cache hit. */
  function field<T>(key: string, pick: (c: Cached) => T): Promise<T | null> {
    const entry = load(key);
    if (entry === null) return Promise.resolve(null);
    if (entry instanceof Promise) return entry.then((e) => (e === null ? null : pick(e)));
    return Promise.resolve(pick(entry));
  }

  return {
    get: (key) => field(key, (c) => c.data),
    digest: (key) => field(key, (c) => c.digest),
    async exists(key) {
      const path = pathOf(key);
      if (path === null) return null;
      try {
        const st = await stat(path);
        return st.isFile() ? "value" : st.isDirectory() ? "dictionary" : null;
      } catch {
        return null;
      }
    },
    async list(key) {
      const path = pathOf(key);
      if (path === null) return [];
      try {
        const entries = await readdir(path, { withFileTypes: true });
        return entries
          .filter((e) => e.isFile() || e.isDirectory())
          .map((e) => ({
            name: e.name,
            kind: e.isFile() ? ("value" as const) : ("dictionary" as const),
          }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch {
        return [];
      }
    },
  };
}
