/**
 * Codecs: a structure is declared once and the same declaration parses and serializes it, in
 * the manner of ocaml-asn1-combinators. A codec matches an element by its tag, decodes it into
 * a value (never throwing on bad input), and encodes a value back to DER.
 *
 * `TaggedCodec`s have one outer tag, so `implicit` can replace it; CHOICE and ANY have none.
 */
import { fail, ok, type Result } from "./errors.ts";
import {
  children,
  context,
  der,
  type Element,
  readSingle,
  sameTag,
  type Tag,
  tagName,
  writeElement,
} from "./tlv.ts";

export interface Codec<T> {
  /** Whether this codec would try to decode `el` (used for OPTIONAL, DEFAULT and CHOICE). */
  matches(tag: Tag): boolean;
  decode(el: Element): Result<T>;
  /** The whole DER encoding of `value`. Throws RangeError on a value no encoding exists for. */
  encode(value: T): Uint8Array;
  /** A short name for messages. */
  readonly name: string;
}

export interface TaggedCodec<T> extends Codec<T> {
  readonly tag: Tag;
  decodeContents(el: Element): Result<T>;
  encodeContents(value: T): Uint8Array | readonly Uint8Array[];
}

export type ValueOf<C> = C extends Codec<infer T> ? T : never;

/** A codec for one tag, from functions over the contents octets. */
export function tagged<T>(
  name: string,
  tag: Tag,
  decodeContents: (el: Element) => Result<T>,
  encodeContents: (value: T) => Uint8Array | readonly Uint8Array[],
): TaggedCodec<T> {
  return {
    name,
    tag,
    matches: (t) => sameTag(t, tag),
    decode(el) {
      if (!sameTag(el.tag, tag)) {
        // A string type in constructed form (BER) is a form error, not a different type.
        if (el.tag.cls === tag.cls && el.tag.num === tag.num) {
          return fail(
            "bad-form",
            `${name} in ${el.tag.constructed ? "constructed" : "primitive"} form`,
            el.start,
          );
        }
        return fail(
          "unexpected-tag",
          `expected ${name} (${tagName(tag)}), found ${tagName(el.tag)}`,
          el.start,
        );
      }
      return decodeContents(el);
    },
    decodeContents,
    encode: (value) => writeElement(tag, encodeContents(value)),
    encodeContents,
  };
}

/** Decodes a whole buffer that must hold exactly one element of `codec`. */
export function decodeDer<T>(codec: Codec<T>, input: Uint8Array): Result<T> {
  const el = readSingle(input);
  if (!el.ok) return el;
  return codec.decode(el.value);
}

/** Maps a codec's value both ways; `to` may reject a decoded value. */
export function map<A, B>(
  codec: TaggedCodec<A>,
  to: (a: A, el: Element) => Result<B>,
  from: (b: B) => A,
  name?: string,
): TaggedCodec<B>;
export function map<A, B>(
  codec: Codec<A>,
  to: (a: A, el: Element) => Result<B>,
  from: (b: B) => A,
  name?: string,
): Codec<B>;
export function map<A, B>(
  codec: Codec<A>,
  to: (a: A, el: Element) => Result<B>,
  from: (b: B) => A,
  name?: string,
): Codec<B> {
  const base: Codec<B> = {
    name: name ?? codec.name,
    matches: (t) => codec.matches(t),
    decode(el) {
      const r = codec.decode(el);
      return r.ok ? to(r.value, el) : r;
    },
    encode: (b) => codec.encode(from(b)),
  };
  if ("tag" in codec) {
    const t = codec as TaggedCodec<A>;
    return {
      ...base,
      tag: t.tag,
      decodeContents(el: Element) {
        const r = t.decodeContents(el);
        return r.ok ? to(r.value, el) : r;
      },
      encodeContents: (b: B) => t.encodeContents(from(b)),
    } as TaggedCodec<B>;
  }
  return base;
}

/** `[n] IMPLICIT` (X.680 §31.2.7): the inner type's tag replaced, same form. */
export function implicit<T>(num: number, codec: TaggedCodec<T>): TaggedCodec<T> {
  return tagged(
    `[${num}] IMPLICIT ${codec.name}`,
    context(num, codec.tag.constructed),
    codec.decodeContents,
    codec.encodeContents,
  );
}

/** `[n] EXPLICIT`: a constructed wrapper holding exactly one element of `codec`. */
export function explicit<T>(num: number, codec: Codec<T>): TaggedCodec<T> {
  return tagged(
    `[${num}] ${codec.name}`,
    context(num, true),
    (el) => {
      const inner = children(el);
      if (!inner.ok) return inner;
      const [only, extra] = inner.value;
      if (only === undefined) return fail("truncated", `[${num}] is empty`, el.contentStart);
      if (extra !== undefined)
        return fail("trailing-bytes", `[${num}] holds more than one element`, extra.start);
      return codec.decode(only);
    },
    (value) => codec.encode(value),
  );
}

