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

/**
 * A read-write key-value store (MirageOS `Mirage_kv.RW`): a folder on unix, later a branchable
 * store (stack/store/) or a block device. Same keys as `KvRo`; a `set` creates the dictionaries
 * on its path. Writes reject with a `KvError`.
 */
export interface KvRw extends KvRo {
  /** Stores `value` under `key`, replacing any value there. Do not change `value` afterwards. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes the value or the whole dictionary at `key`; an absent key is not an error. */
  remove(key: string): Promise<void>;
  /**
   * Runs `update` against the store and makes its writes visible together, or none of them if
   * it throws (a branchable store commits them as one change, retrying on a concurrent one).
   * Reads inside `update` see its own writes.
   */
  batch<T>(update: (store: KvRw) => Promise<T>): Promise<T>;
}

/** Why a write failed: a closed set (MirageOS `Mirage_kv.write_error`), one case per cause. */
export type KvErrorCode =
  | "invalid-key" // empty segment, "..", a leading slash
  | "value-expected" // set on a key that names a dictionary
  | "dictionary-expected" // a key on the path names a value
  | "no-space"
  | "conflict" // batch: a concurrent change won and retries ran out
  | "other";

export class KvError extends Error {
  constructor(
    readonly code: KvErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "KvError";
  }
}
