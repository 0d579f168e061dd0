/**
 * OBJECT IDENTIFIER contents (X.690 §8.19): arcs in base 128, the first two folded into one
 * subidentifier (40 * X + Y), each subidentifier in the fewest octets. Values are dotted
 * strings ("1.2.840.113549.1.1.11"); arcs of any size are kept exactly (BigInt past 2^53).
 */
import { fail, ok, type Result } from "./errors.ts";

const DOTTED = /^[0-2](\.(0|[1-9][0-9]*))+$/;

export function isOid(text: string): boolean {
  if (!DOTTED.test(text)) return false;
  const arcs = text.split(".");
  // X.660: under roots 0 and 1 the second arc is at most 39.
  return arcs[0] === "2" || BigInt(arcs[1] as string) < 40n;
}

/** Decodes OID contents; `offset` places errors in the whole input. */
export function decodeOid(bytes: Uint8Array, offset = 0): Result<string> {
  if (bytes.length === 0) return fail("bad-oid", "empty OBJECT IDENTIFIER", offset);
  // Arcs as plain numbers while they stay exact (below 2^46); BigInt only for longer ones.
  const subs: (number | bigint)[] = [];
  let value = 0;
  let big: bigint | undefined;
  let startOfSub = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (startOfSub && b === 0x80)
      return fail("bad-oid", "subidentifier with a leading 0x80 octet (X.690 §8.19.2)", offset + i);
    startOfSub = false;
    if (big !== undefined) big = (big << 7n) | BigInt(b & 0x7f);
    else if (value >= 2 ** 39) big = (BigInt(value) << 7n) | BigInt(b & 0x7f);
    else value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      subs.push(big ?? value);
      value = 0;
      big = undefined;
      startOfSub = true;
    }
  }
  if (!startOfSub) return fail("bad-oid", "last subidentifier cut off", offset + bytes.length - 1);
  const first = subs[0] as number | bigint;
  let text: string;
  if (typeof first === "bigint") text = `2.${first - 80n}`;
  else text = first < 40 ? `0.${first}` : first < 80 ? `1.${first - 40}` : `2.${first - 80}`;
  for (let i = 1; i < subs.length; i++) text += `.${subs[i]}`;
  return ok(text);
}

/** Encodes a dotted OID; throws RangeError on text that is not one (a programming error). */
export function encodeOid(text: string): Uint8Array {
  if (!isOid(text)) throw new RangeError(`not an OBJECT IDENTIFIER: ${JSON.stringify(text)}`);
  const arcs = text.split(".").map((a) => BigInt(a));
  const subs = [(arcs[0] as bigint) * 40n + (arcs[1] as bigint), ...arcs.slice(2)];
  const out: number[] = [];
  for (const sub of subs) {
    const digits: number[] = [];
    let n = sub;
    do {
      digits.unshift(Number(n & 0x7fn));
      n >>= 7n;
    } while (n > 0n);
    for (let i = 0; i < digits.length - 1; i++) digits[i] = (digits[i] as number) | 0x80;
    out.push(...digits);
  }
  return Uint8Array.from(out);
}

/**
 * Names for the OIDs Morgana meets in certificates (RFC 5280, RFC 5912, RFC 8017, RFC 5480,
 * RFC 8410). Used for display and error messages; decoding never depends on a name.
 */
export const OID = {
  // Attribute types (RFC 5280 appendix A.1, RFC 4519).
  commonName: "2.5.4.3",
  surname: "2.5.4.4",
  serialNumber: "2.5.4.5",
  countryName: "2.5.4.6",
  localityName: "2.5.4.7",
  stateOrProvinceName: "2.5.4.8",
  streetAddress: "2.5.4.9",
  organizationName: "2.5.4.10",
  organizationalUnitName: "2.5.4.11",
  title: "2.5.4.12",
  givenName: "2.5.4.42",
  domainComponent: "0.9.2342.19200300.100.1.25",
  emailAddress: "1.2.840.113549.1.9.1",
  // Extensions (RFC 5280 §4.2).
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  ctPrecertificateScts: "1.3.6.1.4.1.11129.2.4.2",
  // Extended key usages (RFC 5280 §4.2.1.12).
  anyExtendedKeyUsage: "2.5.29.37.0",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  // Keys and signatures (RFC 8017 appendix A, RFC 5480, RFC 5758, RFC 8410).
  rsaEncryption: "1.2.840.113549.1.1.1",
  rsassaPss: "1.2.840.113549.1.1.10",
  mgf1: "1.2.840.113549.1.1.8",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  ecPublicKey: "1.2.840.10045.2.1",
  prime256v1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  ed25519: "1.3.101.112",
  ed448: "1.3.101.113",
  x25519: "1.3.101.110",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  // PKCS#9 (RFC 2985) attributes in CSRs.
  extensionRequest: "1.2.840.113549.1.9.14",
  challengePassword: "1.2.840.113549.1.9.7",
} as const;

const NAMES = new Map<string, string>(Object.entries(OID).map(([name, oid]) => [oid, name]));

/** The registry's name for an OID, or the dotted form. */
export function oidName(oid: string): string {
  return NAMES.get(oid) ?? oid;
}
