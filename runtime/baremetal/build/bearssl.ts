import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AR, CC, CFLAGS, cacheRoot, pool, run, ToolchainError } from "./toolchain.ts";

/**
 * BearSSL (Thomas Pornin's portable C crypto library for small systems; MIT licence), from
 * Debian's `bearssl` source package, for the hot primitives of the board's crypto provider
 * (xs/xs_crypto.c). `apt-get source` runs against a private sources list and private state
 * and cache folders under cacheRoot(), so the system's apt configuration is untouched; the
 * sources and each compiled library are cached there too, never committed.
 */
export const BEARSSL_DEBIAN_VERSION = "0.6+dfsg.1-3";
/** The suite whose source index has that version (Debian 12). */
export const BEARSSL_SUITE = "bookworm";
const MIRROR = "http://deb.debian.org/debian";

/**
 * The BearSSL sources compiled: only what xs_crypto.c calls and what those call in turn
 * (SHA-2, HMAC, AES-GCM with the constant-time "ct" AES and "ctmul" GHASH, ChaCha20 and
 * Poly1305, the m31/i31 elliptic-curve code for X25519, P-256 and P-384 with ECDSA, and the
 * i31 RSA public-key operation with PKCS#1 v1.5 verification).
 */
export const BEARSSL_SOURCES = [
  "codec/ccopy.c",
  "codec/dec32be.c",
  "codec/dec32le.c",
  "codec/dec64be.c",
  "codec/enc32be.c",
  "codec/enc32le.c",
  "codec/enc64be.c",
  "hash/sha2small.c",
  "hash/sha2big.c",
  "hash/ghash_ctmul.c",
  "mac/hmac.c",
  "rand/hmac_drbg.c",
  "symcipher/aes_common.c",
  "symcipher/aes_ct.c",
  "symcipher/aes_ct_enc.c",
  "symcipher/aes_ct_ctr.c",
  "symcipher/chacha20_ct.c",
  "symcipher/poly1305_ctmul.c",
  "aead/gcm.c",
  "ec/ec_all_m31.c",
  "ec/ec_c25519_m31.c",
  "ec/ec_p256_m31.c",
  "ec/ec_prime_i31.c",
  "ec/ec_secp256r1.c",
  "ec/ec_secp384r1.c",
  "ec/ec_secp521r1.c",
  "ec/ecdsa_atr.c",
  "ec/ecdsa_rta.c",
  "ec/ecdsa_i31_bits.c",
  "ec/ecdsa_i31_sign_asn1.c",
  "ec/ecdsa_i31_sign_raw.c",
  "ec/ecdsa_i31_vrfy_asn1.c",
  "ec/ecdsa_i31_vrfy_raw.c",
  "int/i31_add.c",
  "int/i31_bitlen.c",
  "int/i31_decmod.c",
  "int/i31_decode.c",
  "int/i31_decred.c",
  "int/i31_encode.c",
  "int/i31_fmont.c",
  "int/i31_iszero.c",
  "int/i31_modpow.c",
  "int/i31_modpow2.c",
  "int/i31_montmul.c",
  "int/i31_muladd.c",
  "int/i31_ninv31.c",
  "int/i31_reduce.c",
  "int/i31_rshift.c",
  "int/i31_sub.c",
  "int/i31_tmont.c",
  "int/i32_div32.c",
  "rsa/rsa_i31_pub.c",
  "rsa/rsa_i31_pkcs1_vrfy.c",
  "rsa/rsa_pkcs1_sig_unpad.c",
];

export type BearsslTarget = "arm" | "host";

const COMPILERS: Record<BearsslTarget, { cc: string; ar: string; cflags: string[] }> = {
  arm: { cc: CC, ar: AR, cflags: CFLAGS },
  host: { cc: "cc", ar: "ar", cflags: ["-O2", "-g"] },
};

export interface BearsslBuild {
  /** BearSSL's public headers (bearssl.h). */
  include: string;
  /** The static library of the compiled sources. */
  library: string;
}

function bearsslDir(): string {
  return join(cacheRoot(), "bearssl", BEARSSL_DEBIAN_VERSION);
}

/** The apt options that keep `apt-get` on our list, state and cache, all inside `work`. */
function aptOptions(work: string): string[] {
  return [
    "-o",
    `Dir::Etc::SourceList=${join(work, "sources.list")}`,
    "-o",
    "Dir::Etc::SourceParts=/dev/null",
    "-o",
    `Dir::State::Lists=${join(work, "lists")}`,
    "-o",
    `Dir::Cache=${join(work, "cache")}`,
    "-o",
    "APT::Sandbox::User=root",
    "-q",
  ];
}

