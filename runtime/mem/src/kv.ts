/**
 * A read-write key-value store in memory (`KvRw`), with batches that commit together and
 * retry when another write got in first, as a branchable store does.
 */

import { createHash } from "node:crypto";
import { KvError, type KvRw } from "@morgana/stack/devices";

/** Batches retried this many times when a concurrent write changed the store, then "conflict". */
const BATCH_ATTEMPTS = 3;

export class MemKv implements KvRw {
  /** Every value by its full key; dictionaries exist while a value lies under them. */
  private values: Map<string, Uint8Array>;
  /** Bumped by every write: a batch whose base changed must start again. */
  private version = 0;

  constructor(entries: Record<string, Uint8Array> = {}) {
    this.values = new Map();
    for (const [key, value] of Object.entries(entries)) {
      checkKey(key);
      this.values.set(key, value);
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    return validKey(key) ? (this.values.get(key) ?? null) : null;
  }

  async exists(key: string): Promise<"value" | "dictionary" | null> {
    if (key === "") return "dictionary";
    if (!validKey(key)) return null;
    if (this.values.has(key)) return "value";
    return this.isDictionary(key) ? "dictionary" : null;
  }

  async list(key: string): Promise<{ name: string; kind: "value" | "dictionary" }[]> {
    if (key !== "" && !validKey(key)) return [];
    const prefix = key === "" ? "" : `${key}/`;
    const kinds = new Map<string, "value" | "dictionary">();
    for (const full of this.values.keys()) {
      if (!full.startsWith(prefix)) continue;
      const rest = full.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) kinds.set(rest, "value");
      else kinds.set(rest.slice(0, slash), "dictionary");
    }
    return [...kinds]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, kind]) => ({ name, kind }));
  }

  async digest(key: string): Promise<string | null> {
    const value = await this.get(key);
    return value === null ? null : createHash("sha256").update(value).digest("hex");
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    if (this.isDictionary(key)) throw new KvError("value-expected", `${key} is a dictionary`);
    const parts = key.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (this.values.has(parent)) {
        throw new KvError("dictionary-expected", `${parent} is a value`);
      }
    }
    this.values.set(key, value);
    this.version++;
  }

  async remove(key: string): Promise<void> {
    if (key !== "") checkKey(key);
    const prefix = key === "" ? "" : `${key}/`;
    for (const full of [...this.values.keys()]) {
      if (full === key || full.startsWith(prefix)) this.values.delete(full);
    }
    this.version++;
  }

  async batch<T>(update: (store: KvRw) => Promise<T>): Promise<T> {
    for (let attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
      const base = this.version;
      const staging = new MemKv();
      staging.values = new Map(this.values);
      const result = await update(staging);
      if (this.version === base) {
        this.values = staging.values;
        this.version++;
        return result;
      }
    }
    throw new KvError("conflict", `batch lost to concurrent writes ${BATCH_ATTEMPTS} times`);
  }

  private isDictionary(key: string): boolean {
    const prefix = `${key}/`;
    for (const full of this.values.keys()) if (full.startsWith(prefix)) return true;
    return false;
  }
}

function validKey(key: string): boolean {
  if (key === "" || key.startsWith("/")) return false;
  return key.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

function checkKey(key: string): void {
  if (!validKey(key)) throw new KvError("invalid-key", `invalid key ${JSON.stringify(key)}`);
}
