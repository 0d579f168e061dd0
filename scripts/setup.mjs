#!/usr/bin/env node
// Brings a fresh checkout to a working state: Node dependencies (npm ci) and the Debian
// packages the tests and benchmarks start for real. Plain JavaScript: it runs before
// node_modules exists. As root it installs with apt-get; otherwise it prints the command.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Debian packages by the command they provide, and why we need each. */
export const DEBIAN_PACKAGES = [
  { command: "curl", pkg: "curl", why: "end-to-end tests fetch from unikernels with it" },
  {
    command: "openssl",
    pkg: "openssl",
    why: "X.509 tests make certificates, chains and CSRs with it and check what Morgana makes",
  },
  {
    command: "gnutls-cli",
    pkg: "gnutls-bin",
    why: "TLS interop tests run GnuTLS client and server",
  },
  {
    command: "tstclnt",
    pkg: "libnss3-tools",
    why: "TLS interop tests run NSS's (Firefox's TLS library) tstclnt and selfserv",
  },
  { command: "wrk", pkg: "wrk", why: "bench/http measures requests per second with it" },
  {
    command: "dot",
    pkg: "graphviz",
    why: "end-to-end tests render `morgana describe --dot` with it",
  },
  {
    command: "cc",
    pkg: "gcc",
    why: "Node targets compile their TLS record AEAD addon (runtime/unix/native/aead.c) with it",
  },
  { command: "socat", pkg: "socat", why: "the direct target bridges a tap to the stack with it" },
  {
    command: "testssl",
    pkg: "testssl.sh",
    why: "end-to-end tests scan https-site with it (no finding of MEDIUM or higher)",
  },
  { command: "dnsmasq", pkg: "dnsmasq-base", why: "direct tests take a DHCP lease from it" },
  { command: "ip", pkg: "iproute2", why: "direct tests create network namespaces and taps" },
  { command: "ping", pkg: "iputils-ping", why: "direct tests ping the stack from Linux" },
  {
    command: "arm-none-eabi-gcc",
    pkg: "gcc-arm-none-eabi",
    why: "the cubieboard2 target compiles XS and the board's platform with it",
  },
  {
    // No command of its own: its C library, looked for where Debian puts it.
    command: "arm-none-eabi-gcc >/dev/null && test -f /usr/lib/arm-none-eabi/newlib/libc.a",
    pkg: "libnewlib-arm-none-eabi",
    why: "the board's images link newlib's C library",
  },
  {
    command: "qemu-system-arm",
    pkg: "qemu-system-arm",
    why: "the emulator boots board images in it",
  },
  {
    command: "dpkg-source",
    pkg: "dpkg-dev",
    why: "the cubieboard2 build fetches BearSSL's sources with apt-get source, which unpacks with it",
  },
  {
    command: "tcpdump",
    pkg: "tcpdump",
    why: "emulator tests read the board's pcap capture (run --pcap) with it",
  },
  { command: "chromium", pkg: "chromium", why: "the extension's tests drive code-server in it" },
  {
    command: "krb5-config",
    pkg: "libkrb5-dev",
    why: "code-server's install builds kerberos from source",
  },
  {
    command: "rg",
    pkg: "ripgrep",
    why: "code-server's search needs rg (its download fails offline)",
  },
];

const say = (line) => process.stderr.write(`setup: ${line}\n`);

function hasCommand(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function checkNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) {
    say(`Node ${process.versions.node} is too old: Morgana needs Node 20 or newer.`);
    process.exit(1);
  }
}

/** npm ci when node_modules is missing or older than the lockfile. */
function installNodeModules() {
  const lock = join(root, "package-lock.json");
  const marker = join(root, "node_modules", ".package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say("installing Node dependencies (npm ci)...");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    say("npm ci failed (see above).");
    process.exit(1);
  }
}

/** Installs the missing ones among `only` (package names), or among all of them. */
function installDebianPackages(only) {
  const wanted = only ? DEBIAN_PACKAGES.filter((p) => only.includes(p.pkg)) : DEBIAN_PACKAGES;
  const missing = wanted.filter((p) => !hasCommand(p.command));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg).join(" ");
  for (const p of missing) say(`missing ${p.command} (${p.why})`);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    say("install them with:");
    process.stderr.write(`\n  sudo apt-get update && sudo apt-get install -y ${names}\n\n`);
    process.exit(1);
  }
  say(`installing ${names} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", ...missing.map((p) => p.pkg)], {
    stdio: "inherit",
    env,
  });
}

/**
 * `debian`: true installs every Debian package above, false none (`npm start -- --target unix`
 * needs only Node), a list of package names just those (the board's toolchain and QEMU).
 */
export function setup({ debian = true } = {}) {
  checkNode();
  installNodeModules();
  if (debian) installDebianPackages(Array.isArray(debian) ? debian : undefined);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  setup();
  say("ready.");
}
