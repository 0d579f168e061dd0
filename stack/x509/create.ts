/**
 * Making certificates (RFC 5280): self-signed certificates, a local CA and leaf certificates it
 * signs. Signing, serial numbers and keys come from the injected crypto provider; times from
 * the caller (no clock is read). CSRs are in csr.ts.
 */

import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeDer, OID, withDer } from "../asn1/index.ts";
import type {
  CryptoProvider,
  PrivateKey,
  PublicKey,
  SignatureAlgorithm,
} from "../crypto/provider.ts";
import { algorithmIdentifierFor } from "./algorithm.ts";
import {
  type Certificate,
  CertificateCodec,
  parseCertificate,
  TbsCertificateCodec,
  timeChoice,
} from "./certificate.ts";
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extKeyUsageExtension,
  type KeyUsage,
  keyUsageExtension,
  nameConstraintsExtension,
  type RawExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from "./extensions.ts";
import { type GeneralName, parseIp } from "./general-name.ts";
import { encodeSpki, SubjectPublicKeyInfoCodec } from "./keys.ts";
import { makeName, type Name } from "./name.ts";

type Signer = Pick<CryptoProvider, "sign" | "hash" | "randomFill">;

/** The signature algorithm used with a key unless asked otherwise. */
export function defaultSignatureAlgorithm(key: PrivateKey | PublicKey): SignatureAlgorithm {
  if (key.kind === "ed25519") return { kind: "ed25519" };
  if (key.kind === "ec")
    return { kind: "ecdsa", hash: key.curve === "p384" ? "sha384" : "sha256", encoding: "der" };
  return { kind: "rsa-pkcs1", hash: "sha256" };
}

/**
 * The public half of a private key. EC points come from the provider (d·G is the ECDH public
 * key); Ed25519 from RFC 8032 §5.1.5; RSA keys carry n and e.
 */
export function publicKeyOf(
  provider: Pick<CryptoProvider, "ecdhPublicKey">,
  key: PrivateKey,
): PublicKey {
  switch (key.kind) {
    case "rsa":
      return { kind: "rsa", n: key.n, e: key.e };
    case "ed25519":
      return { kind: "ed25519", key: ed25519.getPublicKey(key.seed) };
    case "ec": {
      const point = provider.ecdhPublicKey(key.curve, key.d);
      if (point === null) throw new RangeError("EC private key out of range");
      return { kind: "ec", curve: key.curve, point };
    }
  }
}

/**
 * Key identifier (RFC 7093 §2 method 1): the leftmost 160 bits of the SHA-256 of the
 * subjectPublicKey BIT STRING value.
 */
export function keyIdentifier(provider: Pick<CryptoProvider, "hash">, key: PublicKey): Uint8Array {
  const spki = decodeDer(SubjectPublicKeyInfoCodec, encodeSpki(key));
  if (!spki.ok) throw new RangeError("unreachable: SPKI we wrote does not parse");
  return provider.hash("sha256", spki.value.subjectPublicKey).subarray(0, 20);
}

/**
 * A positive serial number of 16 random octets (RFC 5280 §4.1.2.2: positive, at most 20
 * octets; CA/B Forum: at least 64 bits of randomness).
 */
