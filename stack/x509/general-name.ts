/**
 * GeneralName (RFC 5280 §4.2.1.6). dNSName, iPAddress, rfc822Name, URI, directoryName and
 * registeredID are decoded; otherName, x400Address and ediPartyName are kept as raw DER.
 */
import {
  choice,
  contents,
  context,
  der,
  explicit,
  ia5String,
  implicit,
  octetString,
  oid,
  ok,
  readSingle,
  sequenceOf,
  type TaggedCodec,
  tagged,
} from "../asn1/index.ts";
import { type Name, NameCodec } from "./name.ts";

function raw(num: number): TaggedCodec<Uint8Array> {
  return tagged(
    `[${num}]`,
    context(num, true),
    (el) => ok(der(el)),
    (v) => {
      const r = readSingle(v);
      if (!r.ok) throw new RangeError(`[${num}] value is not one DER element`);
      return contents(r.value);
    },
  );
}

export const GeneralNameCodec = choice("GeneralName", {
  otherName: raw(0),
  rfc822Name: implicit(1, ia5String),
  dNSName: implicit(2, ia5String),
  x400Address: raw(3),
  // Name is a CHOICE, so its tag is explicit (X.680 §31.2.7 c).
  directoryName: explicit(4, NameCodec),
  ediPartyName: raw(5),
  uniformResourceIdentifier: implicit(6, ia5String),
  iPAddress: implicit(7, octetString),
  registeredID: implicit(8, oid),
});

export type GeneralName =
  | { type: "otherName" | "x400Address" | "ediPartyName"; value: Uint8Array }
  | { type: "rfc822Name" | "dNSName" | "uniformResourceIdentifier" | "registeredID"; value: string }
  | { type: "directoryName"; value: Name }
  | { type: "iPAddress"; value: Uint8Array };

export const GeneralNamesCodec = sequenceOf(GeneralNameCodec, { min: 1, max: 1024 });

/** An IP address in text form: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function ipToString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length !== 16) return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(":");
  return `${hex.slice(0, bestAt).join(":")}::${hex.slice(bestAt + bestLen).join(":")}`;
}

/** Parses an IPv4 dotted quad or an IPv6 address (with ::, and a trailing dotted quad); undefined if neither. */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return v4;
  if (!text.includes(":")) return undefined;
  let s = text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i] as string;
      if (i === pieces.length - 1 && p.includes(".")) {
        const q = parseIpv4(p);
        if (q === undefined) return undefined;
        out.push(
          ((q[0] as number) << 8) | (q[1] as number),
          ((q[2] as number) << 8) | (q[3] as number),
        );
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(Number.parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith("0") ? 256 : Number(p)));
  if (parts.some((p) => p > 255)) return undefined;
  return Uint8Array.from(parts);
}
