/**
 * The TLS engine's shared half: one entry point per input (`handle` for bytes from the peer,
 * `send`, `close`, `updateKeys` for the application), the record layer, handshake message
 * reassembly, alerts, key updates, tracing and the key log. Nothing here reads a clock, a
 * socket or a global: time and randomness come from the config. Nothing throws out of it:
 * every failure becomes the alert `alertFor` names (RFC 8446 §6.2) and the session closes.
 *
 * The role-specific halves (client.ts, server.ts) hold the handshake states.
 */
import { concatBytes, toHex } from "../bytes/index.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import type { Json } from "../trace/index.ts";
import type { CommonConfig, TlsOutput, TlsSummary } from "./config.ts";
import { alertFor, TlsError, type TlsFailure } from "./errors.ts";
import { nextTrafficSecret, type TrafficKeys, trafficKeys } from "./keyschedule.ts";
import {
  decodeKeyUpdate,
  encodeKeyUpdate,
  type HandshakeMessage,
  splitMessages,
} from "./messages.ts";
import { parseRecord, plaintextRecord, RecordLayer } from "./record.ts";
import { type CipherSuite, GROUP_NAMES } from "./suites.ts";
import {
  ALERT_NAMES,
  AlertDescription,
  ContentType,
  DecodeFailure,
  HANDSHAKE_NAMES,
  HandshakeType,
} from "./wire.ts";

/** Largest handshake message accepted (a certificate chain of a few certificates fits). */
export const MAX_HANDSHAKE_MESSAGE = 1 << 17;

let sessions = 0;

const EMPTY = new Uint8Array(0);

export type Status = "handshaking" | "open" | "closed";

export abstract class TlsEngine {
  abstract readonly role: "client" | "server";
  protected readonly c: CryptoProvider;
  protected readonly rl = new RecordLayer();
  protected out: TlsOutput = { records: [], data: [], events: [] };
  private inbuf: Uint8Array = EMPTY;
  private hsbuf: Uint8Array = new Uint8Array(0);
  private pendingHandshake: Uint8Array[] = [];
  private readEpoch = 0;
  private ccsSeen = 0;
  private readonly id: string;

  status: Status = "handshaking";
  /** The peer sent close_notify. */
  readClosed = false;
  /** We sent close_notify. */
  writeClosed = false;
  /** Why the session failed, if it did (for logs and tests). */
  failure: { failure: TlsFailure; reason: string; sent: boolean } | null = null;

  // The session summary (never a secret).
  protected suite: CipherSuite | null = null;
  protected groupCode: number | null = null;
  protected sni: string | null = null;
  protected alpnProtocol: string | null = null;
  protected peerSubject: string | null = null;
  protected resumed = false;
  protected clientRandom: Uint8Array = new Uint8Array(32);
  /** The session negotiated TLS 1.2 (server side only; RFC 5246). */
  protected tls12 = false;

  // Application traffic secrets, for KeyUpdate (§4.6.3, §7.2).
  private readSecret: Uint8Array | null = null;
  private writeSecret: Uint8Array | null = null;
  private readGeneration = 0;
  private writeGeneration = 0;

  constructor(protected readonly cfg: CommonConfig) {
    this.c = cfg.crypto;
    this.id = cfg.traceId ?? `tls#${++sessions}`;
    if (cfg.recordSizeLimit !== undefined) this.rl.recvLimit = cfg.recordSizeLimit;
  }

  /** The handshake state's name ("expect-server-hello", ..., "traffic", "closed"). */
  abstract get stateName(): string;
  /** Handles one whole handshake message; throws TlsError to fail. */
  protected abstract onHandshake(msg: HandshakeMessage): void;
  /** Whether a change_cipher_spec record may arrive now (§5: only during the handshake). */
  protected abstract ccsAllowed(): boolean;
  protected abstract onStart(): void;
  /** TLS 1.2 only: the peer's change_cipher_spec (RFC 5246 §7.1). */
  protected onChangeCipherSpec12(): void {
    throw new TlsError("unexpected-message", "change_cipher_spec not expected");
  }

  // ---- entry points ----

  /** Client: the first flight. Server: nothing. */
  start(): TlsOutput {
    return this.run(() => this.onStart());
  }

  /** Bytes from the peer, in any split. */
  handle(bytes: Uint8Array): TlsOutput {
    return this.run(() => {
      if (this.status === "closed") return;
      this.inbuf = this.inbuf.length === 0 ? bytes : concatBytes([this.inbuf, bytes]);
      let at = 0;
      while (!this.isClosed() && !this.readClosed) {
        const r = parseRecord(this.inbuf, at, this.inbuf.length);
        if (r.kind === "need-more") break;
        if (r.kind === "error") throw new TlsError(r.failure, r.reason);
        at += r.size;
        this.onRecord(r.type, r.header, r.body);
      }
      this.inbuf = at === this.inbuf.length ? EMPTY : this.inbuf.slice(at);
    });
  }

