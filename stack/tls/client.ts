/**
 * The TLS 1.3 client (RFC 8446 §2, §4): one state per message it waits for, each holding only
 * what the next step needs. Authentication leaves proof: the traffic state can only be built
 * from a verified server Finished, which needs a verified CertificateVerify or an accepted PSK.
 */
import { equalBytes, equalBytesConstantTime, utf8Encode } from "../bytes/index.ts";
import type { EcdhGroup, EcdhKeyPair, PublicKey, SignatureAlgorithm } from "../crypto/provider.ts";
import type { ClientConfig, ClientSession } from "./config.ts";
import { TlsEngine } from "./engine.ts";
import { check, TlsError } from "./errors.ts";
import {
  decodeAlpn,
  decodeCookie,
  decodeHrrKeyShare,
  decodeRecordSizeLimit,
  decodeSelectedIdentity,
  decodeSelectedVersion,
  decodeServerKeyShare,
  encodeAlpn,
  encodeClientKeyShares,
  encodeClientVersions,
  encodeCookie,
  encodeOfferedPsks,
  encodeServerName,
  encodeU16ListExt,
  type KeyShareEntry,
} from "./extensions.ts";
import {
  binderKey,
  deriveSecret,
  earlySecret,
  finishedMac,
  handshakeSecret,
  masterSecret,
  resumptionPsk,
} from "./keyschedule.ts";
import {
  type ClientHello,
  DuplicateExtension,
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeEncryptedExtensions,
  decodeNewSessionTicket,
  decodeServerHello,
  type Extension,
  encodeCertificate,
  encodeClientHello,
  encodeFinished,
  findExtension,
  type HandshakeMessage,
  HRR_RANDOM,
  handshake,
} from "./messages.ts";
import {
  type CipherSuite,
  fastestFirst,
  GROUPS,
  schemeAlgorithm,
  suiteById,
  TLS13_SIGNATURE_SCHEMES,
  TLS13_SUITES,
} from "./suites.ts";
import { encodeCertificate12, keyBlock, prf, type Suite12, TLS12_SUITES } from "./tls12.ts";
import { Transcript } from "./transcript.ts";
import {
  AlertDescription,
  HandshakeType as H,
  Reader,
  SignatureScheme,
  TLS12,
  TLS13,
  ExtensionType as X,
} from "./wire.ts";

/** The last 8 bytes of a TLS 1.3 server's random when it negotiates 1.2 or below (§4.1.3). */
const DOWNGRADE_12 = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01];
const DOWNGRADE_11 = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00];

/** Default signature_algorithms: CertificateVerify schemes plus PKCS#1 for certificates (§4.2.3). */
const CLIENT_SCHEMES = [
  ...TLS13_SIGNATURE_SCHEMES,
  SignatureScheme.rsaPkcs1Sha256,
  SignatureScheme.rsaPkcs1Sha384,
  SignatureScheme.rsaPkcs1Sha512,
];

/** Proof that the server proved its identity: a verified CertificateVerify or an accepted PSK. */
class ServerAuthenticated {
  private constructor(readonly how: "certificate" | "psk") {}
  static certificate(): ServerAuthenticated {
    return new ServerAuthenticated("certificate");
  }
  static psk(): ServerAuthenticated {
    return new ServerAuthenticated("psk");
  }
}

/** Proof that the server's Finished matched (§4.4.4). */
class FinishedVerified {
  private constructor() {}
  static make(): FinishedVerified {
    return new FinishedVerified();
  }
}

interface Offered {
  hello: ClientHello;
  shares: EcdhKeyPair[];
  groupCodes: number[];
  psk?: { session: ClientSession; suite: CipherSuite };
}

interface HandshakeKeys {
  suite: CipherSuite;
  hs: Uint8Array;
  clientHs: Uint8Array;
  serverHs: Uint8Array;
}

type Hs12State =
  | { name: "expect-certificate-12"; suite: Suite12; serverRandom: Uint8Array }
  | {
      name: "expect-server-key-exchange-12";
      suite: Suite12;
      serverRandom: Uint8Array;
      key: PublicKey;
    }
  | {
      name: "expect-server-hello-done-12";
      suite: Suite12;
      serverRandom: Uint8Array;
      group: EcdhGroup;
      peer: Uint8Array;
      requested: boolean;
    }
  | {
      name: "expect-change-cipher-spec-12";
      suite: Suite12;
      master: Uint8Array;
      keys: ReturnType<typeof keyBlock>;
    }
  | { name: "expect-finished-12"; suite: Suite12; master: Uint8Array }
  | { name: "traffic-12"; proof: FinishedVerified };

