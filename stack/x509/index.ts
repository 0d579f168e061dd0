/**
 * X.509 for Morgana (RFC 5280): PEM, certificates and their v3 extensions, keys, signature
 * checks through the crypto provider, path validation, RFC 9525 host names, and creation of
 * certificates and CSRs. Parsers return results with closed sets of error codes; they never
 * throw on bad input.
 */
export {
  type AlgorithmIdentifier,
  algorithmIdentifierFor,
  signatureAlgorithmName,
  signatureAlgorithmOf,
} from "./algorithm.ts";
export { base64Decode, base64Encode } from "./base64.ts";
export {
  type Certificate,
  certificateToPem,
  parseCertificate,
  parseCertificatesPem,
  serialHex,
  timeChoice,
} from "./certificate.ts";
export {
  type CertificateRequestOptions,
  createCertificate,
  defaultSignatureAlgorithm,
  hostToGeneralName,
  type Issuer,
  keyIdentifier,
  publicKeyOf,
  randomSerial,
} from "./create.ts";
export {
  type Credentials,
  type CredentialsErrorCode,
  type CredentialsResult,
  parseCredentials,
} from "./credentials.ts";
export {
  type CertificationRequest,
  createCsr,
  csrToPem,
  parseCsr,
  parseCsrPem,
  verifyCsr,
} from "./csr.ts";
export {
  type ParseResult,
  X509_PARSE_CODES,
  type X509ParseCode,
  type X509ParseError,
} from "./errors.ts";
export {
  type Extensions,
  KEY_USAGE,
  type KeyUsage,
  type NameConstraints,
  type RawExtension,
} from "./extensions.ts";
export { type GeneralName, ipToString, parseIp } from "./general-name.ts";
export {
  certificateMatchesHost,
  dnsNameMatches,
  normalizeDnsName,
  type ReferenceIdentity,
  referenceIdentity,
} from "./hostname.ts";
export {
  encodePkcs8,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  encodeSpki,
  parsePkcs8,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  parseSpki,
} from "./keys.ts";
export {
  type Attribute,
  attributeValues,
  makeName,
  type Name,
  nameEquals,
  nameToString,
  parseName,
} from "./name.ts";
export { dnsWithin, ipWithin, nameConstraintViolation } from "./name-constraints.ts";
export {
  decodePem,
  decodePemAll,
  encodePem,
  type PemBlock,
  type PemError,
  type PemErrorCode,
} from "./pem.ts";
export { type CertificateSummary, certificateSummary } from "./summary.ts";
export {
  type Purpose,
  type ValidatedChain,
  type ValidationFailure,
  type ValidationFailureCode,
  type ValidationOptions,
  type ValidationResult,
  validateChain,
} from "./validate.ts";
