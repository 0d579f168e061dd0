/**
 * Certificate requests (PKCS#10, RFC 2986): made with SANs in a PKCS#9 extensionRequest
 * attribute (RFC 2985 §5.4.2), read, and checked for proof of possession.
 */
import {
  any as anyElement,
  decodeDer,
  implicit,
  OID,
  octetAlignedBits,
  oid,
  sequence,
  setOf,
  smallInteger,
  withDer,
} from "../asn1/index.ts";
import type {
  CryptoProvider,
  PrivateKey,
  PublicKey,
  SignatureAlgorithm,
} from "../crypto/provider.ts";
import {
  type AlgorithmIdentifier,
  AlgorithmIdentifierCodec,
  algorithmIdentifierFor,
  signatureAlgorithmOf,
} from "./algorithm.ts";
import { defaultSignatureAlgorithm, hostToGeneralName, publicKeyOf, toName } from "./create.ts";
import { type ParseResult, parseFail } from "./errors.ts";
import {
  decodeExtensions,
  type Extensions,
  ExtensionsCodec,
  subjectAltNameExtension,
} from "./extensions.ts";
import { encodeSpki, publicKeyFromSpki, SubjectPublicKeyInfoCodec } from "./keys.ts";
import { type Name, NameCodec } from "./name.ts";
import { decodePem, encodePem } from "./pem.ts";

const AttributeCodec = sequence("Attribute", { type: oid, values: setOf(anyElement, { min: 1 }) });

const CertificationRequestInfoCodec = sequence("CertificationRequestInfo", {
  version: smallInteger(0, 0),
  subject: NameCodec,
  subjectPKInfo: withDer(SubjectPublicKeyInfoCodec),
  attributes: implicit(0, setOf(AttributeCodec)),
});

const CertificationRequestCodec = sequence("CertificationRequest", {
  certificationRequestInfo: withDer(CertificationRequestInfoCodec),
  signatureAlgorithm: AlgorithmIdentifierCodec,
  signature: octetAlignedBits,
});

export interface CertificationRequest {
  readonly der: Uint8Array;
  readonly subject: Name;
  readonly publicKey: PublicKey;
  readonly signatureAlgorithmId: AlgorithmIdentifier;
  readonly signatureAlgorithm: SignatureAlgorithm | undefined;
  /** Extensions asked for with the PKCS#9 extensionRequest attribute (RFC 2985 §5.4.2). */
  readonly extensions: Extensions | undefined;
  readonly infoDer: Uint8Array;
  readonly signature: Uint8Array;
}

/** Makes a CSR signed by `privateKey`, asking for SANs for `hosts`. */
export function createCsr(
  provider: Pick<CryptoProvider, "sign" | "ecdhPublicKey">,
  options: {
    subject: Name | readonly (readonly [string, string])[];
    privateKey: PrivateKey;
    hosts?: readonly string[];
    signatureAlgorithm?: SignatureAlgorithm;
  },
): CertificationRequest {
  const subject = toName(options.subject);
  const publicKey = publicKeyOf(provider, options.privateKey);
  const spkiDer = encodeSpki(publicKey);
  const spki = decodeDer(SubjectPublicKeyInfoCodec, spkiDer);
  if (!spki.ok) throw new RangeError("unreachable: SPKI we wrote does not parse");
  const attributes =
    options.hosts !== undefined && options.hosts.length > 0
      ? [
          {
            type: OID.extensionRequest,
            values: [
              ExtensionsCodec.encode([
                subjectAltNameExtension(options.hosts.map(hostToGeneralName)),
              ]),
            ],
          },
        ]
      : [];
  const info = CertificationRequestInfoCodec.encode({
    version: 0,
    subject,
    subjectPKInfo: { value: spki.value, der: spkiDer },
    attributes,
  });
  const alg = options.signatureAlgorithm ?? defaultSignatureAlgorithm(options.privateKey);
  const algId = algorithmIdentifierFor(alg);
  const infoParsed = decodeDer(withDer(CertificationRequestInfoCodec), info);
  if (!infoParsed.ok) throw new RangeError("unreachable: request we wrote does not parse");
  const der = CertificationRequestCodec.encode({
    certificationRequestInfo: infoParsed.value,
    signatureAlgorithm: algId,
    signature: provider.sign(alg, options.privateKey, info),
  });
  const parsed = parseCsr(der);
  if (!parsed.ok)
    throw new RangeError(`unreachable: request we wrote does not parse: ${parsed.error.message}`);
  return parsed.value;
}

/** Parses a DER CSR (the signature is checked by `verifyCsr`). */
export function parseCsr(der: Uint8Array): ParseResult<CertificationRequest> {
  const r = decodeDer(CertificationRequestCodec, der);
  if (!r.ok) return r;
  const info = r.value.certificationRequestInfo;
  const key = publicKeyFromSpki(info.value.subjectPKInfo.value);
  if (!key.ok) return key;
  const alg = signatureAlgorithmOf(r.value.signatureAlgorithm);
  if (!alg.ok) return parseFail("bad-algorithm-parameters", alg.error.message);
  let extensions: Extensions | undefined;
  for (const attr of info.value.attributes) {
    if (attr.type !== OID.extensionRequest) continue;
    if (attr.values.length !== 1 || extensions !== undefined)
      return parseFail("bad-extension", "extensionRequest must hold one value, once");
    const list = decodeDer(ExtensionsCodec, attr.values[0] as Uint8Array);
    if (!list.ok) return list;
    const exts = decodeExtensions(list.value);
    if (!exts.ok) return exts;
    extensions = exts.value;
  }
  return {
    ok: true,
    value: {
      der,
      subject: info.value.subject,
      publicKey: key.value,
      signatureAlgorithmId: r.value.signatureAlgorithm,
      signatureAlgorithm: alg.value,
      extensions,
      infoDer: info.der,
      signature: r.value.signature,
    },
  };
}

/** Whether the CSR is signed by the key it carries (proof of possession, RFC 2986 §3). */
export function verifyCsr(
  provider: Pick<CryptoProvider, "verify">,
  csr: CertificationRequest,
): boolean {
  return (
    csr.signatureAlgorithm !== undefined &&
    provider.verify(csr.signatureAlgorithm, csr.publicKey, csr.infoDer, csr.signature)
  );
}

export function csrToPem(csr: CertificationRequest): string {
  return encodePem("CERTIFICATE REQUEST", csr.der);
}

export function parseCsrPem(text: string): ParseResult<CertificationRequest> {
  const block = decodePem(text, ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);
  if (!block.ok) return parseFail("bad-pem", block.error.message);
  return parseCsr(block.value.der);
}
