import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureBearsslLibrary } from "../../../runtime/baremetal/build/bearssl.ts";
import { ensureXsLibrary } from "../../../runtime/baremetal/build/xs.ts";
import { runTestsUnderXs } from "../../../runtime/baremetal/build/xstest.ts";

const CRYPTO_TESTS = resolve(import.meta.dirname, "..", "crypto");
const HERE = import.meta.dirname;

/** A module like xs-crypto-fixtures.ts, with RSA keys of each size made here on Node. */
function rsaFixtures(bitSizes: number[]): string {
  const hex = (s: string | undefined) => Buffer.from(s ?? "", "base64url").toString("hex");
  const entries = bitSizes.map((bits) => {
    const j = generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({
      format: "jwk",
    });
    const [n, e] = [hex(j.n), hex(j.e)];
    const parts = ["d", "p", "q", "dp", "dq", "qi"] as const;
    const priv = parts.map((k) => `${k}: fromHex("${hex(j[k])}")`).join(", ");
    return `  ${bits}: {
    privateKey: { kind: "rsa", n: fromHex("${n}"), e: fromHex("${e}"), ${priv} },
    publicKey: { kind: "rsa", n: fromHex("${n}"), e: fromHex("${e}") },
  },`;
  });
  return [
    `import { fromHex } from ${JSON.stringify(resolve(HERE, "../../../stack/bytes/index.ts"))};`,
    "export const RSA_KEYS: Record<number, any> = {",
    ...entries,
    "};",
    "",
  ].join("\n");
}

describe("baremetal: the C crypto provider (BearSSL) under XS on this machine", () => {
  let dir: string;

  before(async function () {
    // XS and BearSSL compile once for the host (about a minute each on two idle cores; the
    // first run also fetches BearSSL with apt-get source); then they are cached.
    this.timeout(20 * 60_000);
    await ensureXsLibrary(() => {}, "host");
    await ensureBearsslLibrary("host");
    dir = mkdtempSync(join(tmpdir(), "morgana-xs-crypto-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("passes the stack's crypto vectors, signature and cross tests beside the portable provider, and its own contract", async function () {
    this.timeout(240_000);
    const fixtures = join(dir, "fixtures.ts");
    writeFileSync(fixtures, rsaFixtures([512, 2048]));
    const files = ["vectors.test.ts", "signatures.test.ts", "cross.test.ts"].map((f) =>
      join(CRYPTO_TESTS, f),
    );
    files.push(join(HERE, "xs-crypto-host.ts"));
    const run = await runTestsUnderXs(files, dir, {
      replace: {
        [join(CRYPTO_TESTS, "providers.ts")]: join(HERE, "xs-crypto-providers.ts"),
        [join(HERE, "xs-crypto-fixtures.ts")]: fixtures,
      },
    });
    const summary = /(\d+) passing, (\d+) failing/.exec(run.output);
    assert.ok(summary, run.output.slice(-3000));
    const failures = run.output.split("\n").filter((l) => l.includes("FAILED"));
    assert.deepEqual(failures, []);
    assert.equal(run.code, 0);
    // The vectors ran through the C provider by name, not only through the portable one.
    assert.match(run.output, /crypto vectors \(bearssl\)/);
    assert.match(run.output, /ok AES-GCM/);
    // And the C provider against the portable one on random inputs (fast-check).
    assert.match(run.output, /noble and node:crypto agree on random inputs/);
    // The C functions' own contract (xs-crypto-host.ts).
    assert.match(run.output, /ok refuse unknown algorithm numbers/);
    assert.ok(Number(summary[1]) > 30, summary[0]);
  });
});
