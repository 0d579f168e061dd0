/**
 * The TLS 1.3 server (RFC 8446 §2, §4): states named for what they wait for. The client's
 * Finished is checked before the traffic state exists; PSKs are accepted only with a
 * verified binder and only with (EC)DHE (psk_dhe_ke), so resumption keeps forward secrecy.
 */
import { equalBytes, equalBytesConstantTime } from "../bytes/index.ts";
import type { CryptoProvider, EcdhGroup, PrivateKey } from "../crypto/provider.ts";
import { signedContent } from "./client.ts";
import type { ServerConfig, ServerCredentials } from "./config.ts";
import { TlsEngine } from "./engine.ts";
import { check, TlsError } from "./errors.ts";
import {
  decodeAlpn,
  decodeClientKeyShares,
  decodeClientVersions,
  decodeOfferedPsks,
  decodePskModes,
  decodeRecordSizeLimit,
  decodeServerName,
  decodeU16List,
  encodeAlpn,
  encodeServerKeyShare,
  encodeU16,
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
  decodeClientHello,
  type Extension,
  encodeCertificate,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeNewSessionTicket,
  encodeServerHello,
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
import { openTicket, sealTicket } from "./ticket.ts";
import {
  DOWNGRADE_TLS12,
  decodeClientKeyExchange,
  ecdheParams,
  encodeCertificate12,
  encodeServerKeyExchange,
  keyBlock,
  prf,
  RENEGOTIATION_SCSV,
  type Suite12,
  TLS12_SUITES,
} from "./tls12.ts";
import { Transcript } from "./transcript.ts";
import {
  AlertDescription,
  HandshakeType as H,
  SignatureScheme,
  TLS12,
  TLS13,
  ExtensionType as X,
} from "./wire.ts";

/** Proof that the client's Finished matched (§4.4.4): the traffic state needs one. */
class ClientFinishedVerified {
  private constructor() {}
  static make(): ClientFinishedVerified {
    return new ClientFinishedVerified();
  }
}

interface Retry {
  suite: CipherSuite;
  group: number;
  sessionId: Uint8Array;
}

type ServerState =
  | { name: "expect-client-hello" }
  | { name: "expect-second-client-hello"; retry: Retry }
  | {
      name: "expect-finished";
      suite: CipherSuite;
      clientHs: Uint8Array;
      clientAp: Uint8Array;
      serverAp: Uint8Array;
      master: Uint8Array;
    }
  | { name: "traffic"; suite: CipherSuite; proof: ClientFinishedVerified }
  // TLS 1.2 (RFC 5246 §7.3), after our ServerHelloDone:
  | { name: "expect-client-key-exchange"; hs: Hs12 }
  | { name: "expect-change-cipher-spec"; hs: Hs12; master: Uint8Array; keys: Keys12 }
  | { name: "expect-finished"; tls12: true; hs: Hs12; master: Uint8Array; keys: Keys12 }
  | { name: "traffic"; tls12: true; proof: ClientFinishedVerified };

interface Hs12 {
  suite: Suite12;
  group: EcdhGroup;
  privateKey: Uint8Array;
  serverRandom: Uint8Array;
}
type Keys12 = ReturnType<typeof keyBlock>;

/** Server credentials from a chain and a private key, signing through the provider. */
export function credentialsFromKey(
  c: CryptoProvider,
  chain: Uint8Array[],
  key: PrivateKey,
): ServerCredentials {
  const schemes: number[] =
    key.kind === "ec"
      ? [
          key.curve === "p256"
            ? SignatureScheme.ecdsaSecp256r1Sha256
            : SignatureScheme.ecdsaSecp384r1Sha384,
        ]
      : key.kind === "ed25519"
        ? [SignatureScheme.ed25519]
        : [
            SignatureScheme.rsaPssRsaeSha256,
            SignatureScheme.rsaPssRsaeSha384,
            SignatureScheme.rsaPssRsaeSha512,
          ];
  return {
    chain,
    schemes,
    sign(scheme, message) {
      const alg = schemeAlgorithm(scheme);
      if (!alg || !schemes.includes(scheme))
        throw new TlsError("internal-error", "scheme not for this key");
      return c.sign(alg, key, message);
    },
  };
}

export class TlsServer extends TlsEngine {
  readonly role = "server" as const;
  private state: ServerState = { name: "expect-client-hello" };
  private readonly tr: Transcript;
  private readonly scfg: ServerConfig;
  private readonly suites: CipherSuite[];
  /** TLS 1.2 suites in our order of preference. */
  private readonly suites12: Suite12[];
  private readonly groups: number[];

  constructor(config: ServerConfig) {
    super(config);
    this.scfg = config;
    this.tr = new Transcript(config.crypto);
    const pref = config.crypto.aeadPreference;
    this.suites = (config.cipherSuites ?? fastestFirst(TLS13_SUITES, pref).map((s) => s.id))
      .map((id) => suiteById(id))
      .filter((s): s is CipherSuite => s !== undefined);
    this.suites12 = fastestFirst(TLS12_SUITES, pref);
    this.groups = config.groups ?? [...GROUPS.keys()];
  }

  get stateName(): string {
    return this.status === "closed" ? "closed" : this.state.name;
  }

  protected ccsAllowed(): boolean {
    return (
      this.state.name === "expect-second-client-hello" || this.state.name === "expect-finished"
    );
  }

  protected onStart(): void {
    this.trace("state", { to: this.state.name });
  }

  protected onHandshake(msg: HandshakeMessage): void {
    const s = this.state;
    switch (s.name) {
      case "expect-client-hello":
        check(msg.type === H.clientHello, "unexpected-message", "expected ClientHello");
        this.onClientHello(msg, null);
        return;
      case "expect-second-client-hello":
        check(msg.type === H.clientHello, "unexpected-message", "expected the second ClientHello");
        this.onClientHello(msg, s.retry);
        return;
      case "expect-finished":
        check(msg.type === H.finished, "unexpected-message", "expected Finished");
        if ("tls12" in s) this.onFinished12(s, msg);
        else this.onFinished(s, msg);
        return;
      case "traffic":
        if ("tls12" in s) {
          // RFC 5746 §4.5: renegotiation refused, with a warning the client may survive.
          check(
            msg.type === H.clientHello,
            "unexpected-message",
            `handshake message ${msg.type} after Finished`,
          );
          this.sendWarning(AlertDescription.noRenegotiation);
          return;
        }
        check(
          msg.type === H.keyUpdate,
          "unexpected-message",
          `handshake message ${msg.type} after Finished`,
        );
        this.onKeyUpdate(msg);
        return;
      case "expect-client-key-exchange":
        check(msg.type === 16, "unexpected-message", "expected ClientKeyExchange");
        this.onClientKeyExchange(s.hs, msg);
        return;
      case "expect-change-cipher-spec":
        throw new TlsError("unexpected-message", "expected change_cipher_spec");
    }
  }

  private onClientHello(msg: HandshakeMessage, retry: Retry | null): void {
    let ch: ClientHello;
    try {
      ch = decodeClientHello(msg.body);
    } catch (e) {
      if (e instanceof DuplicateExtension) throw new TlsError("illegal-parameter", e.message);
      throw e;
    }
    const ext = (t: number) => findExtension(ch.extensions, t);
    const versions = ext(X.supportedVersions);
    const offered = versions === undefined ? [] : decodeClientVersions(versions);
    if (!offered.includes(TLS13)) {
      // §4.2.1: no TLS 1.3 on offer. TLS 1.2 if the client has it (and we allow it), never below.
      const has12 =
        versions === undefined ? (ch.legacyVersion ?? 0) >= TLS12 : offered.includes(TLS12);
      check(
        has12 && this.scfg.tls12 !== false && retry === null,
        "protocol-version",
        "client offers neither TLS 1.3 nor 1.2",
      );
      this.hello12(ch, msg);
      return;
    }
    // §4.1.2: for TLS 1.3, exactly one compression method, null.
    check(
      ch.compressionMethods.length === 1 && ch.compressionMethods[0] === 0,
      "illegal-parameter",
      "compression",
    );
    const last = ch.extensions[ch.extensions.length - 1];
    const pskExt = ext(X.preSharedKey);
    // §4.2.11: pre_shared_key MUST be the last extension.
    check(
      pskExt === undefined || last?.type === X.preSharedKey,
      "illegal-parameter",
      "pre_shared_key not last",
    );

    const groupsExt = ext(X.supportedGroups);
    const sharesExt = ext(X.keyShare);
    // §9.2: supported_groups and key_share come together.
    check(
      (groupsExt === undefined) === (sharesExt === undefined),
      "missing-extension",
      "supported_groups without key_share",
    );
    check(
      groupsExt !== undefined && sharesExt !== undefined,
      "missing-extension",
      "no (EC)DHE offered",
    );
    const clientGroups = decodeU16List(groupsExt);
    const shares = decodeClientKeyShares(sharesExt);
    // §4.2.8: each share's group must be in supported_groups.
    for (const s of shares)
      check(clientGroups.includes(s.group), "illegal-parameter", "key share for an unlisted group");

    let suite: CipherSuite | undefined;
    if (retry) {
      check(
        equalBytes(ch.sessionId, retry.sessionId),
        "illegal-parameter",
        "session id changed after HRR",
      );
      check(ch.cipherSuites.includes(retry.suite.id), "illegal-parameter", "HRR suite dropped");
      check(
        shares.length === 1 && shares[0]?.group === retry.group,
        "illegal-parameter",
        "second ClientHello key share",
      );
      suite = retry.suite;
    } else {
      suite = this.suites.find((s) => ch.cipherSuites.includes(s.id));
      check(suite !== undefined, "handshake-failure", "no common cipher suite");
    }

    // The group: one the client sent a share for if possible, else HRR with one it supports.
    let share: KeyShareEntry | undefined;
    for (const g of this.groups) {
      if (!GROUPS.has(g) || !clientGroups.includes(g)) continue;
      share = shares.find((s) => s.group === g);
      if (share) break;
    }
    if (!share) {
      check(retry === null, "illegal-parameter", "no usable key share after HRR");
      const g = this.groups.find((x) => GROUPS.has(x) && clientGroups.includes(x));
      check(g !== undefined, "handshake-failure", "no common group");
      this.helloRetry(ch, msg, suite, g);
      return;
    }

    this.sni = null;
    const sniExt = ext(X.serverName);
    if (sniExt !== undefined) this.sni = decodeServerName(sniExt) ?? null;
    const alpnExt = ext(X.alpn);
    this.alpnProtocol = null;
    if (alpnExt !== undefined && this.cfg.alpn?.length) {
      const offered = decodeAlpn(alpnExt);
      const chosen = this.cfg.alpn.find((p) => offered.includes(p));
      check(chosen !== undefined, "no-application-protocol", "no common ALPN protocol");
      this.alpnProtocol = chosen;
    }
    const rslExt = ext(X.recordSizeLimit);
    if (rslExt !== undefined) {
      const limit = decodeRecordSizeLimit(rslExt);
      check(limit >= 64, "illegal-parameter", "record_size_limit below 64");
      this.rl.sendLimit = Math.min(1 << 14, limit - 1);
    }

    this.clientRandom = ch.random.slice();
    this.tr.add(msg.raw);
    // Resumption: a ticket we sealed, for this suite's hash, with a binder that verifies.
    let psk: Uint8Array | undefined;
    if (pskExt !== undefined) {
      const modesExt = ext(X.pskKeyExchangeModes);
      check(
        modesExt !== undefined,
        "missing-extension",
        "pre_shared_key without psk_key_exchange_modes",
      );
      if (decodePskModes(modesExt).includes(1)) psk = this.acceptPsk(pskExt, msg.raw, suite);
    }
    let scheme = 0;
    if (!psk) {
      const algsExt = ext(X.signatureAlgorithms);
      check(algsExt !== undefined, "missing-extension", "no signature_algorithms");
      const algs = decodeU16List(algsExt);
      const ours = this.scfg.credentials.schemes;
      const found = ours.find((s) => algs.includes(s) && TLS13_SIGNATURE_SCHEMES.includes(s));
      check(found !== undefined, "handshake-failure", "no common signature scheme");
      scheme = found;
    }

    const group = GROUPS.get(share.group);
    if (!group) throw new TlsError("internal-error", "group without implementation");
    this.suite = suite;
    this.groupCode = share.group;
    this.resumed = psk !== undefined;
    this.tr.start(suite.hash);
    const random = this.random(32);
    let pair = null;
    for (;;) {
      const priv = this.random(group === "p384" ? 48 : 32);
      const pub = this.c.ecdhPublicKey(group, priv);
      if (pub) {
        pair = { priv, pub };
        break;
      }
    }
    const ecdhe = this.c.ecdhSharedSecret(group, pair.priv, share.key);
    check(ecdhe !== null, "illegal-parameter", "invalid client key share");

    const shExts: Extension[] = [];
    if (psk) shExts.push({ type: X.preSharedKey, data: encodeU16(0) });
    shExts.push({
      type: X.keyShare,
      data: encodeServerKeyShare({ group: share.group, key: pair.pub }),
    });
    shExts.push({ type: X.supportedVersions, data: encodeU16(TLS13) });
    const sh = encodeServerHello({
      random,
      sessionId: ch.sessionId,
      cipherSuite: suite.id,
      compressionMethod: 0,
      extensions: shExts,
    });
    this.tr.add(sh);
    this.sendHandshake(sh);
    this.flush();
    // §D.4: a change_cipher_spec after the first flight when the client is in compatibility mode.
    if (ch.sessionId.length > 0 && !retry) this.sendCcs();

    const early = earlySecret(this.c, suite, psk);
    const hs = handshakeSecret(this.c, suite, early, ecdhe);
    let th = this.tr.hash();
    const clientHs = deriveSecret(this.c, suite, hs, "c hs traffic", th);
    const serverHs = deriveSecret(this.c, suite, hs, "s hs traffic", th);
    this.logSecret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientHs);
    this.logSecret("SERVER_HANDSHAKE_TRAFFIC_SECRET", serverHs);
    this.setWriteSecret(suite, serverHs);
    this.setReadSecret(suite, clientHs);

    const ee: Extension[] = [{ type: X.supportedGroups, data: encodeU16ListExt(this.groups) }];
    if (rslExt !== undefined) {
      const ours = this.cfg.recordSizeLimit ?? 16385;
      ee.push({ type: X.recordSizeLimit, data: encodeU16(ours) });
    }
    // RFC 6066 §3: an empty server_name when the name was used; not when resuming.
    if (this.sni !== null && !psk) ee.push({ type: X.serverName, data: new Uint8Array(0) });
    if (this.alpnProtocol !== null)
      ee.push({ type: X.alpn, data: encodeAlpn([this.alpnProtocol]) });
    this.sendAndHash(encodeEncryptedExtensions(ee));
    if (!psk) {
      const creds = this.scfg.credentials;
      this.sendAndHash(
        encodeCertificate({ context: new Uint8Array(0), certificates: creds.chain }),
      );
      const signature = creds.sign(scheme, signedContent("server", this.tr.hash()));
      this.sendAndHash(encodeCertificateVerify(scheme, signature));
    }
    this.sendAndHash(encodeFinished(finishedMac(this.c, suite, serverHs, this.tr.hash())));
    const master = masterSecret(this.c, suite, hs);
    th = this.tr.hash();
    const clientAp = deriveSecret(this.c, suite, master, "c ap traffic", th);
    const serverAp = deriveSecret(this.c, suite, master, "s ap traffic", th);
    this.logSecret("CLIENT_TRAFFIC_SECRET_0", clientAp);
    this.logSecret("SERVER_TRAFFIC_SECRET_0", serverAp);
    this.logSecret("EXPORTER_SECRET", deriveSecret(this.c, suite, master, "exp master", th));
    // The flight goes under the handshake key; what follows (tickets, data) under s ap traffic.
    this.setWriteSecret(suite, serverAp);
    this.state = { name: "expect-finished", suite, clientHs, clientAp, serverAp, master };
  }

  private sendAndHash(raw: Uint8Array): void {
    this.tr.add(raw);
    this.sendHandshake(raw);
  }

  private helloRetry(
    ch: ClientHello,
    msg: HandshakeMessage,
    suite: CipherSuite,
    group: number,
  ): void {
    this.tr.add(msg.raw);
    this.tr.replaceWithMessageHash(suite.hash);
    const hrr = encodeServerHello({
      random: HRR_RANDOM,
      sessionId: ch.sessionId,
      cipherSuite: suite.id,
      compressionMethod: 0,
      extensions: [
        { type: X.keyShare, data: encodeU16(group) },
        { type: X.supportedVersions, data: encodeU16(TLS13) },
      ],
    });
    this.tr.add(hrr);
    this.sendHandshake(hrr);
    this.flush();
    if (ch.sessionId.length > 0) this.sendCcs();
    this.state = {
      name: "expect-second-client-hello",
      retry: { suite, group, sessionId: ch.sessionId.slice() },
    };
  }

  /** The PSK of the first identity if it is ours, fresh and for `suite`'s hash (§4.2.11). */
  private acceptPsk(
    pskExt: Uint8Array,
    chRaw: Uint8Array,
    suite: CipherSuite,
  ): Uint8Array | undefined {
    const key = this.scfg.ticketKey;
    const offer = decodeOfferedPsks(pskExt);
    const first = offer.identities[0];
    if (!key || !first) return undefined;
    const state = openTicket(this.c, key, first.identity);
    if (!state) return undefined;
    const ticketSuite = suiteById(state.suite);
    if (!ticketSuite || ticketSuite.hash !== suite.hash) return undefined;
    if (this.nowMs() - state.issuedMs > state.lifetimeS * 1000) return undefined;
    if (state.sni !== (this.sni ?? "")) return undefined;
    // §4.2.11.2: the binder covers the ClientHello up to the binders list.
    const truncated = chRaw.subarray(0, chRaw.length - offer.bindersLength);
    // The transcript already holds this ClientHello: hash what preceded it, then the truncation.
    const prefix = this.tr.hashWithout(suite.hash, chRaw, truncated);
    const early = earlySecret(this.c, suite, state.psk);
    const expected = finishedMac(this.c, suite, binderKey(this.c, suite, early), prefix);
    check(
      equalBytesConstantTime(expected, offer.binders[0] as Uint8Array),
      "decrypt-error",
      "PSK binder does not verify",
    );
    return state.psk;
  }

  private onFinished(
    s: Exclude<Extract<ServerState, { name: "expect-finished" }>, { tls12: true }>,
    msg: HandshakeMessage,
  ): void {
    const { suite } = s;
    check(msg.body.length === suite.hashLength, "decode-error", "Finished of wrong length");
    const expected = finishedMac(this.c, suite, s.clientHs, this.tr.hash());
    check(
      equalBytesConstantTime(expected, msg.body),
      "decrypt-error",
      "client Finished does not verify",
    );
    const proof = ClientFinishedVerified.make();
    this.tr.add(msg.raw);
    const resumptionMaster = deriveSecret(this.c, suite, s.master, "res master", this.tr.hash());
    this.openTraffic(suite, s.clientAp, s.serverAp, false);
    this.state = { name: "traffic", suite, proof };
    this.handshakeComplete();
    this.issueTickets(suite, resumptionMaster);
  }

  // ---- TLS 1.2 (RFC 5246, RFC 8422, RFC 7627, RFC 5746) ----

  private hello12(ch: ClientHello, msg: HandshakeMessage): void {
    const ext = (t: number) => findExtension(ch.extensions, t);
    // RFC 7627 §5.3: we require the extended master secret (no triple handshake).
    check(
      ext(X.extendedMasterSecret) !== undefined,
      "handshake-failure",
      "TLS 1.2 without extended_master_secret",
    );
    // RFC 5746 §3.6: secure renegotiation indication, empty on a first handshake.
    const reneg = ext(X.renegotiationInfo);
    check(
      reneg !== undefined || ch.cipherSuites.includes(RENEGOTIATION_SCSV),
      "handshake-failure",
      "no renegotiation_info",
    );
    check(
      reneg === undefined || (reneg.length === 1 && reneg[0] === 0),
      "handshake-failure",
      "renegotiated_connection not empty",
    );
    check(ch.compressionMethods.includes(0), "illegal-parameter", "no null compression");
    const creds = this.scfg.credentials;
    const auth = creds.schemes.some((x) => (x & 0xff) === 3)
      ? "ecdsa"
      : creds.schemes.some((x) => x >> 8 === 8 && (x & 0xff) <= 6)
        ? "rsa"
        : null;
    const suite = this.suites12.find((x) => x.auth === auth && ch.cipherSuites.includes(x.id));
    check(suite !== undefined, "handshake-failure", "no common TLS 1.2 suite");
    const groupsExt = ext(X.supportedGroups);
    check(groupsExt !== undefined, "handshake-failure", "TLS 1.2 without supported_groups");
    const clientGroups = decodeU16List(groupsExt);
    const groupCode = this.groups.find((g) => GROUPS.has(g) && clientGroups.includes(g));
    check(groupCode !== undefined, "handshake-failure", "no common group");
    // RFC 8422 §5.1.1: in TLS 1.2 supported_groups also bounds the certificate's curve.
    if (auth === "ecdsa") {
      const curve = creds.schemes.includes(SignatureScheme.ecdsaSecp384r1Sha384) ? 0x0018 : 0x0017;
      check(
        clientGroups.includes(curve),
        "handshake-failure",
        "client does not accept our certificate's curve",
      );
    }
    const formats = ext(X.ecPointFormats);
    // RFC 8422 §5.1.2: uncompressed points must be on the list.
    check(
      formats === undefined || [...formats.subarray(1)].includes(0),
      "illegal-parameter",
      "no uncompressed points",
    );
    const algsExt = ext(X.signatureAlgorithms);
    check(algsExt !== undefined, "handshake-failure", "TLS 1.2 without signature_algorithms");
    const algs = decodeU16List(algsExt);
    const scheme = creds.schemes.find((x) => algs.includes(x));
    check(scheme !== undefined, "handshake-failure", "no common signature scheme");
    const sniExt = ext(X.serverName);
    this.sni = sniExt === undefined ? null : (decodeServerName(sniExt) ?? null);
    const alpnExt = ext(X.alpn);
    this.alpnProtocol = null;
    if (alpnExt !== undefined && this.cfg.alpn?.length) {
      const offeredAlpn = decodeAlpn(alpnExt);
      const chosen = this.cfg.alpn.find((p) => offeredAlpn.includes(p));
      check(chosen !== undefined, "no-application-protocol", "no common ALPN protocol");
      this.alpnProtocol = chosen;
    }

    this.tls12 = true;
    this.rl.tls12 = true;
    this.suite = suite;
    this.groupCode = groupCode;
    this.clientRandom = ch.random.slice();
    this.tr.add(msg.raw);
    this.tr.start(suite.hash);
    // RFC 8446 §4.1.3: a TLS 1.3 server settling for 1.2 says so in its random.
    const serverRandom = new Uint8Array(32);
    serverRandom.set(this.random(24));
    serverRandom.set(DOWNGRADE_TLS12, 24);
    const group = GROUPS.get(groupCode) as EcdhGroup;
    let pair: { priv: Uint8Array; pub: Uint8Array } | null = null;
    while (!pair) {
      const priv = this.random(group === "p384" ? 48 : 32);
      const pub = this.c.ecdhPublicKey(group, priv);
      if (pub) pair = { priv, pub };
    }
    const shExts: Extension[] = [
      { type: X.renegotiationInfo, data: Uint8Array.of(0) },
      { type: X.extendedMasterSecret, data: new Uint8Array(0) },
    ];
    if (formats !== undefined) shExts.push({ type: X.ecPointFormats, data: Uint8Array.of(1, 0) });
    if (this.alpnProtocol !== null)
      shExts.push({ type: X.alpn, data: encodeAlpn([this.alpnProtocol]) });
    this.sendAndHash(
      encodeServerHello({
        random: serverRandom,
        sessionId: new Uint8Array(0),
        cipherSuite: suite.id,
        compressionMethod: 0,
        extensions: shExts,
      }),
    );
    this.sendAndHash(encodeCertificate12(creds.chain));
    const params = ecdheParams(groupCode, pair.pub);
    const signed = new Uint8Array(64 + params.length);
    signed.set(ch.random);
    signed.set(serverRandom, 32);
    signed.set(params, 64);
    this.sendAndHash(encodeServerKeyExchange(params, scheme, creds.sign(scheme, signed)));
    this.sendAndHash(handshake(14, () => {})); // ServerHelloDone
    this.flush();
    this.state = {
      name: "expect-client-key-exchange",
      hs: { suite, group, privateKey: pair.priv, serverRandom },
    };
  }

  private onClientKeyExchange(hs: Hs12, msg: HandshakeMessage): void {
    const point = decodeClientKeyExchange(msg.body);
    const pms = this.c.ecdhSharedSecret(hs.group, hs.privateKey, point);
    check(pms !== null, "illegal-parameter", "invalid client key share");
    this.tr.add(msg.raw);
    // RFC 7627 §4: master_secret = PRF(pms, "extended master secret", session_hash).
    const master = prf(this.c, hs.suite.hash, pms, "extended master secret", this.tr.hash(), 48);
    this.logSecret("CLIENT_RANDOM", master);
    const keys = keyBlock(this.c, hs.suite, master, this.clientRandom, hs.serverRandom);
    this.state = { name: "expect-change-cipher-spec", hs, master, keys };
  }

  protected override onChangeCipherSpec12(): void {
    const s = this.state;
    check(
      s.name === "expect-change-cipher-spec",
      "unexpected-message",
      "change_cipher_spec out of place",
    );
    this.setReadKeys12(s.keys.client);
    this.state = { name: "expect-finished", tls12: true, hs: s.hs, master: s.master, keys: s.keys };
  }

  private onFinished12(
    s: Extract<ServerState, { tls12: true; name: "expect-finished" }>,
    msg: HandshakeMessage,
  ): void {
    const { suite } = s.hs;
    check(msg.body.length === 12, "decode-error", "Finished of wrong length");
    const expected = prf(this.c, suite.hash, s.master, "client finished", this.tr.hash(), 12);
    check(
      equalBytesConstantTime(expected, msg.body),
      "decrypt-error",
      "client Finished does not verify",
    );
    const proof = ClientFinishedVerified.make();
    this.tr.add(msg.raw);
    this.sendCcs();
    this.setWriteKeys12(s.keys.server);
    this.sendHandshake(
      encodeFinished(prf(this.c, suite.hash, s.master, "server finished", this.tr.hash(), 12)),
    );
    this.flush();
    this.state = { name: "traffic", tls12: true, proof };
    this.handshakeComplete();
  }

  /** NewSessionTicket (§4.6.1) after a full handshake, if a ticket key is set. */
  private issueTickets(suite: CipherSuite, resumptionMaster: Uint8Array): void {
    const key = this.scfg.ticketKey;
    if (!key || this.resumed) return;
    const lifetimeS = Math.min(this.scfg.ticketLifetimeS ?? 7200, 604800);
    const count = this.scfg.ticketCount ?? 1;
    for (let i = 0; i < count; i++) {
      const nonce = Uint8Array.of(i);
      const a = this.random(4);
      const ageAdd =
        (((a[0] as number) << 24) |
          ((a[1] as number) << 16) |
          ((a[2] as number) << 8) |
          (a[3] as number)) >>>
        0;
      const ticket = sealTicket(this.c, key, this.random(12), {
        suite: suite.id,
        issuedMs: this.nowMs(),
        ageAdd,
        lifetimeS,
        psk: resumptionPsk(this.c, suite, resumptionMaster, nonce),
        alpn: this.alpnProtocol ?? "",
        sni: this.sni ?? "",
      });
      this.sendHandshake(
        encodeNewSessionTicket({ lifetime: lifetimeS, ageAdd, nonce, ticket, extensions: [] }),
      );
    }
  }
}