/** The provider algorithm for a TLS 1.2 ServerKeyExchange scheme: ECDSA's curve is free in 1.2. */
function scheme12(scheme: number, key: PublicKey): SignatureAlgorithm | null {
  if (key.kind === "ec" && (scheme & 0xff) === 3) {
    const hash = ({ 4: "sha256", 5: "sha384", 6: "sha512" } as const)[scheme >> 8];
    return hash ? { kind: "ecdsa", hash, encoding: "der" } : null;
  }
  if (key.kind === "rsa" && (scheme & 0xff) === 1) {
    const hash = ({ 4: "sha256", 5: "sha384", 6: "sha512" } as const)[scheme >> 8];
    return hash ? { kind: "rsa-pkcs1", hash } : null;
  }
  return schemeAlgorithm(scheme, key);
}

type ClientState =
  | Hs12State
  | { name: "start" }
  | { name: "expect-server-hello"; offered: Offered; retried: CipherSuite | null }
  | { name: "expect-encrypted-extensions"; keys: HandshakeKeys; resumed: boolean }
  | { name: "expect-certificate"; keys: HandshakeKeys; requested: Uint8Array | null }
  | {
      name: "expect-certificate-verify";
      keys: HandshakeKeys;
      requested: Uint8Array | null;
      key: PublicKey;
    }
  | {
      name: "expect-finished";
      keys: HandshakeKeys;
      requested: Uint8Array | null;
      auth: ServerAuthenticated;
    }
  | { name: "traffic"; suite: CipherSuite; resumptionMaster: Uint8Array; proof: FinishedVerified };

const ALLOWED_IN_SERVER_HELLO = new Set<number>([X.keyShare, X.supportedVersions, X.preSharedKey]);
const ALLOWED_IN_HRR = new Set<number>([X.keyShare, X.supportedVersions, X.cookie]);
/** Extensions that never belong in EncryptedExtensions (§4.2 table): illegal_parameter. */
const NOT_IN_EE = new Set<number>([
  X.keyShare,
  X.supportedVersions,
  X.preSharedKey,
  X.signatureAlgorithms,
  X.pskKeyExchangeModes,
  X.cookie,
  X.signatureAlgorithmsCert,
  X.postHandshakeAuth,
  X.certificateAuthorities,
]);

export class TlsClient extends TlsEngine {
  readonly role = "client" as const;
  private state: ClientState = { name: "start" };
  private readonly tr: Transcript;
  private readonly ccfg: ClientConfig;
  private readonly suites: CipherSuite[];
  private readonly groups: number[];
  private readonly schemes: number[];
  private ccsSent = false;
  /** TLS 1.2 suites offered: TLS 1.2 is offered only when some are (RFC 5246). */
  private readonly suites12: Suite12[];
  private readonly offers12: boolean;

  constructor(config: ClientConfig) {
    super(config);
    this.ccfg = config;
    this.tr = new Transcript(config.crypto);
    const pref = config.crypto.aeadPreference;
    const ids =
      config.cipherSuites ??
      [...fastestFirst(TLS13_SUITES, pref), ...fastestFirst(TLS12_SUITES, pref)].map((s) => s.id);
    this.suites = ids.map((id) => suiteById(id)).filter((s): s is CipherSuite => s !== undefined);
    this.suites12 =
      config.tls12 === false
        ? []
        : ids.map((id) => TLS12_SUITES.find((s) => s.id === id)).filter((s) => s !== undefined);
    this.offers12 = this.suites12.length > 0;
    this.groups = config.groups ?? [...GROUPS.keys()];
    this.schemes = config.signatureSchemes ?? CLIENT_SCHEMES;
    this.sni = config.serverName && !isIpLiteral(config.serverName) ? config.serverName : null;
  }

  get stateName(): string {
    return this.status === "closed" ? "closed" : this.state.name;
  }

  /** The peer's certificate subject, once verified. */
  get peer(): string | null {
    return this.peerSubject;
  }

  protected ccsAllowed(): boolean {
    return this.state.name !== "start" && this.state.name !== "traffic";
  }

  protected onStart(): void {
    if (this.state.name !== "start") return;
    this.clientRandom = this.random(32);
    const sessionId = this.ccfg.middleboxCompat === false ? new Uint8Array(0) : this.random(32);
    const shareGroups = this.ccfg.keyShareGroups ?? [
      this.groups.find((g) => GROUPS.has(g)) ?? this.groups[0] ?? 0,
    ];
    const shares = shareGroups.map((g) => this.keyPair(g));
    const session = this.usableSession();
    const offered = this.buildHello(
      this.clientRandom,
      sessionId,
      shares,
      shareGroups,
      session,
      undefined,
    );
    this.tr.add(offered.raw);
    this.sendHandshake(offered.raw);
    this.flush(0x0301); // §5.1: the first ClientHello's record may say 0x0301
    this.state = { name: "expect-server-hello", offered: offered.offered, retried: null };
    this.trace("state", { to: this.state.name });
  }

