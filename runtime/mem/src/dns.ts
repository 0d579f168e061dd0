/** A DNS stub resolver answering from a table (`Dns`): names the test or simulation sets. */

import { type Dns, type DnsAddress, DnsError, type DnsRecordType } from "@morgana/stack/devices";

/** A host name (RFC 1035 §2.3.1, RFC 1123 §2.1): labels of letters, digits, hyphens. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export class MemDns implements Dns {
  private readonly records = new Map<string, Partial<Record<DnsRecordType, DnsAddress[]>>>();

  /** Adds records of `type` for `name` (case-insensitive, trailing dot ignored). */
  add(name: string, type: DnsRecordType, addresses: string[], ttlSeconds = 300): this {
    const key = normalize(name);
    const entry = this.records.get(key) ?? {};
    entry[type] = [
      ...(entry[type] ?? []),
      ...addresses.map((address) => ({ address, ttlSeconds })),
    ];
    this.records.set(key, entry);
    return this;
  }

  async resolve(name: string, type: DnsRecordType): Promise<DnsAddress[]> {
    const key = normalize(name);
    if (key.length > 253 || !key.split(".").every((l) => LABEL.test(l))) {
      throw new DnsError("invalid-name", `not a host name: ${JSON.stringify(name)}`);
    }
    const entry = this.records.get(key);
    if (entry === undefined) throw new DnsError("nxdomain", `${key} does not exist`);
    const found = entry[type];
    if (found === undefined || found.length === 0)
      throw new DnsError("no-data", `${key} has no ${type}`);
    return found.map((a) => ({ ...a }));
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}