  /**
   * Application data to send, one array or several sent as one stream (records are filled
   * across them); ignored unless the session is open for writing.
   */
  send(data: Uint8Array | readonly Uint8Array[]): TlsOutput {
    return this.run(() => {
      if (!this.canSend) return;
      this.rl.write(ContentType.applicationData, data, this.out.records);
    });
  }

  /** Sends close_notify (§6.1); reading may go on until the peer's. */
  close(): TlsOutput {
    return this.run(() => {
      if (this.status === "closed" || this.writeClosed) return;
      this.flush();
      this.sendAlert(1, AlertDescription.closeNotify);
      this.writeClosed = true;
      if (this.readClosed || this.status === "handshaking") this.setClosed();
    });
  }

  /**
   * The transport under the session ended before a close_notify: the peer's FIN or reset, or
   * the host dropping a handshake that took too long. A session still handshaking is over
   * (traced as closed, with `reason`); an open one keeps what it has, and its reads end.
   */
  transportClosed(reason: string): TlsOutput {
    return this.run(() => {
      if (this.status === "handshaking") this.setClosed(reason);
    });
  }

  /** Sends a KeyUpdate (§4.6.3) and switches to the next write key; asks the peer to follow. */
  updateKeys(requestPeer: boolean): TlsOutput {
    return this.run(() => {
      if (!this.canSend) return;
      this.sendKeyUpdate(requestPeer);
    });
  }

  isClosed(): boolean {
    return this.status === "closed";
  }

  get canSend(): boolean {
    return this.status === "open" && !this.writeClosed;
  }

  summary(): TlsSummary {
    return {
      role: this.role,
      version: this.tls12 ? "TLSv1.2" : this.suite ? "TLSv1.3" : null,
      suite: this.suite?.name ?? null,
      group:
        this.groupCode === null ? null : (GROUP_NAMES[this.groupCode] ?? String(this.groupCode)),
      handshake: this.stateName,
      sni: this.sni,
      alpn: this.alpnProtocol,
      peer: this.peerSubject,
      resumed: this.resumed,
    };
  }

  // ---- the one place failures become alerts ----

  private run(step: () => void): TlsOutput {
    try {
      step();
      this.flush();
    } catch (e) {
      const err =
        e instanceof TlsError
          ? e
          : e instanceof DecodeFailure
            ? new TlsError("decode-error", e.message)
            : new TlsError("internal-error", e instanceof Error ? e.message : String(e));
      this.fail(err);
    }
    const out = this.out;
    this.out = { records: [], data: [], events: [] };
    return out;
  }

  private fail(err: TlsError): void {
    if (this.status === "closed") return;
    this.pendingHandshake = [];
    const description = alertFor(err.failure);
    let sent = false;
    try {
      this.sendAlert(2, description);
      sent = true;
    } catch {
      // Could not even protect the alert: close without it.
    }
    this.failure = { failure: err.failure, reason: err.reason, sent };
    this.setClosed();
  }

  private setClosed(reason?: string): void {
    const from = this.status;
    this.status = "closed";
    if (from !== "closed") this.trace("state", { to: "closed", reason });
  }

  // ---- records in ----

  private onRecord(type: number, header: Uint8Array, body: Uint8Array): void {
    if (type === ContentType.changeCipherSpec && this.tls12) {
      // RFC 5246 §7.1: in TLS 1.2 the change_cipher_spec switches the read keys.
      if (body.length !== 1 || body[0] !== 1)
        throw new TlsError("decode-error", "change_cipher_spec body");
      // A handshake message must not straddle the key change.
      if (this.hsbuf.length > 0) {
        throw new TlsError("unexpected-message", "change_cipher_spec inside a message");
      }
      this.onChangeCipherSpec12();
      return;
    }
    if (type === ContentType.changeCipherSpec) {
      // §5: a single byte 0x01 between the first ClientHello and Finished is dropped.
      if (body.length === 1 && body[0] === 1 && this.ccsAllowed() && this.ccsSeen === 0) {
        this.ccsSeen++;
        return;
      }
      throw new TlsError("unexpected-message", "change_cipher_spec not allowed here");
    }
    let contentType = type;
    let content = body;
    if (this.rl.reading && this.tls12) {
      content = this.rl.unprotect(header, body).content;
    } else if (this.rl.reading) {
      if (type === ContentType.applicationData) {
        const inner = this.rl.unprotect(header, body);
        contentType = inner.type;
        content = inner.content;
        if (contentType === ContentType.changeCipherSpec) {
          throw new TlsError("unexpected-message", "protected change_cipher_spec");
        }
      } else if (!(type === ContentType.alert && this.status === "handshaking")) {
        // A peer that failed on our hello may alert in plaintext; anything else is refused.
        throw new TlsError("unexpected-message", "plaintext record after keys");
      }
    } else if (type === ContentType.applicationData) {
      throw new TlsError("unexpected-message", "application data before keys");
    } else if (body.length > 1 << 14) {
      throw new TlsError("record-overflow", "plaintext record over 2^14");
    }
    switch (contentType) {
      case ContentType.handshake:
        this.onHandshakeBytes(content);
        return;
      case ContentType.alert:
        this.onAlert(content);
        return;
      case ContentType.applicationData:
        if (this.status !== "open")
          throw new TlsError("unexpected-message", "data before Finished");
        if (content.length > 0) this.out.data.push(content);
        return;
      default:
        throw new TlsError("unexpected-message", `inner content type ${contentType}`);
    }
  }

