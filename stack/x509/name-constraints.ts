/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)) for dNSName, iPAddress and
 * directoryName. A name must fall inside some permitted subtree of its type (when the CA
 * lists any of that type) and inside no excluded one. Constraint types this library does not
 * check (rfc822Name, URI, otherName, ...) are refused when the certificate carries names of
 * that type, so they can never be silently skipped.
 */

import type { NameConstraints } from "./extensions.ts";
import { type GeneralName, ipToString } from "./general-name.ts";
import { type Name, nameEquals } from "./name.ts";

/** dNSName constraint (§4.2.1.10): the name itself or any name formed by adding labels on the left. */
export function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  let c = constraint.toLowerCase().replace(/\.$/, "");
  if (c === "") return true;
  // A leading dot (".example.com") is a common form meaning subdomains only.
  if (c.startsWith(".")) return n.endsWith(c);
  c = c.replace(/^\.+/, "");
  return n === c || n.endsWith(`.${c}`);
}

/** iPAddress constraint: address and mask of twice the length (§4.2.1.10). */
export function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  if (constraint.length !== 2 * address.length) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = constraint[address.length + i] as number;
    if (((address[i] as number) & mask) !== ((constraint[i] as number) & mask)) return false;
  }
  return true;
}

function dnWithin(name: Name, constraint: Name): boolean {
  if (constraint.rdns.length > name.rdns.length) return false;
  const prefix: Name = { rdns: name.rdns.slice(0, constraint.rdns.length), der: new Uint8Array(0) };
  return nameEquals(prefix, constraint);
}

function within(name: GeneralName, base: GeneralName): boolean | undefined {
  if (name.type !== base.type) return undefined;
  if (name.type === "dNSName" && base.type === "dNSName") {
    // A wildcard SAN is checked as its base name with one label in front.
    return dnsWithin(name.value.replace(/^\*\./, "x."), base.value);
  }
  if (name.type === "iPAddress" && base.type === "iPAddress")
    return ipWithin(name.value, base.value);
  if (name.type === "directoryName" && base.type === "directoryName")
    return dnWithin(name.value, base.value);
  return undefined;
}

/**
 * Whether a wildcard SAN ("*.example.com") could stand for a name inside an excluded subtree
 * that sits one label below its base ("bad.example.com"): then it is excluded too.
 */
function wildcardReaches(name: GeneralName, excluded: GeneralName): boolean {
  if (name.type !== "dNSName" || excluded.type !== "dNSName" || !name.value.startsWith("*."))
    return false;
  const base = name.value.slice(2).toLowerCase().replace(/\.$/, "");
  const ex = excluded.value.toLowerCase().replace(/^\./, "").replace(/\.$/, "");
  const dot = ex.indexOf(".");
  return dot > 0 && ex.slice(dot + 1) === base;
}

const CHECKED = new Set(["dNSName", "iPAddress", "directoryName"]);

/**
 * Why `names` break `nc`, or undefined if they satisfy it. `names` are the certificate's
 * subject (as directoryName, when not empty) and its subjectAltName entries.
 */
export function nameConstraintViolation(
  names: readonly GeneralName[],
  nc: NameConstraints,
): string | undefined {
  const listed = [...(nc.permitted ?? []), ...(nc.excluded ?? [])];
  for (const name of names) {
    if (!CHECKED.has(name.type) && listed.some((b) => b.type === name.type)) {
      return `a ${name.type} name constraint, which this library does not check`;
    }
    if (!CHECKED.has(name.type)) continue;
    for (const ex of nc.excluded ?? []) {
      if (within(name, ex) === true || wildcardReaches(name, ex))
        return `${describe(name)} is in an excluded subtree`;
    }
    const permittedOfType = (nc.permitted ?? []).filter((b) => b.type === name.type);
    if (permittedOfType.length > 0 && !permittedOfType.some((b) => within(name, b) === true)) {
      return `${describe(name)} is outside the permitted subtrees`;
    }
  }
  return undefined;
}

function describe(n: GeneralName): string {
  if (n.type === "dNSName") return `DNS name ${n.value}`;
  if (n.type === "iPAddress") return `IP address ${ipToString(n.value)}`;
  return n.type;
}
