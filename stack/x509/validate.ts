/**
 * Certification path building and validation (RFC 5280 §6.1), then the service identity
 * check (RFC 9525). The caller injects the time, the trust anchors and the crypto provider;
 * building is bounded by a depth limit and a work limit (signature checks and candidate
 * issuers tried), so a hostile peer cannot make it loop or run long.
 *
 * Success returns a `ValidatedChain`, which only this module can make: code that needs a
 * validated peer (the TLS engine) takes one, so it cannot skip validation by mistake.
 */

import { OID } from "../asn1/index.ts";
import { equalBytes } from "../bytes/index.ts";
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from "../crypto/provider.ts";
import type { Certificate } from "./certificate.ts";
import type { GeneralName } from "./general-name.ts";
import { certificateMatchesHost, referenceIdentity } from "./hostname.ts";
import { nameEquals, nameToString } from "./name.ts";
import { nameConstraintViolation } from "./name-constraints.ts";

/** Why a chain was not accepted: a closed set the TLS engine maps to alerts. */
export type ValidationFailureCode =
  /** The current time is after a certificate's notAfter. */
  | "expired"
  /** The current time is before a certificate's notBefore. */
  | "not-yet-valid"
  /** No path leads to a trust anchor. */
  | "unknown-ca"
  /** A signature does not verify under its issuer's key. */
  | "bad-signature"
  /** A signature or key algorithm this library does not support (SHA-1, DSA, P-521, ...). */
  | "unsupported-algorithm"
  /** The leaf is not for the host the client asked for (RFC 9525). */
  | "name-mismatch"
  /** extKeyUsage present without the purpose asked for (RFC 5280 §4.2.1.12). */
  | "missing-eku"
  /** keyUsage present without the bit the use needs (keyCertSign on CAs, digitalSignature on TLS leaves). */
  | "bad-key-usage"
  /** A name outside a CA's permitted subtrees or inside its excluded ones (§4.2.1.10). */
  | "name-constraint-violation"
  /** A CA's pathLenConstraint, or the depth limit, is exceeded (§4.2.1.9). */
  | "path-too-long"
  /** A certificate that signs another is not a CA (basicConstraints cA false or absent, §4.2.1.9). */
  | "not-a-ca"
  /** A critical extension this library does not process (§4.2). */
  | "unsupported-critical-extension"
  /** Path building gave up after its work limit. */
  | "work-limit-exceeded"
  /** No certificate was given. */
  | "no-certificate";

export interface ValidationFailure {
  readonly code: ValidationFailureCode;
  readonly message: string;
  /** Position in the path where it failed: 0 is the leaf. */
  readonly depth: number;
  /** Subject of the certificate at fault (RFC 4514 form). */
  readonly subject: string;
}

export type Purpose = "serverAuth" | "clientAuth";

export interface ValidationOptions {
  /** Trust anchors: certificates whose keys and names are trusted as given. */
  readonly roots: readonly Certificate[];
  /** Other certificates the peer sent (in any order); the leaf is not among them. */
  readonly intermediates?: readonly Certificate[];
  /** The current time, in milliseconds since the epoch (injected: the library reads no clock). */
  readonly now: number;
  /** The host the client connected to (DNS name or IP literal); omitted for client certificates. */
  readonly host?: string;
  /** The extended key usage the leaf must allow (default serverAuth). */
  readonly purpose?: Purpose;
  /** Most intermediate certificates in a path (default 6). */
  readonly maxIntermediates?: number;
  /** Most signature checks during building (default 32). */
  readonly maxSignatureChecks?: number;
  /** Verifies signatures (only `verify` is used). */
  readonly provider: Pick<CryptoProvider, "verify">;
}

declare const validated: unique symbol;

/** Proof of validation: the path from the leaf to the anchor. Only `validateChain` makes one. */
export interface ValidatedChain {
  readonly [validated]: true;
  /** Leaf first, trust anchor last. */
  readonly path: readonly Certificate[];
  readonly leaf: Certificate;
  readonly anchor: Certificate;
  /** The leaf's key, for the TLS CertificateVerify check. */
  readonly leafKey: PublicKey;
}

export type ValidationResult =
  | { ok: true; value: ValidatedChain }
  | { ok: false; error: ValidationFailure };

const PURPOSE_OID: Record<Purpose, string> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
};

class Failure {
  constructor(
    readonly code: ValidationFailureCode,
    readonly message: string,
    readonly depth: number,
    readonly cert: Certificate,
  ) {}
  toError(): ValidationFailure {
    return {
      code: this.code,
      message: this.message,
      depth: this.depth,
      subject: nameToString(this.cert.subject),
    };
  }
}

/** The work limit: signature checks left, and the answers so far (each pair is checked once). */
interface Budget {
  checks: number;
  verified: Map<Certificate, Map<Certificate, boolean>>;
}

