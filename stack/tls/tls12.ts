/**
 * TLS 1.2 pieces for the server (RFC 5246): ECDHE suites with AEAD only (RFC 8422, RFC 5289,
 * RFC 7905), the PRF (§5), the extended master secret (RFC 7627), key expansion (§6.3), and
 * the 1.2-only message codecs. Nothing else of TLS 1.2 exists here: no CBC, no RSA key
 * exchange, no compression, no renegotiation, no session IDs.
 */
import { utf8Encode } from "../bytes/index.ts";
import type { CryptoProvider, HashAlgorithm } from "../crypto/provider.ts";
import type { TrafficKeys } from "./keyschedule.ts";
import { handshake } from "./messages.ts";
import type { CipherSuite } from "./suites.ts";
import { Reader } from "./wire.ts";

export interface Suite12 extends CipherSuite {
  /** The server key this suite signs with. */
  readonly auth: "ecdsa" | "rsa";
}

const gcm128 = { aead: "aes-128-gcm", keyLength: 16, hash: "sha256", hashLength: 32 } as const;
const gcm256 = { aead: "aes-256-gcm", keyLength: 32, hash: "sha384", hashLength: 48 } as const;
const chacha = {
  aead: "chacha20-poly1305",
  keyLength: 32,
  hash: "sha256",
  hashLength: 32,
} as const;

/** Server preference order. */
export const TLS12_SUITES: readonly Suite12[] = [
  { id: 0xc02b, name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", auth: "ecdsa", ...gcm128 },
  { id: 0xc02c, name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", auth: "ecdsa", ...gcm256 },
  { id: 0xcca9, name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", auth: "ecdsa", ...chacha },
  { id: 0xc02f, name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", auth: "rsa", ...gcm128 },
  { id: 0xc030, name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", auth: "rsa", ...gcm256 },
  { id: 0xcca8, name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", auth: "rsa", ...chacha },
];

/** TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3). */
export const RENEGOTIATION_SCSV = 0x00ff;

/** The last 8 bytes of our random when a TLS 1.3 server settles for 1.2 (RFC 8446 §4.1.3). */
export const DOWNGRADE_TLS12 = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);

/** PRF(secret, label, seed) = P_hash(secret, label + seed) (RFC 5246 §5). */
export function prf(
  c: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const l = utf8Encode(label);
  const labelSeed = new Uint8Array(l.length + seed.length);
  labelSeed.set(l);
  labelSeed.set(seed, l.length);
  const out = new Uint8Array(length);
  let a: Uint8Array = labelSeed;
  for (let at = 0; at < length; ) {
    a = c.hmac(hash, secret, a);
    const block = new Uint8Array(a.length + labelSeed.length);
    block.set(a);
    block.set(labelSeed, a.length);
    const p = c.hmac(hash, secret, block);
    out.set(p.subarray(0, Math.min(p.length, length - at)), at);
    at += p.length;
  }
  return out;
}

/** Both directions' keys from the master secret (RFC 5246 §6.3; AEAD: no MAC keys). */
export function keyBlock(
  c: CryptoProvider,
  suite: Suite12,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: TrafficKeys; server: TrafficKeys } {
  const ivLength = suite.aead === "chacha20-poly1305" ? 12 : 4;
  const seed = new Uint8Array(64);
  seed.set(serverRandom);
  seed.set(clientRandom, 32);
  const k = prf(c, suite.hash, master, "key expansion", seed, 2 * suite.keyLength + 2 * ivLength);
  const ck = k.subarray(0, suite.keyLength);
  const sk = k.subarray(suite.keyLength, 2 * suite.keyLength);
  const civ = k.slice(2 * suite.keyLength, 2 * suite.keyLength + ivLength);
  const siv = k.slice(2 * suite.keyLength + ivLength);
  return {
    client: { aead: c.aead(suite.aead, ck), iv: civ },
    server: { aead: c.aead(suite.aead, sk), iv: siv },
  };
}

/** Certificate in TLS 1.2 (RFC 5246 §7.4.2): a list of DER certificates. */
export function encodeCertificate12(chain: Uint8Array[]): Uint8Array {
  return handshake(11, (w) =>
    w.vec(3, (x) => {
      for (const cert of chain) x.vec(3, (d) => d.bytes(cert));
    }),
  );
}

/** ServerKeyExchange for ECDHE (RFC 8422 §5.4): named curve, point, signature. */
export function ecdheParams(group: number, publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + publicKey.length);
  out[0] = 3; // named_curve
  out[1] = group >> 8;
  out[2] = group & 0xff;
  out[3] = publicKey.length;
  out.set(publicKey, 4);
  return out;
}

export function encodeServerKeyExchange(
  params: Uint8Array,
  scheme: number,
  signature: Uint8Array,
): Uint8Array {
  return handshake(12, (w) => {
    w.bytes(params).u16(scheme);
    w.vec(2, (x) => x.bytes(signature));
  });
}

/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's point. */
export function decodeClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body);
  const point = r.vec(1, 1);
  r.expectEnd();
  return point;
}
