/**
 * Handshake message codec (RFC 8446 §4): each message as a typed value, `encode*` to bytes
 * (with the 4-byte handshake header) and `decode*` from a body. Decoders throw DecodeFailure
 * (via Reader) and `decodeMessage` turns that into a result at the boundary.
 */
import { DecodeFailure, HandshakeType, Reader, Writer } from "./wire.ts";

export interface Extension {
  type: number;
  data: Uint8Array;
}

/** A whole handshake message: its type, body, and the bytes the transcript hashes. */
export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  raw: Uint8Array;
}

export function handshake(type: number, fill: (w: Writer) => void): Uint8Array {
  return new Writer().u8(type).vec(3, fill).finish();
}

function writeExtensions(w: Writer, exts: Extension[]): void {
  w.vec(2, (x) => {
    for (const e of exts) x.u16(e.type).vec(2, (d) => d.bytes(e.data));
  });
}

/** Extensions<..> with no type twice (§4.2: "MUST NOT be more than one extension of the same type"). */
function readExtensions(r: Reader): Extension[] {
  const x = r.sub(2);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!x.atEnd()) {
    const type = x.u16();
    if (seen.has(type)) throw new DuplicateExtension(type);
    seen.add(type);
    out.push({ type, data: x.vec(2) });
  }
  return out;
}

/** A repeated extension is illegal_parameter, not decode_error (§4.2). */
export class DuplicateExtension extends DecodeFailure {
  constructor(readonly extension: number) {
    super(`extension ${extension} repeated`);
  }
}

export function findExtension(exts: Extension[], type: number): Uint8Array | undefined {
  for (const e of exts) if (e.type === type) return e.data;
  return undefined;
}

// ---- ClientHello (§4.1.2) ----

export interface ClientHello {
  /** As received (decoding only); encoding always writes 0x0303 (§4.1.2). */
  legacyVersion?: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  extensions: Extension[];
}

export function encodeClientHello(m: ClientHello): Uint8Array {
  return handshake(HandshakeType.clientHello, (w) => {
    w.u16(0x0303).bytes(m.random);
    w.vec(1, (x) => x.bytes(m.sessionId));
    w.vec(2, (x) => {
      for (const s of m.cipherSuites) x.u16(s);
    });
    w.vec(1, (x) => x.bytes(m.compressionMethods));
    writeExtensions(w, m.extensions);
  });
}

export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body);
  // legacy_version: for TLS 1.3 supported_versions decides (§4.2.1); TLS 1.2 reads it.
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec(1, 0, 32);
  const cs = r.sub(2, 2, 0xfffe);
  if (cs.remaining % 2 !== 0) throw new DecodeFailure("odd cipher_suites length");
  const cipherSuites: number[] = [];
  while (!cs.atEnd()) cipherSuites.push(cs.u16());
  const compressionMethods = r.vec(1, 1, 255);
  // A ClientHello without extensions is TLS 1.2 at most; we keep it and refuse later.
  const extensions = r.atEnd() ? [] : readExtensions(r);
  r.expectEnd();
  return { legacyVersion, random, sessionId, cipherSuites, compressionMethods, extensions };
}

// ---- ServerHello and HelloRetryRequest (§4.1.3, §4.1.4) ----

/** SHA-256("HelloRetryRequest"): the random that marks a ServerHello as an HRR (§4.1.3). */
export const HRR_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