function checkSignature(
  provider: Pick<CryptoProvider, "verify">,
  budget: Budget,
  cert: Certificate,
  issuer: Certificate,
  depth: number,
): Failure | undefined {
  const alg: SignatureAlgorithm | undefined = cert.signatureAlgorithm;
  if (alg === undefined)
    return new Failure(
      "unsupported-algorithm",
      `signature algorithm ${cert.signatureAlgorithmId.algorithm}`,
      depth,
      cert,
    );
  if (issuer.publicKey === undefined)
    return new Failure(
      "unsupported-algorithm",
      `the issuer's key algorithm ${issuer.publicKeyAlgorithm}`,
      depth,
      cert,
    );
  let byIssuer = budget.verified.get(cert);
  if (byIssuer === undefined) {
    byIssuer = new Map();
    budget.verified.set(cert, byIssuer);
  }
  let ok = byIssuer.get(issuer);
  if (ok === undefined) {
    if (budget.checks <= 0)
      return new Failure(
        "work-limit-exceeded",
        "too many signature checks while building the path",
        depth,
        cert,
      );
    budget.checks--;
    ok = provider.verify(alg, issuer.publicKey, cert.tbsDer, cert.signature);
    byIssuer.set(issuer, ok);
  }
  return ok
    ? undefined
    : new Failure("bad-signature", "signature does not verify under the issuer's key", depth, cert);
}

function isSelfIssued(c: Certificate): boolean {
  return nameEquals(c.subject, c.issuer);
}

/** Could `issuer` have issued `cert`? Names match and, when both are present, key identifiers. */
function couldIssue(issuer: Certificate, cert: Certificate): boolean {
  if (!nameEquals(issuer.subject, cert.issuer)) return false;
  const aki = cert.extensions.authorityKeyIdentifier;
  const ski = issuer.extensions.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || equalBytes(aki, ski);
}

/** The names name constraints apply to: the subject DN (if not empty) and the SAN entries. */
function constrainedNames(c: Certificate): GeneralName[] {
  const out: GeneralName[] = [];
  if (c.subject.rdns.length > 0) out.push({ type: "directoryName", value: c.subject });
  out.push(...(c.extensions.subjectAltName ?? []));
  return out;
}

/**
 * Checks a complete candidate path (leaf first, anchor last) per RFC 5280 §6.1, except the
 * signatures, which building already checked.
 */
function checkPath(path: readonly Certificate[], opts: ValidationOptions): Failure | undefined {
  const n = path.length;
  const anchor = path[n - 1] as Certificate;
  const purpose = PURPOSE_OID[opts.purpose ?? "serverAuth"];
  // Times, for every certificate including the anchor (as OpenSSL and browsers do).
  for (let i = 0; i < n; i++) {
    const c = path[i] as Certificate;
    if (opts.now < c.notBefore)
      return new Failure(
        "not-yet-valid",
        `valid from ${new Date(c.notBefore).toISOString()}`,
        i,
        c,
      );
    if (opts.now > c.notAfter)
      return new Failure("expired", `expired at ${new Date(c.notAfter).toISOString()}`, i, c);
  }
  // From the anchor down (§6.1.3-6.1.4): pathLen, CA bits, key usage, EKU, name constraints.
  let maxPathLength =
    anchor.extensions.basicConstraints?.pathLenConstraint ?? Number.POSITIVE_INFINITY;
  const constraints: {
    nc: NonNullable<Certificate["extensions"]["nameConstraints"]>;
    from: number;
  }[] = [];
  if (anchor.extensions.nameConstraints !== undefined)
    constraints.push({ nc: anchor.extensions.nameConstraints, from: n - 1 });
  for (let i = n - 1; i >= 0; i--) {
    const c = path[i] as Certificate;
    const isAnchor = i === n - 1;
    const isLeaf = i === 0;
    if ((!isAnchor || isLeaf) && c.extensions.unhandledCritical.length > 0) {
      return new Failure(
        "unsupported-critical-extension",
        `critical extension ${c.extensions.unhandledCritical.join(", ")}`,
        i,
        c,
      );
    }
    // Name constraints of every CA above apply, except to self-issued intermediates (§6.1.3 (b)).
    if (!isAnchor && (isLeaf || !isSelfIssued(c))) {
      for (const { nc } of constraints) {
        const why = nameConstraintViolation(constrainedNames(c), nc);
        if (why !== undefined) return new Failure("name-constraint-violation", why, i, c);
      }
    }
    if (!isLeaf) {
      // c issues path[i - 1]: it must be a CA allowed to sign certificates (§6.1.4 (k), (n)).
      const bc = c.extensions.basicConstraints;
      const legacyV1Anchor = isAnchor && c.version === 1;
      if (!legacyV1Anchor && (bc === undefined || !bc.cA))
        return new Failure("not-a-ca", "basicConstraints does not say cA", i, c);
      if (c.extensions.keyUsage !== undefined && !c.extensions.keyUsage.has("keyCertSign")) {
        return new Failure("bad-key-usage", "keyUsage without keyCertSign", i, c);
      }
      if (!isAnchor) {
        // §6.1.4 (l), (m).
        if (!isSelfIssued(c)) {
          if (maxPathLength <= 0)
            return new Failure(
              "path-too-long",
              "a CA above allows no more intermediates (pathLenConstraint)",
              i,
              c,
            );
          maxPathLength--;
        }
        const pl = bc?.pathLenConstraint;
        if (pl !== undefined && pl < maxPathLength) maxPathLength = pl;
        if (c.extensions.nameConstraints !== undefined)
          constraints.push({ nc: c.extensions.nameConstraints, from: i });
      }
    }
    // extKeyUsage: the leaf's must allow the purpose; a CA's, when present, too (as OpenSSL does).
    const eku = c.extensions.extKeyUsage;
    if (
      (!isAnchor || isLeaf) &&
      eku !== undefined &&
      !eku.includes(purpose) &&
      !eku.includes(OID.anyExtendedKeyUsage)
    ) {
      return new Failure("missing-eku", `extKeyUsage lacks ${opts.purpose ?? "serverAuth"}`, i, c);
    }
  }
  const leaf = path[0] as Certificate;
  if (leaf.extensions.keyUsage !== undefined && !leaf.extensions.keyUsage.has("digitalSignature")) {
    return new Failure(
      "bad-key-usage",
      "TLS needs digitalSignature in the leaf's keyUsage",
      0,
      leaf,
    );
  }
  if (leaf.publicKey === undefined)
    return new Failure(
      "unsupported-algorithm",
      `leaf key algorithm ${leaf.publicKeyAlgorithm}`,
      0,
      leaf,
    );
  return undefined;
}