  private keyPair(code: number): EcdhKeyPair {
    const group = GROUPS.get(code);
    if (!group) throw new TlsError("internal-error", `no implementation of group ${code}`);
    for (;;) {
      const priv = this.random(group === "p384" ? 48 : 32);
      const pub = this.c.ecdhPublicKey(group, priv);
      if (pub) return { group, privateKey: priv, publicKey: pub };
    }
  }

  private usableSession(): { session: ClientSession; suite: CipherSuite } | undefined {
    const s = this.ccfg.session;
    if (!s) return undefined;
    const suite = this.suites.find((x) => x.id === s.suite);
    if (!suite) return undefined;
    if (s.serverName !== undefined && s.serverName !== (this.sni ?? undefined)) return undefined;
    if (this.nowMs() - s.receivedAtMs > s.lifetimeS * 1000) return undefined;
    return { session: s, suite };
  }

  /** A ClientHello (§4.1.2), extensions in a fixed order, pre_shared_key last (§4.2.11). */
  private buildHello(
    random: Uint8Array,
    sessionId: Uint8Array,
    shares: EcdhKeyPair[],
    groupCodes: number[],
    psk: { session: ClientSession; suite: CipherSuite } | undefined,
    cookie: Uint8Array | undefined,
  ): { raw: Uint8Array; offered: Offered } {
    const exts: Extension[] = [];
    if (this.sni) exts.push({ type: X.serverName, data: encodeServerName(this.sni) });
    // RFC 5746 §3.4: the empty renegotiation_info, as a client able to speak TLS 1.2 sends.
    exts.push({ type: X.renegotiationInfo, data: Uint8Array.of(0) });
    if (this.offers12) {
      exts.push({ type: X.extendedMasterSecret, data: new Uint8Array(0) }); // RFC 7627
      exts.push({ type: X.ecPointFormats, data: Uint8Array.of(1, 0) }); // RFC 8422 §5.1.2
    }
    exts.push({ type: X.supportedGroups, data: encodeU16ListExt(this.groups) });
    if (this.ccfg.legacySessionTicketExtension)
      exts.push({ type: X.sessionTicket, data: new Uint8Array(0) });
    if (this.cfg.alpn?.length) exts.push({ type: X.alpn, data: encodeAlpn(this.cfg.alpn) });
    const entries: KeyShareEntry[] = shares.map((s, i) => ({
      group: groupCodes[i] as number,
      key: s.publicKey,
    }));
    exts.push({ type: X.keyShare, data: encodeClientKeyShares(entries) });
    exts.push({
      type: X.supportedVersions,
      data: encodeClientVersions([
        ...(this.suites.length > 0 ? [TLS13] : []),
        ...(this.offers12 ? [TLS12] : []),
      ]),
    });
    exts.push({ type: X.signatureAlgorithms, data: encodeU16ListExt(this.schemes) });
    if (cookie) exts.push({ type: X.cookie, data: encodeCookie(cookie) });
    // psk_dhe_ke only (§4.2.9): resumption keeps forward secrecy.
    exts.push({ type: X.pskKeyExchangeModes, data: Uint8Array.of(1, 1) });
    const limit = this.cfg.recordSizeLimit ?? 16385;
    exts.push({ type: X.recordSizeLimit, data: Uint8Array.of(limit >> 8, limit & 0xff) });
    const hello: ClientHello = {
      random,
      sessionId,
      cipherSuites: [...this.suites.map((s) => s.id), ...this.suites12.map((s) => s.id)],
      compressionMethods: Uint8Array.of(0),
      extensions: exts,
    };
    if (!psk) return { raw: encodeClientHello(hello), offered: { hello, shares, groupCodes } };
    // §4.2.11.2: binders over the ClientHello truncated before the binders list.
    const hashLen = psk.suite.hashLength;
    const age = (Math.max(0, this.nowMs() - psk.session.receivedAtMs) + psk.session.ageAdd) >>> 0;
    const identities = [{ identity: psk.session.ticket, obfuscatedAge: age }];
    exts.push({
      type: X.preSharedKey,
      data: encodeOfferedPsks(identities, [new Uint8Array(hashLen)]),
    });
    const withZeros = encodeClientHello(hello);
    const truncated = withZeros.subarray(0, withZeros.length - (2 + 1 + hashLen));
    const early = earlySecret(this.c, psk.suite, psk.session.psk);
    const binder = finishedMac(
      this.c,
      psk.suite,
      binderKey(this.c, psk.suite, early),
      this.tr.hashWith(psk.suite.hash, truncated),
    );
    exts[exts.length - 1] = { type: X.preSharedKey, data: encodeOfferedPsks(identities, [binder]) };
    return { raw: encodeClientHello(hello), offered: { hello, shares, groupCodes, psk } };
  }

