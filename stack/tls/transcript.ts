/** The running transcript hash (RFC 8446 §4.4.1), kept as raw messages until the hash is known. */
import type { CryptoProvider, HashAlgorithm, HashContext } from "../crypto/provider.ts";
import { HandshakeType } from "./wire.ts";

export class Transcript {
  private readonly messages: Uint8Array[] = [];
  private ctx: HashContext | null = null;
  private alg: HashAlgorithm | null = null;

  constructor(private readonly c: CryptoProvider) {}

  add(raw: Uint8Array): void {
    this.messages.push(raw);
    this.ctx?.update(raw);
  }

  /** Fixes the hash (once the suite is chosen) and hashes what came before. */
  start(alg: HashAlgorithm): void {
    if (this.alg === alg && this.ctx) return;
    this.alg = alg;
    this.ctx = this.c.createHash(alg);
    for (const m of this.messages) this.ctx.update(m);
  }

  /** Transcript-Hash of everything so far. */
  hash(): Uint8Array {
    if (!this.ctx) throw new Error("transcript hash not started");
    return this.ctx.clone().digest();
  }

  /** Transcript-Hash of everything so far plus `extra` (a truncated ClientHello), under `alg`. */
  hashWith(alg: HashAlgorithm, extra: Uint8Array): Uint8Array {
    const h = this.c.createHash(alg);
    for (const m of this.messages) h.update(m);
    return h.update(extra).digest();
  }

  /**
   * Transcript-Hash of everything before `last` (which must be the last message added), then
   * `replacement`: the server's view of a truncated ClientHello for PSK binders (§4.2.11.2).
   */
  hashWithout(alg: HashAlgorithm, last: Uint8Array, replacement: Uint8Array): Uint8Array {
    if (this.messages[this.messages.length - 1] !== last) throw new Error("not the last message");
    const h = this.c.createHash(alg);
    for (let i = 0; i < this.messages.length - 1; i++) h.update(this.messages[i] as Uint8Array);
    return h.update(replacement).digest();
  }

  /**
   * After a HelloRetryRequest (§4.4.1): ClientHello1 is replaced by
   * message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
   */
  replaceWithMessageHash(alg: HashAlgorithm): void {
    const ch1 = this.messages.splice(0, this.messages.length);
    const h = this.c.createHash(alg);
    for (const m of ch1) h.update(m);
    const digest = h.digest();
    const synthetic = new Uint8Array(4 + digest.length);
    synthetic[0] = HandshakeType.messageHash;
    synthetic[3] = digest.length;
    synthetic.set(digest, 4);
    this.ctx = null;
    this.alg = null;
    this.messages.push(synthetic);
    this.start(alg);
  }
}
