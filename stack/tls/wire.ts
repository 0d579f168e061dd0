/**
 * TLS wire constants and the byte reader/writer every codec uses (RFC 8446 §3 presentation
 * language: big-endian integers, vectors with 1-, 2- or 3-byte length prefixes).
 */

/** ContentType (RFC 8446 §5.1). */
export const ContentType = {
  changeCipherSpec: 20,
  alert: 21,
  handshake: 22,
  applicationData: 23,
} as const;

/** HandshakeType (RFC 8446 §4). */
export const HandshakeType = {
  clientHello: 1,
  serverHello: 2,
  newSessionTicket: 4,
  endOfEarlyData: 5,
  encryptedExtensions: 8,
  certificate: 11,
  certificateRequest: 13,
  certificateVerify: 15,
  finished: 20,
  keyUpdate: 24,
  messageHash: 254,
} as const;

export const HANDSHAKE_NAMES: Record<number, string> = {
  1: "ClientHello",
  2: "ServerHello",
  4: "NewSessionTicket",
  5: "EndOfEarlyData",
  8: "EncryptedExtensions",
  11: "Certificate",
  13: "CertificateRequest",
  15: "CertificateVerify",
  20: "Finished",
  24: "KeyUpdate",
  254: "message_hash",
};

/** ExtensionType (RFC 8446 §4.2, RFC 6066, 7301, 8449, 5746, 7627). */
export const ExtensionType = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  alpn: 16,
  extendedMasterSecret: 23,
  recordSizeLimit: 28,
  sessionTicket: 35,
  preSharedKey: 41,
  earlyData: 42,
  supportedVersions: 43,
  cookie: 44,
  pskKeyExchangeModes: 45,
  certificateAuthorities: 47,
  postHandshakeAuth: 49,
  signatureAlgorithmsCert: 50,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

/** AlertDescription (RFC 8446 §6). */
export const AlertDescription = {
  closeNotify: 0,
  unexpectedMessage: 10,
  badRecordMac: 20,
  recordOverflow: 22,
  handshakeFailure: 40,
  badCertificate: 42,
  unsupportedCertificate: 43,
  certificateRevoked: 44,
  certificateExpired: 45,
  certificateUnknown: 46,
  illegalParameter: 47,
  unknownCa: 48,
  accessDenied: 49,
  decodeError: 50,
  decryptError: 51,
  protocolVersion: 70,
  insufficientSecurity: 71,
  internalError: 80,
  inappropriateFallback: 86,
  userCanceled: 90,
  noRenegotiation: 100,
  missingExtension: 109,
  unsupportedExtension: 110,
  unrecognizedName: 112,
  unknownPskIdentity: 115,
  certificateRequired: 116,
  noApplicationProtocol: 120,
} as const;

export const ALERT_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(AlertDescription).map(([k, v]) => [
    v,
    k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  ]),
);

export const TLS13 = 0x0304;
export const TLS12 = 0x0303;

/** NamedGroup (RFC 8446 §4.2.7). */
export const NamedGroup = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d } as const;

/** SignatureScheme (RFC 8446 §4.2.3). */
export const SignatureScheme = {
  rsaPkcs1Sha256: 0x0401,
  rsaPkcs1Sha384: 0x0501,
  rsaPkcs1Sha512: 0x0601,
  ecdsaSecp256r1Sha256: 0x0403,
  ecdsaSecp384r1Sha384: 0x0503,
  ecdsaSecp521r1Sha512: 0x0603,
  rsaPssRsaeSha256: 0x0804,
  rsaPssRsaeSha384: 0x0805,
  rsaPssRsaeSha512: 0x0806,
  ed25519: 0x0807,
  rsaPssPssSha256: 0x0809,
  rsaPssPssSha384: 0x080a,
  rsaPssPssSha512: 0x080b,
} as const;

/** Thrown by `Reader` on malformed input; caught at the codec boundary (decode_error). */
export class DecodeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeFailure";
  }
}

/** A cursor over bytes; every read checks bounds and throws DecodeFailure past the end. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  atEnd(): boolean {
    return this.pos === this.end;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeFailure("truncated");
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u16(): number {
    this.need(2);
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return ((b[p] as number) << 16) | ((b[p + 1] as number) << 8) | (b[p + 2] as number);
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** A vector with a `lenBytes`-byte length, whose length must lie in [min, max]. */
  vec(lenBytes: 1 | 2 | 3, min = 0, max = Number.MAX_SAFE_INTEGER): Uint8Array {
    const n = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    if (n < min || n > max) throw new DecodeFailure(`vector length ${n} outside [${min}, ${max}]`);
    return this.bytes(n);
  }
  /** A sub-reader over a length-prefixed vector. */
  sub(lenBytes: 1 | 2 | 3, min = 0, max = Number.MAX_SAFE_INTEGER): Reader {
    const v = this.vec(lenBytes, min, max);
    return new Reader(v);
  }
  expectEnd(): void {
    if (!this.atEnd()) throw new DecodeFailure("trailing bytes");
  }
}

/** Appends big-endian integers and length-prefixed vectors to a growing buffer. */
export class Writer {
  private buf = new Uint8Array(256);
  private n = 0;
  private grow(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
  u8(v: number): this {
    this.grow(1);
    this.buf[this.n++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.grow(2);
    this.buf[this.n++] = (v >>> 8) & 0xff;
    this.buf[this.n++] = v & 0xff;
    return this;
  }
  u24(v: number): this {
    this.grow(3);
    this.buf[this.n++] = (v >>> 16) & 0xff;
    this.buf[this.n++] = (v >>> 8) & 0xff;
    this.buf[this.n++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    return this.u16(Math.floor(v / 0x10000) & 0xffff).u16(v & 0xffff);
  }
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }
  /** Writes a length-prefixed vector whose body `fill` writes. */
  vec(lenBytes: 1 | 2 | 3, fill: (w: Writer) => void): this {
    const at = this.n;
    this.grow(lenBytes);
    this.n += lenBytes;
    fill(this);
    const len = this.n - at - lenBytes;
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (len > max) throw new RangeError("vector too long for its length prefix");
    for (let i = lenBytes - 1, v = len; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
    return this;
  }
  get length(): number {
    return this.n;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}
