/**
 * Why a TLS session failed: a closed set, mapped in one function to the alert it sends
 * (RFC 8446 §6.2). The engine never throws: every failure ends here.
 */
import { AlertDescription } from "./wire.ts";

export type TlsFailure =
  /** A message or record does not parse, or a length is wrong (§6.2 decode_error). */
  | "decode-error"
  /** A message arrived in a state that does not expect it (§6.2 unexpected_message). */
  | "unexpected-message"
  /** A record did not decrypt (§5.2 bad_record_mac). */
  | "bad-record-mac"
  /** A record longer than allowed (§5.1, §5.2, RFC 8449 §4). */
  | "record-overflow"
  /** No acceptable set of parameters: no common suite, group or signature scheme (§4.1.1). */
  | "handshake-failure"
  /** A field has a value the spec forbids, or a parameter the peer did not offer (§4.1.3 etc.). */
  | "illegal-parameter"
  /** A required extension is missing (§9.2). */
  | "missing-extension"
  /** An extension in a response that was not offered, or in the wrong message (§4.2). */
  | "unsupported-extension"
  /** Neither side speaks a version the other accepts (§4.2.1). */
  | "protocol-version"
  /** A Finished, binder or CertificateVerify did not verify (§4.4.3, §4.4.4). */
  | "decrypt-error"
  /** Certificate problems, as the verifier names them (§4.4.2.4). */
  | "bad-certificate"
  | "unsupported-certificate"
  | "certificate-expired"
  | "certificate-unknown"
  | "unknown-ca"
  /** ALPN: the client offered protocols and none is acceptable (RFC 7301 §3.2). */
  | "no-application-protocol"
  /** A local limit or an internal fault (§6.2 internal_error). */
  | "internal-error";

export type CertificateFailure = Extract<
  TlsFailure,
  | "bad-certificate"
  | "unsupported-certificate"
  | "certificate-expired"
  | "certificate-unknown"
  | "unknown-ca"
>;

/** The alert description each failure sends (the one mapping, RFC 8446 §6.2). */
export function alertFor(failure: TlsFailure): number {
  switch (failure) {
    case "decode-error":
      return AlertDescription.decodeError;
    case "unexpected-message":
      return AlertDescription.unexpectedMessage;
    case "bad-record-mac":
      return AlertDescription.badRecordMac;
    case "record-overflow":
      return AlertDescription.recordOverflow;
    case "handshake-failure":
      return AlertDescription.handshakeFailure;
    case "illegal-parameter":
      return AlertDescription.illegalParameter;
    case "missing-extension":
      return AlertDescription.missingExtension;
    case "unsupported-extension":
      return AlertDescription.unsupportedExtension;
    case "protocol-version":
      return AlertDescription.protocolVersion;
    case "decrypt-error":
      return AlertDescription.decryptError;
    case "bad-certificate":
      return AlertDescription.badCertificate;
    case "unsupported-certificate":
      return AlertDescription.unsupportedCertificate;
    case "certificate-expired":
      return AlertDescription.certificateExpired;
    case "certificate-unknown":
      return AlertDescription.certificateUnknown;
    case "unknown-ca":
      return AlertDescription.unknownCa;
    case "no-application-protocol":
      return AlertDescription.noApplicationProtocol;
    case "internal-error":
      return AlertDescription.internalError;
  }
}

/** Raised inside the engine and caught at its entry points, never beyond. */
export class TlsError extends Error {
  constructor(
    readonly failure: TlsFailure,
    readonly reason: string,
  ) {
    super(`${failure}: ${reason}`);
    this.name = "TlsError";
  }
}

/** Fails the handshake with `failure` unless `cond` holds. */
export function check(cond: boolean, failure: TlsFailure, reason: string): asserts cond {
  if (!cond) throw new TlsError(failure, reason);
}