export function randomSerial(provider: Pick<CryptoProvider, "randomFill">): bigint {
  const b = provider.randomFill(new Uint8Array(16));
  b[0] = ((b[0] as number) & 0x7f) | 0x01;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

/** A host as a SAN entry: an IP literal becomes iPAddress, anything else dNSName. */
export function hostToGeneralName(host: string): GeneralName {
  const ip = parseIp(host);
  return ip !== undefined
    ? { type: "iPAddress", value: ip }
    : { type: "dNSName", value: host.toLowerCase() };
}

export interface CertificateRequestOptions {
  /** The subject: a Name, or attributes in order ("C", "O", "CN", ...). */
  readonly subject: Name | readonly (readonly [string, string])[];
  /** The key the certificate is for. */
  readonly publicKey: PublicKey;
  /** Validity, ms since the epoch (whole seconds are kept). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Host names and IP addresses for subjectAltName. */
  readonly hosts?: readonly string[];
  /** Makes a CA certificate: basicConstraints cA, keyUsage keyCertSign and cRLSign. */
  readonly ca?: { readonly pathLen?: number; readonly permittedHosts?: readonly string[] };
  /** Leaf key usages (default digitalSignature) and EKUs (default serverAuth and clientAuth). */
  readonly keyUsage?: readonly KeyUsage[];
  readonly extKeyUsage?: readonly ("serverAuth" | "clientAuth")[];
  /** A serial number; random when absent. */
  readonly serialNumber?: bigint;
  /** Extra extensions, written after the standard ones. */
  readonly extraExtensions?: readonly RawExtension[];
}

export interface Issuer {
  /** The issuer's certificate; absent for a self-signed certificate. */
  readonly certificate?: Certificate;
  /** The key that signs. */
  readonly privateKey: PrivateKey;
  readonly signatureAlgorithm?: SignatureAlgorithm;
}

/** A Name as given: a parsed Name, or attribute pairs in order ("C", "O", "CN", ...). */
export function toName(subject: Name | readonly (readonly [string, string])[]): Name {
  return "der" in subject
    ? (subject as Name)
    : makeName(subject as readonly (readonly [string, string])[]);
}

function standardExtensions(
  provider: Signer,
  o: CertificateRequestOptions,
  issuerKeyId: Uint8Array | undefined,
): RawExtension[] {
  const exts: RawExtension[] = [];
  if (o.ca !== undefined) {
    exts.push(basicConstraintsExtension(true, o.ca.pathLen));
    exts.push(keyUsageExtension(["keyCertSign", "cRLSign"]));
    if (o.ca.permittedHosts !== undefined) {
      exts.push(nameConstraintsExtension(o.ca.permittedHosts.map(permittedSubtree), undefined));
    }
  } else {
    exts.push(basicConstraintsExtension(false));
    exts.push(keyUsageExtension(o.keyUsage ?? ["digitalSignature"]));
    const eku = o.extKeyUsage ?? ["serverAuth", "clientAuth"];
    exts.push(
      extKeyUsageExtension(eku.map((e) => (e === "serverAuth" ? OID.serverAuth : OID.clientAuth))),
    );
  }
  if (o.hosts !== undefined && o.hosts.length > 0) {
    // RFC 5280 §4.2.1.6: with an empty subject the SAN is critical.
    exts.push(
      subjectAltNameExtension(o.hosts.map(hostToGeneralName), toName(o.subject).rdns.length === 0),
    );
  }
  exts.push(subjectKeyIdentifierExtension(keyIdentifier(provider, o.publicKey)));
  if (issuerKeyId !== undefined) exts.push(authorityKeyIdentifierExtension(issuerKeyId));
  return [...exts, ...(o.extraExtensions ?? [])];
}

/** A permitted subtree for a CA limited to hosts: a DNS domain, or one IP address (full mask). */
function permittedSubtree(host: string): GeneralName {
  const ip = parseIp(host);
  if (ip === undefined) return { type: "dNSName", value: host.toLowerCase() };
  const v = new Uint8Array(ip.length * 2);
  v.set(ip);
  v.fill(0xff, ip.length);
  return { type: "iPAddress", value: v };
}

/**
 * Makes and signs a certificate. Self-signed when `issuer.certificate` is absent (then the
 * subject's public key must be the issuer key's). Returns the parsed certificate.
 */
export function createCertificate(
  provider: Signer,
  options: CertificateRequestOptions,
  issuer: Issuer,
): Certificate {
  const subject = toName(options.subject);
  const issuerName = issuer.certificate?.subject ?? subject;
  const issuerKeyId =
    issuer.certificate === undefined
      ? keyIdentifier(provider, options.publicKey)
      : issuer.certificate.extensions.subjectKeyIdentifier;
  const alg = issuer.signatureAlgorithm ?? defaultSignatureAlgorithm(issuer.privateKey);
  const algId = algorithmIdentifierFor(alg);
  const spkiDer = encodeSpki(options.publicKey);
  const spki = decodeDer(SubjectPublicKeyInfoCodec, spkiDer);
  if (!spki.ok) throw new RangeError("unreachable: SPKI we wrote does not parse");
  const tbs = TbsCertificateCodec.encode({
    version: 2,
    serialNumber: options.serialNumber ?? randomSerial(provider),
    signature: algId,
    issuer: issuerName,
    validity: {
      notBefore: timeChoice(Math.floor(options.notBefore / 1000) * 1000),
      notAfter: timeChoice(Math.floor(options.notAfter / 1000) * 1000),
    },
    subject,
    subjectPublicKeyInfo: { value: spki.value, der: spkiDer },
    issuerUniqueID: undefined,
    subjectUniqueID: undefined,
    extensions: standardExtensions(provider, options, issuerKeyId),
  });
  const signature = provider.sign(alg, issuer.privateKey, tbs);
  const tbsParsed = decodeDer(withDer(TbsCertificateCodec), tbs);
  if (!tbsParsed.ok)
    throw new RangeError(
      `unreachable: TBSCertificate we wrote does not parse: ${tbsParsed.error.message}`,
    );
  const der = CertificateCodec.encode({
    tbsCertificate: tbsParsed.value,
    signatureAlgorithm: algId,
    signatureValue: signature,
  });
  const parsed = parseCertificate(der);
  if (!parsed.ok)
    throw new RangeError(
      `unreachable: certificate we wrote does not parse: ${parsed.error.message}`,
    );
  return parsed.value;
}
