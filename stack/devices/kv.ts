/**
 * A read-only key-value store (MirageOS `Mirage_kv.RO`): a folder on unix, data linked into
 * the image on boards. Keys are `/`-separated paths without a leading slash: `css/site.css`.
 */
export interface KvRo {
  /** The value, or `null` when the key is absent or names a directory. */
  get(key: string): Promise<Uint8Array | null>;
  /** What the key names, if anything. */
  exists(key: string): Promise<"value" | "dictionary" | null>;
  /** Entries directly under a dictionary key (`""` is the root), sorted by name. */
  list(key: string): Promise<{ name: string; kind: "value" | "dictionary" }[]>;
  /**
   * A strong digest of the value (hex), or `null` when absent. Stable across runs for the
   * same bytes, so it can serve as an HTTP entity tag.
   */
  digest(key: string): Promise<string | null>;
}