/**
 * BearSSL's source tree, fetched once with `apt-get source` (as root, with dpkg-source to
 * unpack: Debian's `dpkg-dev`). Each fetch works in its own folder (apt's lists, cache and
 * lock included), so two builds fetching at once never meet; the first to finish wins.
 */
export async function ensureBearsslSources(log: (line: string) => void = () => {}) {
  const dir = bearsslDir();
  const root = join(dir, "src");
  if (existsSync(join(root, "inc", "bearssl.h"))) return root;
  const work = join(dir, `fetch-${process.pid}`);
  const out = join(work, "out");
  const opts = aptOptions(work).join(" ");
  const command = [
    `mkdir -p ${join(work, "lists", "partial")} ${join(work, "cache", "archives", "partial")} ${out}`,
    `echo "deb-src ${MIRROR} ${BEARSSL_SUITE} main" > ${join(work, "sources.list")}`,
    `apt-get ${opts} update`,
    `(cd ${out} && apt-get ${opts} source bearssl=${BEARSSL_DEBIAN_VERSION})`,
    `mv ${join(out, "bearssl-*")} ${root}`,
  ].join(" && ");
  if (process.getuid?.() !== 0) {
    throw new ToolchainError(`fetching BearSSL's sources needs root; as root, run:\n  ${command}`);
  }
  // apt-get source unpacks with dpkg-source; without it apt only says the unpacking failed.
  if (spawnSync("dpkg-source", ["--version"]).error) {
    throw new ToolchainError(
      `fetching BearSSL's sources needs dpkg-source: apt-get install -y dpkg-dev; then:\n  ${command}`,
    );
  }
  log(`fetching BearSSL ${BEARSSL_DEBIAN_VERSION} with apt-get source (once)...`);
  try {
    mkdirSync(join(work, "lists", "partial"), { recursive: true });
    mkdirSync(join(work, "cache", "archives", "partial"), { recursive: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(work, "sources.list"), `deb-src ${MIRROR} ${BEARSSL_SUITE} main\n`);
    await run("apt-get", [...aptOptions(work), "update"]);
    await run("apt-get", [...aptOptions(work), "source", `bearssl=${BEARSSL_DEBIAN_VERSION}`], out);
    const unpacked = readdirSync(out).find((f) => existsSync(join(out, f, "inc", "bearssl.h")));
    if (!unpacked) throw new ToolchainError(`apt-get source bearssl unpacked nothing in ${out}`);
    // Move into place whole: a concurrent build never sees half a tree.
    if (!existsSync(join(root, "inc", "bearssl.h"))) renameSync(join(out, unpacked), root);
  } catch (e) {
    throw new ToolchainError(
      `fetching BearSSL's sources failed; the commands were:\n  ${command}\n${(e as Error).message}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return root;
}

function buildKey(target: BearsslTarget): string {
  return createHash("sha256")
    .update([...COMPILERS[target].cflags, "|", ...BEARSSL_SOURCES].join(" "))
    .digest("hex")
    .slice(0, 12);
}

/** Compiles the used part of BearSSL once per target and flags; later calls return the cache. */
export async function ensureBearsslLibrary(
  target: BearsslTarget,
  log: (line: string) => void = () => {},
): Promise<BearsslBuild> {
  const root = await ensureBearsslSources(log);
  const include = join(root, "inc");
  const out = join(bearsslDir(), `${target}-${buildKey(target)}`);
  const library = join(out, "libbearssl.a");
  if (existsSync(library)) return { include, library };
  const { cc, ar, cflags } = COMPILERS[target];
  log(`compiling BearSSL for ${target} (${BEARSSL_SOURCES.length} files, once)...`);
  const tmp = `${out}.tmp-${process.pid}`;
  mkdirSync(tmp, { recursive: true });
  const objects = BEARSSL_SOURCES.map((s) => join(tmp, s.replace(/[/.]/g, "_").concat(".o")));
  await pool(
    BEARSSL_SOURCES.map((s, i) => [s, objects[i] as string] as const),
    2,
    async ([src, obj]) => {
      await run(cc, [
        ...cflags,
        `-I${include}`,
        `-I${join(root, "src")}`,
        "-c",
        join(root, "src", src),
        "-o",
        obj,
      ]);
    },
  );
  await run(ar, ["rcs", join(tmp, "libbearssl.a"), ...objects]);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return { include, library };
}
