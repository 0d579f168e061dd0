/**
 * Small pure validators, one per kind of value. Each takes the value the YAML parser produced
 * and either accepts it (possibly normalised) or says why not. They know nothing of positions
 * or paths: the walker in validate.ts adds those, and the language server can call them alone.
 */

/** A validator's answer. On failure, `message` replaces the generic "expected X, got Y". */
export type Checked<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; code: "wrong-type" | "bad-value"; message?: string };

export type Validator<T = unknown> = (value: unknown) => Checked<T>;

const accept = <T>(value: T): Checked<T> => ({ ok: true, value });
const wrongType: Checked<never> = { ok: false, code: "wrong-type" };
const badValue = (message?: string): Checked<never> =>
  message === undefined
    ? { ok: false, code: "bad-value" }
    : { ok: false, code: "bad-value", message };

/** A string matching `pattern`. */
export function stringMatching(pattern: RegExp): Validator<string> {
  return (v) => {
    if (typeof v !== "string") return wrongType;
    return pattern.test(v) ? accept(v) : badValue();
  };
}

/** true or false (YAML's own booleans; "yes" and "on" are strings in YAML 1.2). */
export const booleanValue: Validator<boolean> = (v) =>
  typeof v === "boolean" ? accept(v) : wrongType;

/** An integer in [min, max]. A string such as "80a" is the wrong type; 80.5 or 0 a bad value. */
export function integerIn(min: number, max: number): Validator<number> {
  return (v) => {
    if (typeof v !== "number") return wrongType;
    return Number.isInteger(v) && v >= min && v <= max ? accept(v) : badValue();
  };
}

/** A power of two in [min, max]. */
export function powerOfTwoIn(min: number, max: number): Validator<number> {
  return (v) => {
    const n = integerIn(min, max)(v);
    if (!n.ok) return n;
    return (n.value & (n.value - 1)) === 0 ? n : badValue();
  };
}

function isRelative(p: string): boolean {
  return p !== "" && !p.startsWith("/") && !p.startsWith("\\") && !/^[A-Za-z]:/.test(p);
}

/** A non-empty path relative to the folder of `unikernel.yaml`. */
export const relativePath: Validator<string> = (v) => {
  if (typeof v !== "string") return wrongType;
  return isRelative(v) ? accept(v) : badValue();
};

/** A relative path to a TypeScript or JavaScript module. */
export const relativeModule: Validator<string> = (v) => {
  if (typeof v !== "string") return wrongType;
  return isRelative(v) && /\.(ts|mts|js|mjs)$/.test(v) ? accept(v) : badValue();
};

/** A file name inside a store: relative, with no ".." segment. */
export const storeFileName: Validator<string> = (v) => {
  if (typeof v !== "string") return wrongType;
  const ok = isRelative(v) && !v.split(/[/\\]/).includes("..");
  return ok ? accept(v) : badValue();
};

/** Parses dotted-quad IPv4 text ("10.0.0.2") to a 32-bit number; no leading zeros. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/** Formats a 32-bit number as dotted-quad IPv4 text. */
export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** An IPv4 address, "a.b.c.d". */
export const ipv4Address: Validator<string> = (v) => {
  if (typeof v !== "string") return wrongType;
  return parseIpv4(v) === undefined ? badValue() : accept(v);
};

/** A static IPv4 configuration: the interface's address and the length of its subnet prefix. */
export interface Ipv4Static {
  address: string;
  prefixLength: number;
}

/** The network and broadcast addresses of a subnet. */
export function subnetBounds(cidr: Ipv4Static): { network: number; broadcast: number } {
  const address = parseIpv4(cidr.address) ?? 0;
  const size = 2 ** (32 - cidr.prefixLength);
  const network = address - (address % size);
  return { network, broadcast: network + size - 1 };
}

/** `dhcp`, or a static "a.b.c.d/nn" whose address is a host of its subnet. */
export const ipv4Config: Validator<"dhcp" | Ipv4Static> = (v) => {
  if (typeof v !== "string") return wrongType;
  if (v === "dhcp") return accept("dhcp");
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(v);
  const address = m?.[1];
  const prefix = m?.[2];
  if (address === undefined || prefix === undefined || parseIpv4(address) === undefined) {
    return badValue();
  }
  const prefixLength = Number(prefix);
  if (prefixLength < 1 || prefixLength > 32) return badValue();
  const cidr = { address, prefixLength };
  if (prefixLength <= 30) {
    const n = parseIpv4(address);
    const { network, broadcast } = subnetBounds(cidr);
    if (n === network || n === broadcast) {
      const which = n === network ? "network" : "broadcast";
      return badValue(`${address} is the ${which} address of ${formatIpv4(network)}/${prefix}`);
    }
  }
  return accept(cidr);
};

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** A duration in [minMs, maxMs]: "500ms", "10s", "2m", or a plain number of seconds. */
export function durationIn(minMs: number, maxMs: number): Validator<number> {
  return (v) => {
    let ms: number;
    if (typeof v === "number") {
      ms = v * 1000;
    } else if (typeof v === "string") {
      const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m)$/.exec(v);
      if (m === null) return badValue();
      ms = Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] ?? 0);
    } else {
      return wrongType;
    }
    return Number.isFinite(ms) && ms >= minMs && ms <= maxMs ? accept(Math.round(ms)) : badValue();
  };
}

const MIB = 1024 * 1024;
const MEMORY_UNITS: Record<string, number> = { K: 1024, M: MIB, G: 1024 * MIB };
export const MEMORY_MIN = 16 * MIB;
export const MEMORY_MAX = 1024 * MIB;

/** A memory size: "256M", "1G", "65536K" (also "256MiB", "256MB"), or a plain number of MiB. */
export const memorySize: Validator<number> = (v) => {
  let bytes: number;
  if (typeof v === "number") {
    if (!Number.isInteger(v)) return badValue();
    bytes = v * MIB;
  } else if (typeof v === "string") {
    const m = /^([0-9]+)\s*([KMG])(i?B)?$/i.exec(v);
    const digits = m?.[1];
    const unit = m?.[2]?.toUpperCase();
    if (digits === undefined || unit === undefined) return badValue();
    bytes = Number(digits) * (MEMORY_UNITS[unit] ?? 0);
  } else {
    return wrongType;
  }
  return bytes >= MEMORY_MIN && bytes <= MEMORY_MAX ? accept(bytes) : badValue();
};

/** A port forward without its position. */
export interface PortForwardValue {
  host: number;
  guest: number;
  protocol: "tcp" | "udp";
}

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** "host:guest" with an optional "/tcp" or "/udp" (default tcp), or one port number for both. */
export const portForward: Validator<PortForwardValue> = (v) => {
  if (typeof v === "number") {
    return isPort(v) ? accept({ host: v, guest: v, protocol: "tcp" }) : badValue();
  }
  if (typeof v !== "string") return wrongType;
  const m = /^([0-9]{1,5}):([0-9]{1,5})(?:\/(tcp|udp))?$/.exec(v);
  if (m === null) return badValue();
  const host = Number(m[1]);
  const guest = Number(m[2]);
  if (!isPort(host) || !isPort(guest)) return badValue();
  return accept({ host, guest, protocol: m[3] === "udp" ? "udp" : "tcp" });
};
