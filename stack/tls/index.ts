/**
 * TLS 1.3 (RFC 8446) as a pure engine: bytes in, records, application data and events out.
 * `TlsClient` and `TlsServer` are the two roles; `TlsFlow` runs one over any `Flow`.
 */
export { TlsClient } from "./client.ts";
export type {
  CertificateCheck,
  CertificateVerifier,
  ClientConfig,
  ClientSession,
  CommonConfig,
  ServerConfig,
  ServerCredentials,
  TlsEvent,
  TlsOutput,
  TlsSummary,
} from "./config.ts";
export { createTlsStack, type TlsStackOptions } from "./device.ts";
export type { TlsEngine } from "./engine.ts";
export { alertFor, type CertificateFailure, type TlsFailure } from "./errors.ts";
export { TlsFlow, TlsFlowError, type TlsFlowOptions } from "./flow.ts";
export { credentialsFromPem, type PemResult, rootsFromPem } from "./pem.ts";
export { credentialsFromKey, TlsServer } from "./server.ts";
export {
  type CipherSuite,
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
  TLS13_SUITES,
} from "./suites.ts";
export { certificateFailureFor, type X509VerifierOptions, x509Verifier } from "./verify.ts";
export { AlertDescription, NamedGroup, SignatureScheme } from "./wire.ts";