  protected onHandshake(msg: HandshakeMessage): void {
    const s = this.state;
    switch (s.name) {
      case "expect-server-hello":
        check(
          msg.type === H.serverHello,
          "unexpected-message",
          `${msg.type} instead of ServerHello`,
        );
        this.onServerHello(s.offered, s.retried, msg);
        return;
      case "expect-encrypted-extensions":
        check(
          msg.type === H.encryptedExtensions,
          "unexpected-message",
          "expected EncryptedExtensions",
        );
        this.onEncryptedExtensions(s.keys, s.resumed, msg);
        return;
      case "expect-certificate":
        if (msg.type === H.certificateRequest && s.requested === null) {
          const req = decodeCertificateRequest(msg.body);
          check(
            findExtension(req.extensions, X.signatureAlgorithms) !== undefined,
            "missing-extension",
            "CertificateRequest without signature_algorithms",
          );
          this.tr.add(msg.raw);
          this.state = { name: "expect-certificate", keys: s.keys, requested: req.context.slice() };
          return;
        }
        check(msg.type === H.certificate, "unexpected-message", "expected Certificate");
        this.onCertificate(s.keys, s.requested, msg);
        return;
      case "expect-certificate-verify":
        check(msg.type === H.certificateVerify, "unexpected-message", "expected CertificateVerify");
        this.onCertificateVerify(s.keys, s.requested, s.key, msg);
        return;
      case "expect-finished":
        check(msg.type === H.finished, "unexpected-message", "expected Finished");
        this.onFinished(s.keys, s.requested, s.auth, msg);
        return;
      case "traffic":
        if (msg.type === H.newSessionTicket) {
          this.onTicket(s.suite, s.resumptionMaster, msg);
          return;
        }
        if (msg.type === H.keyUpdate) {
          this.onKeyUpdate(msg);
          return;
        }
        throw new TlsError("unexpected-message", `handshake message ${msg.type} after Finished`);
      case "start":
        throw new TlsError("unexpected-message", "data before ClientHello");
      default:
        this.onHandshake12(s, msg);
    }
  }