  private onHandshakeBytes(content: Uint8Array): void {
    // §5.1: zero-length handshake fragments are not allowed.
    if (content.length === 0) throw new TlsError("unexpected-message", "empty handshake record");
    this.hsbuf = this.hsbuf.length === 0 ? content : concatBytes([this.hsbuf, content]);
    for (;;) {
      const split = splitMessages(this.hsbuf, MAX_HANDSHAKE_MESSAGE);
      if ("tooLarge" in split)
        throw new TlsError("decode-error", `handshake message of ${split.tooLarge} bytes`);
      const msg = split.messages[0];
      if (!msg) break;
      const epoch = this.readEpoch;
      const rest = this.hsbuf.subarray(msg.raw.length);
      this.hsbuf = rest.length === 0 ? new Uint8Array(0) : rest.slice();
      const copy = { type: msg.type, body: msg.raw.slice(4), raw: msg.raw.slice() };
      this.trace("handshake-message", {
        direction: "in",
        type: HANDSHAKE_NAMES[msg.type] ?? String(msg.type),
        length: msg.body.length,
      });
      const before = this.stateName;
      this.onHandshake(copy);
      if (this.stateName !== before) this.trace("state", { from: before, to: this.stateName });
      // §5.1: handshake messages MUST NOT span key changes.
      if (this.readEpoch !== epoch && this.hsbuf.length > 0) {
        throw new TlsError("unexpected-message", "handshake data across a key change");
      }
      if (this.isClosed()) return;
    }
  }

  private onAlert(content: Uint8Array): void {
    if (content.length !== 2) throw new TlsError("decode-error", "alert of wrong length");
    const level = content[0] as number;
    const description = content[1] as number;
    const name = ALERT_NAMES[description] ?? String(description);
    this.trace("alert", { direction: "in", level, description: name });
    if (description === AlertDescription.closeNotify) {
      this.readClosed = true;
      this.out.events.push({ type: "close-notify" });
      if (this.writeClosed || this.status === "handshaking") this.setClosed();
      return;
    }
    if (description === AlertDescription.userCanceled) return; // §6.1: a close_notify follows
    // §6: every other alert is fatal in TLS 1.3, whatever its level.
    this.out.events.push({ type: "alert-received", level, description, name });
    this.failure = { failure: "internal-error", reason: `peer sent ${name}`, sent: false };
    this.setClosed();
  }

  // ---- sending ----

  /** Queues a handshake message; queued messages share records (flushed at key changes). */
  protected sendHandshake(raw: Uint8Array): void {
    this.trace("handshake-message", {
      direction: "out",
      type: HANDSHAKE_NAMES[raw[0] as number] ?? String(raw[0]),
      length: raw.length - 4,
    });
    this.pendingHandshake.push(raw);
  }

  /** Writes the queued handshake messages as records under the current keys. */
  protected flush(version = 0x0303): void {
    if (this.pendingHandshake.length === 0) return;
    const all = this.pendingHandshake;
    this.pendingHandshake = [];
    this.rl.write(ContentType.handshake, all, this.out.records, version);
  }

  /** change_cipher_spec for middlebox compatibility (§D.4): always plaintext. */
  protected sendCcs(): void {
    this.flush();
    this.out.records.push(plaintextRecord(ContentType.changeCipherSpec, Uint8Array.of(1)));
  }

  /** A warning alert the session survives (TLS 1.2 no_renegotiation, RFC 5746 §4.5). */
  protected sendWarning(description: number): void {
    this.sendAlert(1, description);
  }

  private sendAlert(level: number, description: number): void {
    this.flush();
    this.rl.write(ContentType.alert, Uint8Array.of(level, description), this.out.records);
    const name = ALERT_NAMES[description] ?? String(description);
    this.trace("alert", { direction: "out", level, description: name });
    this.out.events.push({ type: "alert-sent", description, name });
  }