/** The raw element, for fields read later or passed through untouched (ANY). */
export const any: Codec<Uint8Array> = {
  name: "ANY",
  matches: () => true,
  decode: (el) => ok(der(el)),
  encode: (value) => {
    const r = readSingle(value);
    if (!r.ok) throw new RangeError(`ANY value is not one DER element: ${r.error.message}`);
    return value;
  },
};

/** A value together with the exact bytes it was decoded from (to check signatures over them). */
export interface WithDer<T> {
  readonly value: T;
  readonly der: Uint8Array;
}

export function withDer<T>(codec: Codec<T>): Codec<WithDer<T>> {
  return {
    name: codec.name,
    matches: (t) => codec.matches(t),
    decode(el) {
      const r = codec.decode(el);
      return r.ok ? ok({ value: r.value, der: der(el) }) : r;
    },
    encode: (v) => v.der,
  };
}

// ---- SEQUENCE and its components ----

/** A component marked OPTIONAL or DEFAULT. */
interface FieldOptions<T> {
  readonly optional?: boolean;
  readonly default?: T;
}

interface Field<T> {
  readonly codec: Codec<T>;
  readonly options: FieldOptions<T>;
}

export type Fields = Record<string, Codec<unknown> | Field<unknown>>;

type FieldValue<F> =
  F extends Field<infer T>
    ? F extends { options: { optional: true } }
      ? T | undefined
      : T
    : F extends Codec<infer T>
      ? T
      : never;

export type SequenceValue<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> };

/** `T OPTIONAL`: absent decodes as `undefined`, `undefined` encodes as absent. */
export function optional<T>(codec: Codec<T>): Field<T> & { options: { optional: true } } {
  return { codec, options: { optional: true } };
}

/**
 * `T DEFAULT d`: absent decodes as `d`; `d` encodes as absent; and, as DER requires
 * (X.690 §11.5), a present value equal to `d` is an error.
 */
export function withDefault<T>(codec: Codec<T>, value: T): Field<T> {
  return { codec, options: { default: value } };
}

function isField(f: Codec<unknown> | Field<unknown>): f is Field<unknown> {
  return "codec" in f && "options" in f;
}

function equalEncodings(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One component of a SEQUENCE, resolved once when the SEQUENCE is declared. */
interface Component {
  readonly key: string;
  readonly codec: Codec<unknown>;
  /** OPTIONAL or DEFAULT: may be absent. */
  readonly absentAllowed: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  /** The DEFAULT value's encoding, made on first use. */
  defaultDer: Uint8Array | undefined;
}

function components(fields: Fields): Component[] {
  return Object.entries(fields).map(([key, spec]) => {
    const field = isField(spec) ? spec : { codec: spec, options: {} as FieldOptions<unknown> };
    const hasDefault = "default" in field.options;
    return {
      key,
      codec: field.codec,
      absentAllowed: field.options.optional === true || hasDefault,
      hasDefault,
      defaultValue: field.options.default,
      defaultDer: undefined,
    };
  });
}

function isDefault(c: Component, encoding: Uint8Array): boolean {
  if (!c.hasDefault) return false;
  c.defaultDer ??= c.codec.encode(c.defaultValue);
  return equalEncodings(encoding, c.defaultDer);
}

/** Decodes a run of components from `els`, in declaration order; no element may be left over. */
function decodeComponents<F extends Fields>(
  comps: readonly Component[],
  els: readonly Element[],
  endOffset: number,
  name: string,
): Result<SequenceValue<F>> {
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const c of comps) {
    const el = els[i];
    if (el === undefined || !c.codec.matches(el.tag)) {
      if (!c.absentAllowed) {
        if (el === undefined)
          return fail("truncated", `${name}: ${c.key} (${c.codec.name}) is missing`, endOffset);
        const r = c.codec.decode(el);
        return r.ok ? fail("unexpected-tag", `${name}: ${c.key}`, el.start) : r;
      }
      out[c.key] = c.defaultValue;
      continue;
    }
    const r = c.codec.decode(el);
    if (!r.ok) return r;
    if (isDefault(c, der(el))) {
      return fail(
        "default-encoded",
        `${name}: ${c.key} equals its DEFAULT and must be absent (X.690 §11.5)`,
        el.start,
      );
    }
    out[c.key] = r.value;
    i++;
  }
  const extra = els[i];
  if (extra !== undefined) {
    return fail(
      "trailing-bytes",
      `${name}: unexpected ${tagName(extra.tag)} after the last component`,
      extra.start,
    );
  }
  return ok(out as SequenceValue<F>);
}