/** Ranks failures so the most telling one is reported when several paths fail. */
function rank(f: Failure): number {
  // Giving up at the work limit ends the search, so it is the answer once it happens.
  return f.code === "unknown-ca" ? 0 : f.code === "work-limit-exceeded" ? 1_000 : 1 + f.depth;
}

/**
 * Builds a path from `leaf` to a trust anchor and validates it (RFC 5280 §6.1), then checks
 * the host (RFC 9525) when one is given. Candidate issuers are tried depth first, anchors
 * before intermediates; the first path that validates wins.
 */
export function validateChain(
  leaf: Certificate | undefined,
  opts: ValidationOptions,
): ValidationResult {
  if (leaf === undefined) {
    return {
      ok: false,
      error: {
        code: "no-certificate",
        message: "the peer sent no certificate",
        depth: 0,
        subject: "",
      },
    };
  }
  const maxIntermediates = opts.maxIntermediates ?? 6;
  const budget: Budget = { checks: opts.maxSignatureChecks ?? 32, verified: new Map() };
  const intermediates = opts.intermediates ?? [];
  let best: Failure = new Failure("unknown-ca", "no path to a trust anchor", 0, leaf);
  const note = (f: Failure) => {
    if (rank(f) > rank(best)) best = f;
  };

  const extend = (path: Certificate[]): Certificate[] | undefined => {
    const last = path[path.length - 1] as Certificate;
    const depth = path.length - 1;
    for (const root of opts.roots) {
      if (equalBytes(root.der, last.der)) {
        // The certificate is itself a trust anchor (a directly trusted or self-signed one).
        const f = checkPath(path, opts);
        if (f === undefined) return path;
        note(f);
        return undefined;
      }
    }
    for (const root of opts.roots) {
      if (!couldIssue(root, last)) continue;
      const sig = checkSignature(opts.provider, budget, last, root, depth);
      if (sig !== undefined) {
        note(sig);
        continue;
      }
      const full = [...path, root];
      const f = checkPath(full, opts);
      if (f === undefined) return full;
      note(f);
    }
    if (path.length - 1 >= maxIntermediates) {
      if (intermediates.some((c) => couldIssue(c, last)))
        note(
          new Failure("path-too-long", `more than ${maxIntermediates} intermediates`, depth, last),
        );
      return undefined;
    }
    for (const ca of intermediates) {
      if (!couldIssue(ca, last) || path.some((p) => equalBytes(p.der, ca.der))) continue;
      const sig = checkSignature(opts.provider, budget, last, ca, depth);
      if (sig !== undefined) {
        note(sig);
        if (sig.code === "work-limit-exceeded") return undefined;
        continue;
      }
      const found = extend([...path, ca]);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const path = extend([leaf]);
  if (path === undefined) return { ok: false, error: best.toError() };
  if (opts.host !== undefined) {
    if (referenceIdentity(opts.host) === undefined || !certificateMatchesHost(leaf, opts.host)) {
      return {
        ok: false,
        error: new Failure(
          "name-mismatch",
          `certificate is not for ${opts.host}`,
          0,
          leaf,
        ).toError(),
      };
    }
  }
  const chain = {
    path,
    leaf,
    anchor: path[path.length - 1] as Certificate,
    leafKey: leaf.publicKey as PublicKey,
  } as unknown as ValidatedChain;
  return { ok: true, value: chain };
}