  // ---- keys ----

  protected setReadSecret(suite: CipherSuite, secret: Uint8Array): void {
    this.rl.setReadKeys(trafficKeys(this.c, suite, secret));
    this.readEpoch++;
  }

  protected setWriteSecret(suite: CipherSuite, secret: Uint8Array): void {
    this.flush();
    this.rl.setWriteKeys(trafficKeys(this.c, suite, secret));
  }

  /** TLS 1.2: keys from the key block (RFC 5246 §6.3), switched at change_cipher_spec. */
  protected setReadKeys12(keys: TrafficKeys): void {
    this.rl.setReadKeys(keys);
    this.readEpoch++;
  }

  protected setWriteKeys12(keys: TrafficKeys): void {
    this.flush();
    this.rl.setWriteKeys(keys);
  }

  /** Installs the application traffic secrets and opens the session for data. */
  protected openTraffic(
    suite: CipherSuite,
    read: Uint8Array,
    write: Uint8Array,
    installWrite = true,
  ): void {
    this.readSecret = read;
    this.writeSecret = write;
    this.setReadSecret(suite, read);
    if (installWrite) this.setWriteSecret(suite, write);
  }

  protected handshakeComplete(): void {
    this.status = "open";
    this.out.events.push({ type: "handshake-complete", summary: this.summary() });
  }

  /** KeyUpdate from the peer (§4.6.3): next read key; answer an update_requested. */
  protected onKeyUpdate(msg: HandshakeMessage): void {
    const suite = this.suite;
    if (!suite || !this.readSecret)
      throw new TlsError("unexpected-message", "KeyUpdate before Finished");
    const request = decodeKeyUpdate(msg.body);
    if (request !== 0 && request !== 1) throw new TlsError("illegal-parameter", "KeyUpdate value");
    this.readSecret = nextTrafficSecret(this.c, suite, this.readSecret);
    this.setReadSecret(suite, this.readSecret);
    this.readGeneration++;
    this.logSecret(this.peerLabel(), this.readSecret, this.readGeneration);
    this.trace("key-update", { direction: "read", requested: request === 1 });
    this.out.events.push({ type: "key-update", direction: "read" });
    if (request === 1 && !this.writeClosed) this.sendKeyUpdate(false);
  }

  private sendKeyUpdate(requestPeer: boolean): void {
    const suite = this.suite;
    if (!suite || !this.writeSecret) return;
    this.sendHandshake(encodeKeyUpdate(requestPeer));
    this.flush();
    this.writeSecret = nextTrafficSecret(this.c, suite, this.writeSecret);
    this.setWriteSecret(suite, this.writeSecret);
    this.writeGeneration++;
    this.logSecret(this.ownLabel(), this.writeSecret, this.writeGeneration);
    this.trace("key-update", { direction: "write", requested: requestPeer });
    this.out.events.push({ type: "key-update", direction: "write" });
  }

  private ownLabel(): string {
    return this.role === "client" ? "CLIENT_TRAFFIC_SECRET" : "SERVER_TRAFFIC_SECRET";
  }
  private peerLabel(): string {
    return this.role === "client" ? "SERVER_TRAFFIC_SECRET" : "CLIENT_TRAFFIC_SECRET";
  }

  /** One SSLKEYLOGFILE line: `<label> <client random hex> <secret hex>` (NSS key log format). */
  protected logSecret(label: string, secret: Uint8Array, generation?: number): void {
    const log = this.cfg.keyLog;
    if (!log) return;
    const name = generation === undefined ? label : `${label}_${generation}`;
    log(`${name} ${toHex(this.clientRandom)} ${toHex(secret)}`);
  }

  protected random(n: number): Uint8Array {
    const buf = new Uint8Array(n);
    return this.cfg.random ? this.cfg.random(buf) : this.c.randomFill(buf);
  }

  protected nowMs(): number {
    if (this.cfg.wallMs) return this.cfg.wallMs();
    return Number((this.cfg.now?.() ?? 0n) / 1_000_000n);
  }

  /** Reports an event to the tracer, with the summary after it; builds nothing without one. */
  protected trace(name: string, detail: { [key: string]: Json | undefined }): void {
    const t = this.cfg.tracer;
    if (!t) return;
    t.event({
      layer: "tls",
      id: this.id,
      name,
      atNs: this.cfg.now?.() ?? 0n,
      state: { ...this.summary() },
      detail,
    });
  }

  protected isHandshakeType(msg: HandshakeMessage, type: number): boolean {
    return msg.type === type;
  }

  protected static readonly HT = HandshakeType;
}
