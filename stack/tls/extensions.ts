/** Extension payload codecs (RFC 8446 §4.2, RFC 6066 §3, RFC 7301 §3.1, RFC 8449 §4). */
import { latin1Decode, latin1Encode } from "../bytes/index.ts";
import { DecodeFailure, Reader, Writer } from "./wire.ts";

function done<T>(r: Reader, v: T): T {
  r.expectEnd();
  return v;
}

function u16List(data: Uint8Array, min: number): number[] {
  const r = new Reader(data);
  const l = r.sub(2, min, 0xfffe);
  if (l.remaining % 2) throw new DecodeFailure("odd list length");
  const out: number[] = [];
  while (!l.atEnd()) out.push(l.u16());
  return done(r, out);
}

function encodeU16List(list: readonly number[]): Uint8Array {
  return new Writer()
    .vec(2, (w) => {
      for (const v of list) w.u16(v);
    })
    .finish();
}

/** supported_groups / signature_algorithms: NamedGroupList, SignatureSchemeList. */
export const decodeU16List = (data: Uint8Array) => u16List(data, 2);
export const encodeU16ListExt = encodeU16List;

/** supported_versions in a ClientHello: a 1-byte-length list (§4.2.1). */
export function decodeClientVersions(data: Uint8Array): number[] {
  const r = new Reader(data);
  const l = r.sub(1, 2, 254);
  if (l.remaining % 2) throw new DecodeFailure("odd versions length");
  const out: number[] = [];
  while (!l.atEnd()) out.push(l.u16());
  return done(r, out);
}

export function encodeClientVersions(versions: readonly number[]): Uint8Array {
  return new Writer()
    .vec(1, (w) => {
      for (const v of versions) w.u16(v);
    })
    .finish();
}

/** supported_versions in a ServerHello: the selected version (§4.2.1). */
export function decodeSelectedVersion(data: Uint8Array): number {
  const r = new Reader(data);
  return done(r, r.u16());
}

export interface KeyShareEntry {
  group: number;
  key: Uint8Array;
}

/** key_share in a ClientHello: client_shares (§4.2.8); no group twice. */
export function decodeClientKeyShares(data: Uint8Array): KeyShareEntry[] {
  const r = new Reader(data);
  const l = r.sub(2);
  const out: KeyShareEntry[] = [];
  while (!l.atEnd()) {
    const group = l.u16();
    if (out.some((e) => e.group === group)) throw new DecodeFailure("key share group repeated");
    out.push({ group, key: l.vec(2, 1) });
  }
  return done(r, out);
}

export function encodeClientKeyShares(shares: readonly KeyShareEntry[]): Uint8Array {
  return new Writer()
    .vec(2, (w) => {
      for (const s of shares) w.u16(s.group).vec(2, (x) => x.bytes(s.key));
    })
    .finish();
}

/** key_share in a ServerHello: one entry (§4.2.8). */
export function decodeServerKeyShare(data: Uint8Array): KeyShareEntry {
  const r = new Reader(data);
  const group = r.u16();
  return done(r, { group, key: r.vec(2, 1) });
}

export function encodeServerKeyShare(s: KeyShareEntry): Uint8Array {
  return new Writer()
    .u16(s.group)
    .vec(2, (x) => x.bytes(s.key))
    .finish();
}

/** key_share in a HelloRetryRequest: the selected group (§4.2.8). */
export function decodeHrrKeyShare(data: Uint8Array): number {
  const r = new Reader(data);
  return done(r, r.u16());
}

export function encodeU16(v: number): Uint8Array {
  return new Writer().u16(v).finish();
}

/** server_name (RFC 6066 §3): the host_name, if any; ASCII by RFC 6066. */
export function decodeServerName(data: Uint8Array): string | undefined {
  const r = new Reader(data);
  const l = r.sub(2, 1);
  let host: string | undefined;
  while (!l.atEnd()) {
    const type = l.u8();
    const name = l.vec(2, 1);
    if (type === 0) {
      // "The ServerNameList MUST NOT contain more than one name of the same name_type."
      if (host !== undefined) throw new DecodeFailure("two host names");
      for (const b of name)
        if (b < 0x21 || b > 0x7e) throw new DecodeFailure("host name not ASCII");
      host = latin1Decode(name);
    }
  }
  return done(r, host);
}

export function encodeServerName(host: string): Uint8Array {
  return new Writer().vec(2, (w) => w.u8(0).vec(2, (x) => x.bytes(latin1Encode(host)))).finish();
}

/** ALPN ProtocolNameList (RFC 7301 §3.1): non-empty names, a non-empty list. */
export function decodeAlpn(data: Uint8Array): string[] {
  const r = new Reader(data);
  const l = r.sub(2, 2);
  const out: string[] = [];
  while (!l.atEnd()) out.push(latin1Decode(l.vec(1, 1)));
  return done(r, out);
}

export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  return new Writer()
    .vec(2, (w) => {
      for (const p of protocols) w.vec(1, (x) => x.bytes(latin1Encode(p)));
    })
    .finish();
}

/** psk_key_exchange_modes (§4.2.9). */
export function decodePskModes(data: Uint8Array): number[] {
  const r = new Reader(data);
  return done(r, [...r.vec(1, 1)]);
}

/** record_size_limit (RFC 8449 §4). */
export function decodeRecordSizeLimit(data: Uint8Array): number {
  const r = new Reader(data);
  return done(r, r.u16());
}

export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedAge: number;
}

/** pre_shared_key in a ClientHello (§4.2.11): identities and binders, same count. */
export function decodeOfferedPsks(data: Uint8Array): {
  identities: PskIdentity[];
  binders: Uint8Array[];
  /** Length of the binders list with its prefix: what the truncated ClientHello leaves off. */
  bindersLength: number;
} {
  const r = new Reader(data);
  const ids = r.sub(2, 7);
  const identities: PskIdentity[] = [];
  while (!ids.atEnd()) identities.push({ identity: ids.vec(2, 1), obfuscatedAge: ids.u32() });
  const bindersStart = r.pos;
  const bl = r.sub(2, 33);
  const binders: Uint8Array[] = [];
  while (!bl.atEnd()) binders.push(bl.vec(1, 32, 255));
  const bindersLength = r.pos - bindersStart;
  r.expectEnd();
  if (binders.length !== identities.length)
    throw new DecodeFailure("binders do not match identities");
  return { identities, binders, bindersLength };
}

export function encodeOfferedPsks(identities: PskIdentity[], binders: Uint8Array[]): Uint8Array {
  return new Writer()
    .vec(2, (w) => {
      for (const i of identities) w.vec(2, (x) => x.bytes(i.identity)).u32(i.obfuscatedAge);
    })
    .vec(2, (w) => {
      for (const b of binders) w.vec(1, (x) => x.bytes(b));
    })
    .finish();
}

/** pre_shared_key in a ServerHello: selected_identity (§4.2.11). */
export function decodeSelectedIdentity(data: Uint8Array): number {
  const r = new Reader(data);
  return done(r, r.u16());
}

/** cookie (§4.2.2). */
export function decodeCookie(data: Uint8Array): Uint8Array {
  const r = new Reader(data);
  return done(r, r.vec(2, 1));
}

export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return new Writer().vec(2, (w) => w.bytes(cookie)).finish();
}
