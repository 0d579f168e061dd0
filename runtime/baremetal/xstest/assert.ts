/**
 * `node:assert/strict` for tests run under XS: the calls the stack's tests make, with Node's
 * strict semantics (Object.is for equal; deep equality that compares prototypes, typed
 * arrays, Maps and Sets).
 */
export class AssertionError extends Error {
  override name = "AssertionError";
}

const show = (v: unknown): string => {
  try {
    return typeof v === "bigint" ? `${v}n` : typeof v === "string" ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
};

function fail(message?: string | Error, fallback = "Failed"): never {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function deepEqual(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k], seen));
}

function matches(err: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(String((err as Error)?.message ?? err));
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && err instanceof (expected as new () => unknown))
      return true;
    // An Error class that did not match; anything else is a validation function.
    if (expected === Error || expected.prototype instanceof Error) return false;
    return (expected as (e: unknown) => boolean)(err) === true;
  }
  if (typeof expected === "object" && expected !== null) {
    const e = err as Record<string, unknown>;
    return Object.entries(expected).every(([k, v]) =>
      v instanceof RegExp ? v.test(String(e[k])) : deepEqual(e[k], v),
    );
  }
  return false;
}

const assert = Object.assign(
  (value: unknown, message?: string | Error) => {
    if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
  },
  {
    ok(value: unknown, message?: string | Error) {
      if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
    },
    equal(a: unknown, b: unknown, message?: string | Error) {
      if (!Object.is(a, b)) fail(message, `expected ${show(a)} to equal ${show(b)}`);
    },
    notEqual(a: unknown, b: unknown, message?: string | Error) {
      if (Object.is(a, b)) fail(message, `expected ${show(a)} not to equal ${show(b)}`);
    },
    deepEqual(a: unknown, b: unknown, message?: string | Error) {
      if (!deepEqual(a, b)) fail(message, `expected ${show(a)} to deep-equal ${show(b)}`);
    },
    notDeepEqual(a: unknown, b: unknown, message?: string | Error) {
      if (deepEqual(a, b)) fail(message, `expected ${show(a)} not to deep-equal ${show(b)}`);
    },
    match(s: string, re: RegExp, message?: string | Error) {
      if (!re.test(s)) fail(message, `expected ${show(s)} to match ${re}`);
    },
    doesNotMatch(s: string, re: RegExp, message?: string | Error) {
      if (re.test(s)) fail(message, `expected ${show(s)} not to match ${re}`);
    },
    fail(message?: string | Error): never {
      return fail(message);
    },
    throws(fn: () => unknown, expected?: unknown, message?: string | Error) {
      try {
        fn();
      } catch (err) {
        if (!matches(err, expected)) fail(message, `unexpected error: ${show(err)}`);
        return;
      }
      fail(typeof expected === "string" ? expected : message, "expected a throw");
    },
    async rejects(
      p: Promise<unknown> | (() => Promise<unknown>),
      expected?: unknown,
      message?: string | Error,
    ) {
      try {
        await (typeof p === "function" ? p() : p);
      } catch (err) {
        if (!matches(err, expected)) fail(message, `unexpected rejection: ${show(err)}`);
        return;
      }
      fail(typeof expected === "string" ? expected : message, "expected a rejection");
    },
  },
);
(assert as unknown as Record<string, unknown>).strictEqual = assert.equal;
(assert as unknown as Record<string, unknown>).deepStrictEqual = assert.deepEqual;
(assert as unknown as Record<string, unknown>).strict = assert;

export default assert;