  private onServerHello(
    offered: Offered,
    retried: CipherSuite | null,
    msg: HandshakeMessage,
  ): void {
    let sh: ReturnType<typeof decodeServerHello>;
    try {
      sh = decodeServerHello(msg.body);
    } catch (e) {
      if (e instanceof DuplicateExtension) throw new TlsError("illegal-parameter", e.message);
      throw e;
    }
    const isHrr = equalBytes(sh.random, HRR_RANDOM);
    const versionExt = findExtension(sh.extensions, X.supportedVersions);
    if (versionExt === undefined) {
      // The server chose TLS 1.2 or below. §4.1.3: a 1.3 server that does so marks its random.
      const tail = [...sh.random.subarray(24)];
      const marked =
        tail.every((b, i) => b === DOWNGRADE_12[i]) || tail.every((b, i) => b === DOWNGRADE_11[i]);
      // Checked when we offered TLS 1.3: a server that has it must not settle lower.
      check(
        !marked || this.suites.length === 0,
        "illegal-parameter",
        "downgrade sentinel in ServerHello.random",
      );
      check(retried === null, "illegal-parameter", "TLS 1.2 after a HelloRetryRequest");
      this.onServerHello12(offered, sh, msg);
      return;
    }
    check(
      decodeSelectedVersion(versionExt) === TLS13,
      "illegal-parameter",
      "selected version is not TLS 1.3",
    );
    check(sh.legacyVersion === 0x0303, "illegal-parameter", "legacy_version is not 0x0303");
    check(
      equalBytes(sh.sessionId, offered.hello.sessionId),
      "illegal-parameter",
      "legacy_session_id_echo differs",
    );
    check(sh.compressionMethod === 0, "illegal-parameter", "compression method");
    const suite = this.suites.find((x) => x.id === sh.cipherSuite);
    check(suite !== undefined, "illegal-parameter", "cipher suite not offered");
    if (retried)
      check(suite === retried, "illegal-parameter", "suite differs from HelloRetryRequest");
    const allowed = isHrr ? ALLOWED_IN_HRR : ALLOWED_IN_SERVER_HELLO;
    for (const e of sh.extensions)
      check(allowed.has(e.type), "unsupported-extension", `extension ${e.type} in ServerHello`);
    if (isHrr) {
      this.onHelloRetry(offered, retried, suite, sh.extensions, msg);
      return;
    }

    this.suite = suite;
    let psk: Uint8Array | undefined;
    const selected = findExtension(sh.extensions, X.preSharedKey);
    if (selected !== undefined) {
      check(offered.psk !== undefined, "unsupported-extension", "pre_shared_key not offered");
      check(
        decodeSelectedIdentity(selected) === 0,
        "illegal-parameter",
        "selected_identity out of range",
      );
      check(
        offered.psk.suite.hash === suite.hash,
        "illegal-parameter",
        "PSK hash differs from suite",
      );
      psk = offered.psk.session.psk;
      this.resumed = true;
    }
    const ksExt = findExtension(sh.extensions, X.keyShare);
    check(
      ksExt !== undefined,
      "missing-extension",
      "ServerHello without key_share (psk_ke not offered)",
    );
    const share = decodeServerKeyShare(ksExt);
    const idx = offered.groupCodes.indexOf(share.group);
    check(idx >= 0, "illegal-parameter", "key share for a group not offered");
    const mine = offered.shares[idx] as EcdhKeyPair;
    const ecdhe = this.c.ecdhSharedSecret(mine.group, mine.privateKey, share.key);
    check(ecdhe !== null, "illegal-parameter", "invalid server key share");
    this.groupCode = share.group;

    this.tr.start(suite.hash);
    this.tr.add(msg.raw);
    const early = earlySecret(this.c, suite, psk);
    const hs = handshakeSecret(this.c, suite, early, ecdhe);
    const th = this.tr.hash();
    const clientHs = deriveSecret(this.c, suite, hs, "c hs traffic", th);
    const serverHs = deriveSecret(this.c, suite, hs, "s hs traffic", th);
    this.logSecret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientHs);
    this.logSecret("SERVER_HANDSHAKE_TRAFFIC_SECRET", serverHs);
    this.setReadSecret(suite, serverHs);
    // §D.4: in compatibility mode, a change_cipher_spec before the first protected record.
    if (offered.hello.sessionId.length > 0 && !this.ccsSent) {
      this.sendCcs();
      this.ccsSent = true;
    }
    this.setWriteSecret(suite, clientHs);
    this.state = {
      name: "expect-encrypted-extensions",
      keys: { suite, hs, clientHs, serverHs },
      resumed: psk !== undefined,
    };
  }

  private onHelloRetry(
    offered: Offered,
    retried: CipherSuite | null,
    suite: CipherSuite,
    exts: Extension[],
    msg: HandshakeMessage,
  ): void {
    check(retried === null, "unexpected-message", "second HelloRetryRequest");
    const ks = findExtension(exts, X.keyShare);
    const cookieExt = findExtension(exts, X.cookie);
    // §4.1.4: an HRR that would not change the ClientHello is illegal.
    check(
      ks !== undefined || cookieExt !== undefined,
      "illegal-parameter",
      "HelloRetryRequest changes nothing",
    );
    let groupCodes = offered.groupCodes;
    let shares = offered.shares;
    if (ks !== undefined) {
      const g = decodeHrrKeyShare(ks);
      check(this.groups.includes(g) && GROUPS.has(g), "illegal-parameter", "HRR group not offered");
      check(
        !offered.groupCodes.includes(g),
        "illegal-parameter",
        "HRR asks for a share already sent",
      );
      groupCodes = [g];
      shares = [this.keyPair(g)];
    }
    const cookie = cookieExt === undefined ? undefined : decodeCookie(cookieExt);
    this.tr.replaceWithMessageHash(suite.hash);
    this.tr.add(msg.raw);
    // §D.4: the compatibility change_cipher_spec goes before the second ClientHello.
    if (offered.hello.sessionId.length > 0 && !this.ccsSent) {
      this.sendCcs();
      this.ccsSent = true;
    }
    const psk = offered.psk && offered.psk.suite.hash === suite.hash ? offered.psk : undefined;
    const next = this.buildHello(
      offered.hello.random,
      offered.hello.sessionId,
      shares,
      groupCodes,
      psk,
      cookie,
    );
    this.tr.add(next.raw);
    this.sendHandshake(next.raw);
    this.state = { name: "expect-server-hello", offered: next.offered, retried: suite };
  }

  private onEncryptedExtensions(
    keys: HandshakeKeys,
    resumed: boolean,
    msg: HandshakeMessage,
  ): void {
    let exts: Extension[];
    try {
      exts = decodeEncryptedExtensions(msg.body);
    } catch (e) {
      if (e instanceof DuplicateExtension) throw new TlsError("illegal-parameter", e.message);
      throw e;
    }
    for (const e of exts) {
      check(
        !NOT_IN_EE.has(e.type),
        "illegal-parameter",
        `extension ${e.type} in EncryptedExtensions`,
      );
      switch (e.type) {
        case X.serverName:
          check(
            this.sni !== null && e.data.length === 0,
            "unsupported-extension",
            "server_name not sent",
          );
          break;
        case X.supportedGroups:
          break; // §4.2.7: informational; not acted on
        case X.alpn: {
          check(!!this.cfg.alpn?.length, "unsupported-extension", "ALPN not offered");
          const names = decodeAlpn(e.data);
          const chosen = names[0] as string;
          check(
            names.length === 1 && (this.cfg.alpn ?? []).includes(chosen),
            "illegal-parameter",
            "ALPN not offered",
          );
          this.alpnProtocol = chosen;
          break;
        }
        case X.recordSizeLimit: {
          const limit = decodeRecordSizeLimit(e.data);
          // RFC 8449 §4: below 64 is illegal; TLS 1.3 counts the content type byte.
          check(limit >= 64, "illegal-parameter", "record_size_limit below 64");
          this.rl.sendLimit = Math.min(1 << 14, limit - 1);
          break;
        }
        default:
          throw new TlsError("unsupported-extension", `extension ${e.type} not offered`);
      }
    }
    this.tr.add(msg.raw);
    if (resumed) {
      this.state = {
        name: "expect-finished",
        keys,
        requested: null,
        auth: ServerAuthenticated.psk(),
      };
    } else {
      this.state = { name: "expect-certificate", keys, requested: null };
    }
  }

  private onCertificate(
    keys: HandshakeKeys,
    requested: Uint8Array | null,
    msg: HandshakeMessage,
  ): void {
    const cert = decodeCertificate(msg.body);
    check(cert.context.length === 0, "illegal-parameter", "certificate_request_context not empty");
    // §4.4.2.4: an empty server Certificate is decode_error.
    check(cert.certificates.length > 0, "decode-error", "empty certificate list");
    const result = this.ccfg.verifier(cert.certificates, this.ccfg.serverName);
    if (!result.ok) throw new TlsError(result.failure, result.reason);
    this.peerSubject = result.subject;
    this.tr.add(msg.raw);
    this.state = { name: "expect-certificate-verify", keys, requested, key: result.publicKey };
  }

  private onCertificateVerify(
    keys: HandshakeKeys,
    requested: Uint8Array | null,
    key: PublicKey,
    msg: HandshakeMessage,
  ): void {
    const cv = decodeCertificateVerify(msg.body);
    const alg = schemeAlgorithm(cv.scheme, key);
    check(
      alg !== null && this.schemes.includes(cv.scheme),
      "illegal-parameter",
      `signature scheme ${cv.scheme} not offered or not fit for the key`,
    );
    const content = signedContent("server", this.tr.hash());
    check(
      this.c.verify(alg, key, content, cv.signature),
      "decrypt-error",
      "CertificateVerify does not verify",
    );
    this.tr.add(msg.raw);
    this.state = {
      name: "expect-finished",
      keys,
      requested,
      auth: ServerAuthenticated.certificate(),
    };
  }

  private onFinished(
    keys: HandshakeKeys,
    requested: Uint8Array | null,
    _auth: ServerAuthenticated,
    msg: HandshakeMessage,
  ): void {
    const { suite } = keys;
    check(msg.body.length === suite.hashLength, "decode-error", "Finished of wrong length");
    const expected = finishedMac(this.c, suite, keys.serverHs, this.tr.hash());
    check(
      equalBytesConstantTime(expected, msg.body),
      "decrypt-error",
      "server Finished does not verify",
    );
    const proof = FinishedVerified.make();
    this.tr.add(msg.raw);
    const master = masterSecret(this.c, suite, keys.hs);
    const th = this.tr.hash();
    const clientAp = deriveSecret(this.c, suite, master, "c ap traffic", th);
    const serverAp = deriveSecret(this.c, suite, master, "s ap traffic", th);
    const exporter = deriveSecret(this.c, suite, master, "exp master", th);
    this.logSecret("CLIENT_TRAFFIC_SECRET_0", clientAp);
    this.logSecret("SERVER_TRAFFIC_SECRET_0", serverAp);
    this.logSecret("EXPORTER_SECRET", exporter);
    if (requested !== null) {
      // §4.4.2: asked for a certificate, we have none: an empty Certificate, no CertificateVerify.
      const empty = encodeCertificate({ context: requested, certificates: [] });
      this.tr.add(empty);
      this.sendHandshake(empty);
    }
    const fin = encodeFinished(finishedMac(this.c, suite, keys.clientHs, this.tr.hash()));
    this.tr.add(fin);
    this.sendHandshake(fin);
    const resumptionMaster = deriveSecret(this.c, suite, master, "res master", this.tr.hash());
    this.openTraffic(suite, serverAp, clientAp);
    this.state = { name: "traffic", suite, resumptionMaster, proof };
    this.handshakeComplete();
  }

  // ---- TLS 1.2 (RFC 5246, RFC 8422, RFC 7627, RFC 5746), when the server chooses it ----

  private onServerHello12(
    offered: Offered,
    sh: ReturnType<typeof decodeServerHello>,
    msg: HandshakeMessage,
  ): void {
    check(this.offers12, "protocol-version", "server does not speak TLS 1.3");
    check(sh.legacyVersion === TLS12, "protocol-version", "server chose a version below TLS 1.2");
    const suite = TLS12_SUITES.find(
      (x) => x.id === sh.cipherSuite && offered.hello.cipherSuites.includes(x.id),
    );
    check(suite !== undefined, "illegal-parameter", "cipher suite not offered");
    check(sh.compressionMethod === 0, "illegal-parameter", "compression method");
    let ems = false;
    let reneg = false;
    for (const e of sh.extensions) {
      switch (e.type) {
        case X.extendedMasterSecret:
          ems = true;
          break;
        case X.renegotiationInfo:
          // RFC 5746 §3.4: empty renegotiated_connection on a first handshake.
          check(
            e.data.length === 1 && e.data[0] === 0,
            "handshake-failure",
            "renegotiation_info not empty",
          );
          reneg = true;
          break;
        case X.ecPointFormats:
          check([...e.data.subarray(1)].includes(0), "illegal-parameter", "no uncompressed points");
          break;
        case X.recordSizeLimit: {
          // RFC 8449 §4: in TLS 1.2 the limit counts plaintext only.
          const limit = decodeRecordSizeLimit(e.data);
          check(limit >= 64, "illegal-parameter", "record_size_limit below 64");
          this.rl.sendLimit = Math.min(1 << 14, limit);
          break;
        }
        case X.serverName:
          check(
            this.sni !== null && e.data.length === 0,
            "unsupported-extension",
            "server_name not sent",
          );
          break;
        case X.alpn: {
          const names = decodeAlpn(e.data);
          const chosen = names[0] as string;
          check(
            names.length === 1 && (this.cfg.alpn ?? []).includes(chosen),
            "illegal-parameter",
            "ALPN not offered",
          );
          this.alpnProtocol = chosen;
          break;
        }
        default:
          throw new TlsError(
            "unsupported-extension",
            `extension ${e.type} in a TLS 1.2 ServerHello`,
          );
      }
    }
    // RFC 7627 §5.2 and RFC 5746 §3.4: we insist on both.
    check(ems, "handshake-failure", "server without extended_master_secret");
    check(reneg, "handshake-failure", "server without renegotiation_info");
    this.tls12 = true;
    this.rl.tls12 = true;
    this.suite = suite;
    this.tr.start(suite.hash);
    this.tr.add(msg.raw);
    this.state = { name: "expect-certificate-12", suite, serverRandom: sh.random.slice() };
  }

  private onHandshake12(s: Hs12State, msg: HandshakeMessage): void {
    switch (s.name) {
      case "expect-certificate-12": {
        check(msg.type === H.certificate, "unexpected-message", "expected Certificate");
        const r = new Reader(msg.body);
        const list = r.sub(3);
        const chain: Uint8Array[] = [];
        while (!list.atEnd()) chain.push(list.vec(3, 1));
        r.expectEnd();
        check(chain.length > 0, "decode-error", "empty certificate list");
        const result = this.ccfg.verifier(chain, this.ccfg.serverName);
        if (!result.ok) throw new TlsError(result.failure, result.reason);
        this.peerSubject = result.subject;
        this.tr.add(msg.raw);
        this.state = {
          name: "expect-server-key-exchange-12",
          suite: s.suite,
          serverRandom: s.serverRandom,
          key: result.publicKey,
        };
        return;
      }
      case "expect-server-key-exchange-12": {
        check(msg.type === 12, "unexpected-message", "expected ServerKeyExchange");
        const r = new Reader(msg.body);
        check(r.u8() === 3, "illegal-parameter", "not a named curve");
        const groupCode = r.u16();
        const point = r.vec(1, 1);
        const paramsEnd = r.pos;
        const scheme = r.u16();
        const signature = r.vec(2);
        r.expectEnd();
        const group = GROUPS.get(groupCode);
        check(
          group !== undefined && this.groups.includes(groupCode),
          "illegal-parameter",
          "group not offered",
        );
        const alg = scheme12(scheme, s.key);
        check(
          alg !== null && this.schemes.includes(scheme),
          "illegal-parameter",
          "signature scheme not offered",
        );
        const signed = new Uint8Array(64 + paramsEnd);
        signed.set(this.clientRandom);
        signed.set(s.serverRandom, 32);
        signed.set(msg.body.subarray(0, paramsEnd), 64);
        check(
          this.c.verify(alg, s.key, signed, signature),
          "decrypt-error",
          "ServerKeyExchange signature",
        );
        this.groupCode = groupCode;
        this.tr.add(msg.raw);
        this.state = {
          name: "expect-server-hello-done-12",
          suite: s.suite,
          serverRandom: s.serverRandom,
          group,
          peer: point.slice(),
          requested: false,
        };
        return;
      }
      case "expect-server-hello-done-12": {
        if (msg.type === H.certificateRequest && !s.requested) {
          this.tr.add(msg.raw);
          this.state = { ...s, requested: true };
          return;
        }
        check(
          msg.type === 14 && msg.body.length === 0,
          "unexpected-message",
          "expected ServerHelloDone",
        );
        this.tr.add(msg.raw);
        const mine = this.keyPair(this.groupCode as number);
        const pms = this.c.ecdhSharedSecret(s.group, mine.privateKey, s.peer);
        check(pms !== null, "illegal-parameter", "invalid server key share");
        // RFC 5246 §7.4.6: asked for a certificate, we have none: an empty list.
        if (s.requested) this.sendAndHash12(encodeCertificate12([]));
        this.sendAndHash12(handshake(16, (w) => w.vec(1, (x) => x.bytes(mine.publicKey))));
        const master = prf(this.c, s.suite.hash, pms, "extended master secret", this.tr.hash(), 48);
        this.logSecret("CLIENT_RANDOM", master);
        const keys = keyBlock(this.c, s.suite, master, this.clientRandom, s.serverRandom);
        this.sendCcs();
        this.setWriteKeys12(keys.client);
        this.sendAndHash12(
          encodeFinished(prf(this.c, s.suite.hash, master, "client finished", this.tr.hash(), 12)),
        );
        this.flush();
        this.state = { name: "expect-change-cipher-spec-12", suite: s.suite, master, keys };
        return;
      }
      case "expect-finished-12": {
        check(msg.type === H.finished, "unexpected-message", "expected Finished");
        check(msg.body.length === 12, "decode-error", "Finished of wrong length");
        const expected = prf(this.c, s.suite.hash, s.master, "server finished", this.tr.hash(), 12);
        check(
          equalBytesConstantTime(expected, msg.body),
          "decrypt-error",
          "server Finished does not verify",
        );
        this.tr.add(msg.raw);
        this.state = { name: "traffic-12", proof: FinishedVerified.make() };
        this.handshakeComplete();
        return;
      }
      case "expect-change-cipher-spec-12":
        throw new TlsError("unexpected-message", "expected change_cipher_spec");
      case "traffic-12":
        // RFC 5746 §4.5 / RFC 5246 §7.4.1.1: a HelloRequest is declined with a warning.
        check(msg.type === 0, "unexpected-message", `handshake message ${msg.type} after Finished`);
        this.sendWarning(AlertDescription.noRenegotiation);
        return;
    }
  }

  private sendAndHash12(raw: Uint8Array): void {
    this.tr.add(raw);
    this.sendHandshake(raw);
  }

  protected override onChangeCipherSpec12(): void {
    const s = this.state;
    check(
      s.name === "expect-change-cipher-spec-12",
      "unexpected-message",
      "change_cipher_spec out of place",
    );
    this.setReadKeys12(s.keys.server);
    this.state = { name: "expect-finished-12", suite: s.suite, master: s.master };
  }

  private onTicket(suite: CipherSuite, resumptionMaster: Uint8Array, msg: HandshakeMessage): void {
    const t = decodeNewSessionTicket(msg.body);
    // §4.6.1: lifetimes over seven days are not allowed.
    check(t.lifetime <= 604800, "illegal-parameter", "ticket lifetime over 7 days");
    if (t.lifetime === 0) return;
    const session: ClientSession = {
      suite: suite.id,
      ticket: t.ticket.slice(),
      psk: resumptionPsk(this.c, suite, resumptionMaster, t.nonce),
      ageAdd: t.ageAdd,
      lifetimeS: t.lifetime,
      receivedAtMs: this.nowMs(),
      ...(this.sni ? { serverName: this.sni } : {}),
      ...(this.alpnProtocol ? { alpn: this.alpnProtocol } : {}),
    };
    this.out.events.push({ type: "session-ticket", session });
  }
}

/** The content a CertificateVerify signs (§4.4.3). */
export function signedContent(role: "server" | "client", transcriptHash: Uint8Array): Uint8Array {
  const label = utf8Encode(`TLS 1.3, ${role} CertificateVerify`);
  const out = new Uint8Array(64 + label.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(label, 64);
  out.set(transcriptHash, 64 + label.length + 1);
  return out;
}

function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(":");
}
