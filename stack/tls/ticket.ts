/**
 * Self-contained resumption tickets (RFC 8446 §4.6.1, the shape of RFC 5077 §4): the server's
 * session state sealed with its ticket key, so the server keeps nothing per client.
 * Layout before sealing: version(1) suite(2) issued_ms(8) age_add(4) lifetime_s(4)
 * psk<1> alpn<1> sni<2>.
 */
import { utf8Encode } from "../bytes/index.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { Reader, Writer } from "./wire.ts";

export interface TicketState {
  suite: number;
  issuedMs: number;
  ageAdd: number;
  lifetimeS: number;
  psk: Uint8Array;
  alpn: string;
  sni: string;
}

const AAD = utf8Encode("morgana tls13 ticket v1");

export function sealTicket(
  c: CryptoProvider,
  key: Uint8Array,
  nonce: Uint8Array,
  s: TicketState,
): Uint8Array {
  const w = new Writer()
    .u8(1)
    .u16(s.suite)
    .u32(Math.floor(s.issuedMs / 0x100000000))
    .u32(s.issuedMs >>> 0)
    .u32(s.ageAdd)
    .u32(s.lifetimeS)
    .vec(1, (x) => x.bytes(s.psk))
    .vec(1, (x) => x.bytes(utf8Encode(s.alpn)))
    .vec(2, (x) => x.bytes(utf8Encode(s.sni)));
  const sealed = c.aead("aes-256-gcm", key).seal(nonce, AAD, w.finish());
  const out = new Uint8Array(12 + sealed.length);
  out.set(nonce);
  out.set(sealed, 12);
  return out;
}

/** The state in a ticket, or null if it was not sealed with `key` (or is damaged). */
export function openTicket(
  c: CryptoProvider,
  key: Uint8Array,
  ticket: Uint8Array,
): TicketState | null {
  if (ticket.length < 12 + 16) return null;
  const plain = c.aead("aes-256-gcm", key).open(ticket.subarray(0, 12), AAD, ticket.subarray(12));
  if (!plain) return null;
  try {
    const r = new Reader(plain);
    if (r.u8() !== 1) return null;
    const suite = r.u16();
    const issuedMs = r.u32() * 0x100000000 + r.u32();
    const ageAdd = r.u32();
    const lifetimeS = r.u32();
    const psk = r.vec(1).slice();
    const alpn = String.fromCharCode(...r.vec(1));
    const sni = String.fromCharCode(...r.vec(2));
    r.expectEnd();
    return { suite, issuedMs, ageAdd, lifetimeS, psk, alpn, sni };
  } catch {
    return null;
  }
}
