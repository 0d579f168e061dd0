/** The TLS 1.3 key schedule (RFC 8446 §7.1) and traffic keys (§7.3), over a crypto provider. */
import { utf8Encode } from "../bytes/index.ts";
import type { AeadKey, CryptoProvider } from "../crypto/provider.ts";
import type { CipherSuite } from "./suites.ts";
import { Writer } from "./wire.ts";

/** HKDF-Expand-Label (§7.1): HkdfLabel = length || "tls13 " + label || context. */
export function expandLabel(
  c: CryptoProvider,
  suite: CipherSuite,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const info = new Writer()
    .u16(length)
    .vec(1, (w) => w.bytes(utf8Encode(`tls13 ${label}`)))
    .vec(1, (w) => w.bytes(context))
    .finish();
  return c.hkdfExpand(suite.hash, secret, info, length);
}

/** Derive-Secret (§7.1) from a transcript hash already computed. */
export function deriveSecret(
  c: CryptoProvider,
  suite: CipherSuite,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return expandLabel(c, suite, secret, label, transcriptHash, suite.hashLength);
}

/**
 * Values that depend on the hash function alone, public constants made once: the hash of ""
 * (§7.1's Derive-Secret of "derived"), and, without a PSK, the Early Secret and the salt it
 * gives the Handshake Secret. Every full handshake needs them; they never change.
 */
const constants = new Map<string, Uint8Array>();

function once(key: string, make: () => Uint8Array): Uint8Array {
  let v = constants.get(key);
  if (v === undefined) {
    v = make();
    constants.set(key, v);
  }
  return v;
}

function emptyHash(c: CryptoProvider, suite: CipherSuite): Uint8Array {
  return once(`empty ${suite.hash}`, () => c.hash(suite.hash, new Uint8Array(0)));
}

/** Early Secret = HKDF-Extract(0, PSK or 0) (§7.1). */
export function earlySecret(c: CryptoProvider, suite: CipherSuite, psk?: Uint8Array): Uint8Array {
  if (psk) return c.hkdfExtract(suite.hash, new Uint8Array(0), psk);
  const zeros = new Uint8Array(suite.hashLength);
  return once(`early ${suite.hash}`, () => c.hkdfExtract(suite.hash, new Uint8Array(0), zeros));
}

/** binder_key = Derive-Secret(Early Secret, "res binder", "") (§7.1, resumption PSKs). */
export function binderKey(c: CryptoProvider, suite: CipherSuite, early: Uint8Array): Uint8Array {
  return deriveSecret(c, suite, early, "res binder", emptyHash(c, suite));
}

/** Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), (EC)DHE). */
export function handshakeSecret(
  c: CryptoProvider,
  suite: CipherSuite,
  early: Uint8Array,
  ecdhe: Uint8Array,
): Uint8Array {
  const derive = () => deriveSecret(c, suite, early, "derived", emptyHash(c, suite));
  const salt =
    early === constants.get(`early ${suite.hash}`)
      ? once(`derived ${suite.hash}`, derive)
      : derive();
  return c.hkdfExtract(suite.hash, salt, ecdhe);
}

/** Master Secret = HKDF-Extract(Derive-Secret(handshake, "derived", ""), 0). */
export function masterSecret(c: CryptoProvider, suite: CipherSuite, hs: Uint8Array): Uint8Array {
  const salt = deriveSecret(c, suite, hs, "derived", emptyHash(c, suite));
  return c.hkdfExtract(suite.hash, salt, new Uint8Array(suite.hashLength));
}

/** finished_key (§4.4.4), also the binder's key with the binder_key as base (§4.2.11.2). */
export function finishedMac(
  c: CryptoProvider,
  suite: CipherSuite,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  const key = expandLabel(c, suite, baseKey, "finished", new Uint8Array(0), suite.hashLength);
  return c.hmac(suite.hash, key, transcriptHash);
}

/** application_traffic_secret_N+1 (§7.2). */
export function nextTrafficSecret(c: CryptoProvider, suite: CipherSuite, secret: Uint8Array) {
  return expandLabel(c, suite, secret, "traffic upd", new Uint8Array(0), suite.hashLength);
}

/** The PSK a ticket stands for (§4.6.1). */
export function resumptionPsk(
  c: CryptoProvider,
  suite: CipherSuite,
  resumptionMaster: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return expandLabel(c, suite, resumptionMaster, "resumption", nonce, suite.hashLength);
}

/** One direction's record protection: the AEAD key and the static IV (§7.3). */
export interface TrafficKeys {
  readonly aead: AeadKey;
  readonly iv: Uint8Array;
}

export function trafficKeys(
  c: CryptoProvider,
  suite: CipherSuite,
  secret: Uint8Array,
): TrafficKeys {
  const key = expandLabel(c, suite, secret, "key", new Uint8Array(0), suite.keyLength);
  const iv = expandLabel(c, suite, secret, "iv", new Uint8Array(0), 12);
  return { aead: c.aead(suite.aead, key), iv };
}
