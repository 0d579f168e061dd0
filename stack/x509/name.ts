/**
 * Distinguished names (RFC 5280 §4.1.2.4): Name ::= RDNSequence, a SEQUENCE OF SET OF
 * AttributeTypeAndValue. Values that are character strings are decoded; others are kept raw.
 * Comparison follows RFC 5280 §7.1 in a reduced form (see `nameEquals`).
 */
import {
  any as anyElement,
  bmpString,
  type Codec,
  choice,
  decodeDer,
  ia5String,
  oid,
  printableStringInNames,
  type Result,
  sequence,
  sequenceOf,
  setOf,
  t61String,
  utf8String,
  withDer,
} from "../asn1/index.ts";
import { equalBytes, toHex } from "../bytes/index.ts";

const StringValue = choice("DirectoryString", {
  utf8: utf8String,
  printable: printableStringInNames,
  ia5: ia5String,
  t61: t61String,
  bmp: bmpString,
  other: anyElement,
});

export interface Attribute {
  readonly type: string;
  readonly value:
    | { type: "utf8" | "printable" | "ia5" | "t61" | "bmp"; value: string }
    | { type: "other"; value: Uint8Array };
}

const AttributeCodec: Codec<Attribute> = sequence("AttributeTypeAndValue", {
  type: oid,
  value: StringValue,
}) as Codec<Attribute>;

const RdnSequence = sequenceOf(setOf(AttributeCodec, { min: 1 }), { max: 64 });

/** A Name: its relative distinguished names in order (most significant first) and its DER. */
export interface Name {
  readonly rdns: readonly (readonly Attribute[])[];
  readonly der: Uint8Array;
}

const NameWithDer = withDer(RdnSequence);

export const NameCodec: Codec<Name> = {
  name: "Name",
  matches: (t) => NameWithDer.matches(t),
  decode(el) {
    const r = NameWithDer.decode(el);
    return r.ok ? { ok: true, value: { rdns: r.value.value, der: r.value.der } } : r;
  },
  encode: (n) => n.der,
};

/** Attribute short names (RFC 4514 §3). */
const SHORT: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};
const BY_SHORT = new Map(Object.entries(SHORT).map(([k, v]) => [v, k]));

function escapeValue(s: string): string {
  // RFC 4514 §2.4.
  let out = s.replace(/[\\"+,;<>]/g, (c) => `\\${c}`);
  if (out.startsWith("#") || out.startsWith(" ")) out = `\\${out}`;
  if (out.endsWith(" ") && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** RFC 4514 string form: least significant RDN first, "CN=host,O=Org,C=NL". */
export function nameToString(name: Name): string {
  return [...name.rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => {
          const key = SHORT[a.type] ?? a.type;
          const v =
            a.value.type === "other" ? `#${toHex(a.value.value)}` : escapeValue(a.value.value);
          return `${key}=${v}`;
        })
        .join("+"),
    )
    .join(",");
}

/** The values of one attribute type, in order (e.g. every commonName). */
export function attributeValues(name: Name, type: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns)
    for (const a of rdn) if (a.type === type && a.value.type !== "other") out.push(a.value.value);
  return out;
}

function normalize(s: string): string {
  return s.trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Whether two names match for chaining (RFC 5280 §7.1). Equal DER matches; otherwise each
 * RDN must hold the same attribute types with string values equal after trimming, folding
 * inner whitespace and lower-casing (a subset of the LDAP StringPrep rules §7.1 names).
 */
export function nameEquals(a: Name, b: Name): boolean {
  if (equalBytes(a.der, b.der)) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  for (let i = 0; i < a.rdns.length; i++) {
    const x = a.rdns[i] as readonly Attribute[];
    const y = b.rdns[i] as readonly Attribute[];
    if (x.length !== y.length) return false;
    const used = new Set<number>();
    for (const ax of x) {
      const j = y.findIndex((ay, k) => !used.has(k) && ay.type === ax.type && attrEqual(ax, ay));
      if (j < 0) return false;
      used.add(j);
    }
  }
  return true;
}

function attrEqual(a: Attribute, b: Attribute): boolean {
  if (a.value.type === "other" || b.value.type === "other") {
    return (
      a.value.type === b.value.type &&
      equalBytes(a.value.value as Uint8Array, b.value.value as Uint8Array)
    );
  }
  return normalize(a.value.value) === normalize(b.value.value);
}

/**
 * Builds a Name from attributes in order, most significant first: `[["C","NL"],["CN","x"]]`.
 * Country is a PrintableString (RFC 5280 appendix A), DC an IA5String, the rest UTF8String
 * (RFC 5280 §4.1.2.6 for new certificates).
 */
export function makeName(attrs: readonly (readonly [string, string])[]): Name {
  const rdns: Attribute[][] = attrs.map(([key, value]) => {
    const type = BY_SHORT.get(key) ?? key;
    const kind =
      type === "2.5.4.6" ? "printable" : type === "0.9.2342.19200300.100.1.25" ? "ia5" : "utf8";
    return [{ type, value: { type: kind, value } }];
  });
  const der = RdnSequence.encode(rdns);
  return { rdns, der };
}

/** Reads a DER Name (RDNSequence). */
export function parseName(der: Uint8Array): Result<Name> {
  return decodeDer(NameCodec, der);
}
