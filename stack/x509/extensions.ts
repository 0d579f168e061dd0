/**
 * Certificate extensions (RFC 5280 §4.2). The ones path validation needs are decoded:
 * basicConstraints, keyUsage, extKeyUsage, subjectAltName, nameConstraints, AKI and SKI.
 * Others are kept raw; an unknown one marked critical is recorded, and validation refuses the
 * certificate (§4.2: "A certificate-using system MUST reject the certificate if it encounters
 * a critical extension it does not recognize").
 */
import {
  boolean,
  decodeDer,
  implicit,
  integer,
  namedBits,
  namedBitsLenient,
  OID,
  octetString,
  oid,
  optional,
  type Result,
  sequence,
  sequenceOf,
  smallInteger,
  withDefault,
} from "../asn1/index.ts";
import { type ParseResult, parseFail } from "./errors.ts";
import { type GeneralName, GeneralNameCodec, GeneralNamesCodec } from "./general-name.ts";

export const ExtensionCodec = sequence("Extension", {
  extnID: oid,
  critical: withDefault(boolean, false),
  extnValue: octetString,
});

export interface RawExtension {
  readonly extnID: string;
  readonly critical: boolean;
  readonly extnValue: Uint8Array;
}

export const ExtensionsCodec = sequenceOf(ExtensionCodec, { min: 1, max: 256 });

/** keyUsage bits (RFC 5280 §4.2.1.3), by bit number. */
export const KEY_USAGE = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsage = (typeof KEY_USAGE)[number];

export const BasicConstraintsCodec = sequence("BasicConstraints", {
  cA: withDefault(boolean, false),
  // RFC 5280 §4.2.1.9: pathLenConstraint INTEGER (0..MAX); more than 255 is never meaningful.
  pathLenConstraint: optional(smallInteger(0, 1 << 20)),
});

export const ExtKeyUsageCodec = sequenceOf(oid, { min: 1, max: 256 });

export const GeneralSubtreeCodec = sequence("GeneralSubtree", {
  base: GeneralNameCodec,
  minimum: withDefault(implicit(0, smallInteger(0, 1 << 20)), 0),
  maximum: optional(implicit(1, smallInteger(0, 1 << 20))),
});

export const NameConstraintsCodec = sequence("NameConstraints", {
  permittedSubtrees: optional(implicit(0, sequenceOf(GeneralSubtreeCodec, { min: 1, max: 1024 }))),
  excludedSubtrees: optional(implicit(1, sequenceOf(GeneralSubtreeCodec, { min: 1, max: 1024 }))),
});

export const AuthorityKeyIdentifierCodec = sequence("AuthorityKeyIdentifier", {
  keyIdentifier: optional(implicit(0, octetString)),
  authorityCertIssuer: optional(implicit(1, GeneralNamesCodec)),
  authorityCertSerialNumber: optional(implicit(2, integer)),
});

export interface NameConstraints {
  readonly permitted: readonly GeneralName[] | undefined;
  readonly excluded: readonly GeneralName[] | undefined;
}

/** What a certificate's extensions say, decoded. Absent extensions are `undefined`. */
export interface Extensions {
  readonly basicConstraints:
    | { readonly cA: boolean; readonly pathLenConstraint: number | undefined }
    | undefined;
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectAltName: readonly GeneralName[] | undefined;
  readonly nameConstraints: NameConstraints | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  /** OIDs of critical extensions this library does not process. */
  readonly unhandledCritical: readonly string[];
  /** Every extension as it appeared. */
  readonly raw: readonly RawExtension[];
}

export const NO_EXTENSIONS: Extensions = {
  basicConstraints: undefined,
  keyUsage: undefined,
  extKeyUsage: undefined,
  subjectAltName: undefined,
  nameConstraints: undefined,
  authorityKeyIdentifier: undefined,
  subjectKeyIdentifier: undefined,
  unhandledCritical: [],
  raw: [],
};

function inner<T>(ext: RawExtension, r: Result<T>): ParseResult<T> {
  if (r.ok) return r;
  return parseFail("bad-extension", `${ext.extnID}: ${r.error.message}`, r.error.offset);
}

