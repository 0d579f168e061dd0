/** What a TLS session is configured with, and what it reports (../../docs/tls.md). */
import type { CryptoProvider, PrivateKey, PublicKey } from "../crypto/provider.ts";
import type { Tracer } from "../trace/index.ts";
import type { CertificateFailure } from "./errors.ts";

/** Result of checking the server's chain: the leaf's key, or why it is refused. */
export type CertificateCheck =
  | { ok: true; publicKey: PublicKey; subject: string }
  | { ok: false; failure: CertificateFailure; reason: string };

/**
 * Checks a server's chain (DER, end-entity first) for `serverName`: path validation and the
 * host name (stack/x509 provides one, `x509Verifier`).
 */
export type CertificateVerifier = (
  chain: Uint8Array[],
  serverName: string | undefined,
) => CertificateCheck;

/** A server's certificate chain and the means to sign with its key. */
export interface ServerCredentials {
  /** DER certificates, end-entity first. */
  chain: Uint8Array[];
  /** SignatureScheme codes the key can make, most preferred first. */
  schemes: number[];
  /** Signs `message` with `scheme` (one of `schemes`). */
  sign(scheme: number, message: Uint8Array): Uint8Array;
}

/** A resumption ticket as the client keeps it (RFC 8446 §4.6.1). Holds a secret: never log it. */
export interface ClientSession {
  serverName?: string;
  suite: number;
  ticket: Uint8Array;
  psk: Uint8Array;
  ageAdd: number;
  lifetimeS: number;
  receivedAtMs: number;
  alpn?: string;
}

export interface CommonConfig {
  crypto: CryptoProvider;
  /** Monotonic nanoseconds, for traces (default: always 0). */
  now?: () => bigint;
  /** Wall-clock milliseconds, for ticket ages (default: `now` in ms). */
  wallMs?: () => number;
  /** Random bytes (default: the provider's). Tests inject fixed bytes here. */
  random?: (buf: Uint8Array) => Uint8Array;
  /** Cipher suite codes, most preferred first (default 0x1301, 0x1303, 0x1302). */
  cipherSuites?: number[];
  /**
   * NamedGroup codes advertised, most preferred first (default x25519, secp256r1, secp384r1).
   * Codes without an implementation are advertised but never chosen.
   */
  groups?: number[];
  /** SignatureScheme codes accepted (client) or advertised; default: all implemented. */
  signatureSchemes?: number[];
  /** ALPN protocol names, most preferred first (RFC 7301). */
  alpn?: string[];
  /** The record_size_limit advertised (RFC 8449; 64..16385; default 16385). */
  recordSizeLimit?: number;
  tracer?: Tracer;
  /** The trace id (default "tls:<role>#<n>"). */
  traceId?: string;
  /** Receives SSLKEYLOGFILE lines (NSS key log format), for Wireshark. */
  keyLog?: (line: string) => void;
}

export interface ClientConfig extends CommonConfig {
  /** The server's host name: sent as SNI and checked against the certificate. */
  serverName?: string;
  verifier: CertificateVerifier;
  /** Middlebox compatibility mode (RFC 8446 §D.4; default true). */
  middleboxCompat?: boolean;
  /** Groups to send key shares for in the first ClientHello (default: the first implemented). */
  keyShareGroups?: number[];
  /** A ticket from an earlier session to resume with. */
  session?: ClientSession;
  /**
   * Offer TLS 1.2 as well (ECDHE AEAD suites, extended master secret required; default true
   * when `cipherSuites` names a TLS 1.2 suite, as the default list does).
   */
  tls12?: boolean;
  /** Send an empty session_ticket extension (RFC 5077), as TLS 1.2-capable clients do. */
  legacySessionTicketExtension?: boolean;
}

export interface ServerConfig extends CommonConfig {
  credentials: ServerCredentials;
  /** 32 bytes that seal resumption tickets; without it no tickets are issued. */
  ticketKey?: Uint8Array;
  /** Ticket lifetime in seconds (default 7200; at most 604800, RFC 8446 §4.6.1). */
  ticketLifetimeS?: number;
  /** Tickets sent after each full handshake (default 1). */
  ticketCount?: number;
  /**
   * Serve TLS 1.2 clients (ECDHE with AEAD suites, extended master secret required,
   * renegotiation refused; default true). TLS 1.0 and 1.1 are never served (RFC 8996).
   */
  tls12?: boolean;
}

/** What the protocol views show (../../docs/architecture.md, "Tracing"); never a secret. */
export interface TlsSummary {
  role: "client" | "server";
  version: string | null;
  suite: string | null;
  group: string | null;
  handshake: string;
  sni: string | null;
  alpn: string | null;
  peer: string | null;
  resumed: boolean;
}

export type TlsEvent =
  | { type: "handshake-complete"; summary: TlsSummary }
  | { type: "alert-received"; level: number; description: number; name: string }
  | { type: "alert-sent"; description: number; name: string }
  /** The peer's close_notify: it sends nothing more. */
  | { type: "close-notify" }
  | { type: "session-ticket"; session: ClientSession }
  | { type: "key-update"; direction: "read" | "write" };

/** One step's result: bytes for the transport, application data, and what happened. */
export interface TlsOutput {
  records: Uint8Array[];
  data: Uint8Array[];
  events: TlsEvent[];
}

export type { PrivateKey };