export interface ServerHello {
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

export function encodeServerHello(m: ServerHello): Uint8Array {
  return handshake(HandshakeType.serverHello, (w) => {
    w.u16(0x0303).bytes(m.random);
    w.vec(1, (x) => x.bytes(m.sessionId));
    w.u16(m.cipherSuite).u8(m.compressionMethod);
    writeExtensions(w, m.extensions);
  });
}

export function decodeServerHello(body: Uint8Array): ServerHello & { legacyVersion: number } {
  const r = new Reader(body);
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec(1, 0, 32);
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  const extensions = r.atEnd() ? [] : readExtensions(r);
  r.expectEnd();
  return { legacyVersion, random, sessionId, cipherSuite, compressionMethod, extensions };
}

// ---- EncryptedExtensions (§4.3.1) ----

export function encodeEncryptedExtensions(exts: Extension[]): Uint8Array {
  return handshake(HandshakeType.encryptedExtensions, (w) => writeExtensions(w, exts));
}

export function decodeEncryptedExtensions(body: Uint8Array): Extension[] {
  const r = new Reader(body);
  const exts = readExtensions(r);
  r.expectEnd();
  return exts;
}

// ---- CertificateRequest (§4.3.2) ----

export function decodeCertificateRequest(body: Uint8Array): {
  context: Uint8Array;
  extensions: Extension[];
} {
  const r = new Reader(body);
  const context = r.vec(1);
  const extensions = readExtensions(r);
  r.expectEnd();
  return { context, extensions };
}

// ---- Certificate (§4.4.2) ----

export interface CertificateMessage {
  context: Uint8Array;
  /** DER certificates, end-entity first. */
  certificates: Uint8Array[];
}

export function encodeCertificate(m: CertificateMessage): Uint8Array {
  return handshake(HandshakeType.certificate, (w) => {
    w.vec(1, (x) => x.bytes(m.context));
    w.vec(3, (x) => {
      for (const c of m.certificates) {
        x.vec(3, (d) => d.bytes(c));
        x.u16(0); // no per-certificate extensions
      }
    });
  });
}

export function decodeCertificate(body: Uint8Array): CertificateMessage {
  const r = new Reader(body);
  const context = r.vec(1);
  const list = r.sub(3);
  const certificates: Uint8Array[] = [];
  while (!list.atEnd()) {
    certificates.push(list.vec(3, 1));
    list.vec(2); // extensions: OCSP/SCT entries are not used
  }
  r.expectEnd();
  return { context, certificates };
}

// ---- CertificateVerify (§4.4.3) ----

export function encodeCertificateVerify(scheme: number, signature: Uint8Array): Uint8Array {
  return handshake(HandshakeType.certificateVerify, (w) => {
    w.u16(scheme).vec(2, (x) => x.bytes(signature));
  });
}

export function decodeCertificateVerify(body: Uint8Array): {
  scheme: number;
  signature: Uint8Array;
} {
  const r = new Reader(body);
  const scheme = r.u16();
  const signature = r.vec(2);
  r.expectEnd();
  return { scheme, signature };
}

// ---- Finished (§4.4.4) ----

export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return handshake(HandshakeType.finished, (w) => w.bytes(verifyData));
}

// ---- NewSessionTicket (§4.6.1) ----

export interface NewSessionTicket {
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}

export function encodeNewSessionTicket(m: NewSessionTicket): Uint8Array {
  return handshake(HandshakeType.newSessionTicket, (w) => {
    w.u32(m.lifetime).u32(m.ageAdd);
    w.vec(1, (x) => x.bytes(m.nonce));
    w.vec(2, (x) => x.bytes(m.ticket));
    writeExtensions(w, m.extensions);
  });
}

export function decodeNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new Reader(body);
  const lifetime = r.u32();
  const ageAdd = r.u32();
  const nonce = r.vec(1);
  const ticket = r.vec(2, 1);
  const extensions = readExtensions(r);
  r.expectEnd();
  return { lifetime, ageAdd, nonce, ticket, extensions };
}

// ---- KeyUpdate (§4.6.3) ----

export function encodeKeyUpdate(requestUpdate: boolean): Uint8Array {
  return handshake(HandshakeType.keyUpdate, (w) => w.u8(requestUpdate ? 1 : 0));
}

export function decodeKeyUpdate(body: Uint8Array): number {
  const r = new Reader(body);
  const v = r.u8();
  r.expectEnd();
  return v;
}

/**
 * Splits handshake messages out of a buffer of handshake-record contents (§5.1: messages may
 * span records and share them). Returns the messages found and how many bytes they used.
 */
export function splitMessages(
  buf: Uint8Array,
  maxMessage: number,
): { messages: HandshakeMessage[]; used: number } | { tooLarge: number } {
  const messages: HandshakeMessage[] = [];
  let at = 0;
  while (buf.length - at >= 4) {
    const len =
      ((buf[at + 1] as number) << 16) | ((buf[at + 2] as number) << 8) | (buf[at + 3] as number);
    if (len > maxMessage) return { tooLarge: len };
    if (buf.length - at < 4 + len) break;
    messages.push({
      type: buf[at] as number,
      body: buf.subarray(at + 4, at + 4 + len),
      raw: buf.subarray(at, at + 4 + len),
    });
    at += 4 + len;
  }
  return { messages, used: at };
}