/** Decodes a certificate's extension list. */
export function decodeExtensions(raw: readonly RawExtension[]): ParseResult<Extensions> {
  const seen = new Set<string>();
  const out: { -readonly [K in keyof Extensions]: Extensions[K] } = {
    ...NO_EXTENSIONS,
    unhandledCritical: [],
    raw,
  };
  const unhandled: string[] = [];
  for (const ext of raw) {
    if (seen.has(ext.extnID))
      return parseFail(
        "duplicate-extension",
        `extension ${ext.extnID} appears twice (RFC 5280 §4.2)`,
      );
    seen.add(ext.extnID);
    const v = ext.extnValue;
    switch (ext.extnID) {
      case OID.basicConstraints: {
        const r = inner(ext, decodeDer(BasicConstraintsCodec, v));
        if (!r.ok) return r;
        out.basicConstraints = r.value;
        break;
      }
      case OID.keyUsage: {
        // Lenient about trailing zero bits: real trusted roots have them (see namedBitsLenient).
        const r = inner(ext, decodeDer(namedBitsLenient, v));
        if (!r.ok) return r;
        // §4.2.1.3: when present, at least one bit MUST be set.
        if (r.value.size === 0) return parseFail("bad-extension", "keyUsage with no bit set");
        out.keyUsage = new Set(
          [...r.value].filter((b) => b < KEY_USAGE.length).map((b) => KEY_USAGE[b] as KeyUsage),
        );
        break;
      }
      case OID.extKeyUsage: {
        const r = inner(ext, decodeDer(ExtKeyUsageCodec, v));
        if (!r.ok) return r;
        out.extKeyUsage = r.value;
        break;
      }
      case OID.subjectAltName: {
        const r = inner(ext, decodeDer(GeneralNamesCodec, v));
        if (!r.ok) return r;
        out.subjectAltName = r.value as GeneralName[];
        break;
      }
      case OID.nameConstraints: {
        const r = inner(ext, decodeDer(NameConstraintsCodec, v));
        if (!r.ok) return r;
        const { permittedSubtrees: p, excludedSubtrees: x } = r.value;
        // §4.2.1.10: minimum MUST be zero and maximum MUST be absent; at least one list present.
        for (const s of [...(p ?? []), ...(x ?? [])]) {
          if (s.minimum !== 0 || s.maximum !== undefined)
            return parseFail("bad-extension", "nameConstraints with minimum or maximum");
        }
        if (p === undefined && x === undefined)
          return parseFail("bad-extension", "empty nameConstraints");
        out.nameConstraints = {
          permitted: p?.map((s) => s.base as GeneralName),
          excluded: x?.map((s) => s.base as GeneralName),
        };
        break;
      }
      case OID.authorityKeyIdentifier: {
        const r = inner(ext, decodeDer(AuthorityKeyIdentifierCodec, v));
        if (!r.ok) return r;
        out.authorityKeyIdentifier = r.value.keyIdentifier;
        break;
      }
      case OID.subjectKeyIdentifier: {
        const r = inner(ext, decodeDer(octetString, v));
        if (!r.ok) return r;
        out.subjectKeyIdentifier = r.value;
        break;
      }
      default:
        if (ext.critical) unhandled.push(ext.extnID);
    }
  }
  out.unhandledCritical = unhandled;
  return { ok: true, value: out };
}

/** Encoders for the extensions certificate creation writes. */
export function basicConstraintsExtension(cA: boolean, pathLen?: number): RawExtension {
  return {
    extnID: OID.basicConstraints,
    critical: true,
    extnValue: BasicConstraintsCodec.encode({ cA, pathLenConstraint: pathLen }),
  };
}

export function keyUsageExtension(usages: readonly KeyUsage[]): RawExtension {
  return {
    extnID: OID.keyUsage,
    critical: true,
    extnValue: namedBits.encode(new Set(usages.map((u) => KEY_USAGE.indexOf(u)))),
  };
}

export function extKeyUsageExtension(oids: readonly string[]): RawExtension {
  return {
    extnID: OID.extKeyUsage,
    critical: false,
    extnValue: ExtKeyUsageCodec.encode([...oids]),
  };
}

export function subjectAltNameExtension(
  names: readonly GeneralName[],
  critical = false,
): RawExtension {
  return {
    extnID: OID.subjectAltName,
    critical,
    extnValue: GeneralNamesCodec.encode(names as never),
  };
}

export function subjectKeyIdentifierExtension(id: Uint8Array): RawExtension {
  return { extnID: OID.subjectKeyIdentifier, critical: false, extnValue: octetString.encode(id) };
}

export function authorityKeyIdentifierExtension(id: Uint8Array): RawExtension {
  return {
    extnID: OID.authorityKeyIdentifier,
    critical: false,
    extnValue: AuthorityKeyIdentifierCodec.encode({
      keyIdentifier: id,
      authorityCertIssuer: undefined,
      authorityCertSerialNumber: undefined,
    }),
  };
}

export function nameConstraintsExtension(
  permitted: readonly GeneralName[] | undefined,
  excluded: readonly GeneralName[] | undefined,
): RawExtension {
  const sub = (l: readonly GeneralName[] | undefined) =>
    l?.map((base) => ({ base: base as never, minimum: 0, maximum: undefined }));
  return {
    extnID: OID.nameConstraints,
    critical: true,
    extnValue: NameConstraintsCodec.encode({
      permittedSubtrees: sub(permitted),
      excludedSubtrees: sub(excluded),
    }),
  };
}