function encodeComponents<F extends Fields>(
  comps: readonly Component[],
  value: SequenceValue<F>,
): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const c of comps) {
    const v = (value as Record<string, unknown>)[c.key];
    if (v === undefined) {
      if (c.absentAllowed) continue;
      throw new RangeError(`missing value for ${c.key}`);
    }
    const enc = c.codec.encode(v);
    if (isDefault(c, enc)) continue;
    parts.push(enc);
  }
  return parts;
}

/** SEQUENCE { ... } with components in the order of `fields`' keys. */
export function sequence<F extends Fields>(name: string, fields: F): TaggedCodec<SequenceValue<F>> {
  const comps = components(fields);
  return tagged(
    name,
    { cls: "universal", num: 16, constructed: true },
    (el) => {
      const els = children(el);
      return els.ok ? decodeComponents<F>(comps, els.value, el.end, name) : els;
    },
    (value) => encodeComponents<F>(comps, value),
  );
}

interface ListOptions {
  /** SIZE (min..MAX); default 0. */
  readonly min?: number;
  /** Most elements accepted: a work limit on hostile input; default 10,000. */
  readonly max?: number;
}

function decodeList<T>(
  codec: Codec<T>,
  el: Element,
  opts: ListOptions,
  name: string,
  sorted: boolean,
): Result<T[]> {
  const els = children(el);
  if (!els.ok) return els;
  const min = opts.min ?? 0;
  const max = opts.max ?? 10_000;
  if (els.value.length < min)
    return fail("too-few-elements", `${name} needs at least ${min} elements`, el.start);
  if (els.value.length > max)
    return fail("bad-value", `${name} has more than ${max} elements`, el.start);
  const out: T[] = [];
  let prev: Uint8Array | undefined;
  for (const child of els.value) {
    if (sorted) {
      const enc = der(child);
      if (prev !== undefined && compareBytes(prev, enc) > 0) {
        return fail(
          "unsorted-set",
          `${name}: SET OF elements out of order (X.690 §11.6)`,
          child.start,
        );
      }
      prev = enc;
    }
    const r = codec.decode(child);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/** Orders encodings as X.690 §11.6 sorts SET OF: octet by octet, shorter first on a tie. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

export function sequenceOf<T>(codec: Codec<T>, opts: ListOptions = {}): TaggedCodec<T[]> {
  const name = `SEQUENCE OF ${codec.name}`;
  return tagged(
    name,
    { cls: "universal", num: 16, constructed: true },
    (el) => decodeList(codec, el, opts, name, false),
    (values) => {
      if (values.length < (opts.min ?? 0))
        throw new RangeError(`${name} needs at least ${opts.min} elements`);
      return values.map((v) => codec.encode(v));
    },
  );
}

/** SET OF: DER sorts the encodings (X.690 §11.6); decoding rejects unsorted input. */
export function setOf<T>(codec: Codec<T>, opts: ListOptions = {}): TaggedCodec<T[]> {
  const name = `SET OF ${codec.name}`;
  return tagged(
    name,
    { cls: "universal", num: 17, constructed: true },
    (el) => decodeList(codec, el, opts, name, true),
    (values) => {
      if (values.length < (opts.min ?? 0))
        throw new RangeError(`${name} needs at least ${opts.min} elements`);
      return values.map((v) => codec.encode(v)).sort(compareBytes);
    },
  );
}

// ---- CHOICE ----

export type Alternatives = Record<string, Codec<unknown>>;
export type ChoiceValue<A extends Alternatives> = {
  [K in keyof A]: { type: K; value: ValueOf<A[K]> };
}[keyof A];

/**
 * CHOICE: the first alternative whose tag matches decodes the element. Values are tagged
 * `{ type, value }` so encoding knows which alternative to write.
 */
export function choice<A extends Alternatives>(
  name: string,
  alternatives: A,
): Codec<ChoiceValue<A>> {
  const entries = Object.entries(alternatives);
  return {
    name,
    matches: (t) => entries.some(([, c]) => c.matches(t)),
    decode(el) {
      for (const [type, c] of entries) {
        if (!c.matches(el.tag)) continue;
        const r = c.decode(el);
        return r.ok ? ok({ type, value: r.value } as ChoiceValue<A>) : r;
      }
      return fail("unexpected-tag", `${name}: no alternative for ${tagName(el.tag)}`, el.start);
    },
    encode(v) {
      const c = alternatives[v.type as string];
      if (c === undefined) throw new RangeError(`${name}: no alternative ${String(v.type)}`);
      return c.encode(v.value);
    },
  };
}
