#!/usr/bin/env node
// `npm start`: the README's main command. Sets up what it needs, then builds the flagship
// sample, https-site, for the emulated Cubieboard2 and boots it in QEMU; once it listens, it
// prints the URL to open and how to trust the dev CA. Ctrl-C stops it (and QEMU with it).
// `npm start -- --target unix` runs the same sample as a Node process instead.
import { spawn } from "node:child_process";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "./setup.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SAMPLE = join(root, "samples", "https-site");
const MORGANA = join(root, "tool", "bin", "morgana.js");
/** What the board target needs from Debian (the rest of setup.mjs's list is for the tests). */
const BOARD_PACKAGES = [
  "gcc-arm-none-eabi",
  "libnewlib-arm-none-eabi",
  "qemu-system-arm",
  "dpkg-dev", // apt-get source unpacks BearSSL with it (runtime/baremetal/build/bearssl.ts)
];
const TARGETS = ["cubieboard2", "unix"];

const say = (line) => process.stderr.write(`start: ${line}\n`);

function parseArgs(argv) {
  let target = "cubieboard2";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let value;
    if (a === "--target" || a === "-t") value = argv[++i];
    else if (a.startsWith("--target=")) value = a.slice("--target=".length);
    else {
      say(`unknown argument ${JSON.stringify(a)}; usage: npm start [-- --target unix]`);
      process.exit(2);
    }
    if (!TARGETS.includes(value)) {
      say(`--target takes ${TARGETS.join(" or ")}, not ${JSON.stringify(value ?? "")}`);
      process.exit(2);
    }
    target = value;
  }
  return { target };
}

/** Runs `morgana ARGS`; resolves with its exit code. `onText` sees its output as it comes. */
function morgana(args, onText) {
  const child = spawn(process.execPath, [MORGANA, ...args], {
    stdio: ["inherit", onText ? "pipe" : "inherit", onText ? "pipe" : "inherit"],
  });
  current = child;
  if (onText) {
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      onText(String(d));
    });
    child.stderr.on("data", (d) => {
      process.stderr.write(d);
      onText(String(d));
    });
  }
  return new Promise((done) =>
    child.on("exit", (code, signal) => done(code ?? (signal === "SIGINT" ? 130 : 143))),
  );
}

let current = null;
// A terminal's Ctrl-C reaches the whole group: morgana stops the unikernel (and QEMU) itself,
// and we end with its exit code. A SIGTERM meant for us alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => current?.kill("SIGTERM"));

/** How to open the site: the dev CA signs its certificate (`morgana cert` makes it per user). */
function banner(url) {
  // tool/src/api/cert.ts devCaDir(): where the build's dev certificate is signed from.
  const ca = join(
    process.env.MORGANA_CA_DIR || join(homedir(), ".local", "share", "morgana", "dev-ca"),
    "ca.pem",
  );
  const open = url.replace("//127.0.0.1:", "//localhost:");
  return [
    "",
    `  Open ${open}`,
    "",
    `  Its certificate is signed by your Morgana dev CA, ${ca}:`,
    `    curl --cacert ${ca} ${open}`,
    "  To trust it in a browser, `npx morgana cert -p samples/https-site` prints how.",
    "  Plain HTTP on port 8080 redirects to HTTPS. Ctrl-C stops the unikernel.",
    "",
  ].join("\n");
}

const { target } = parseArgs(process.argv.slice(2));
if (target === "cubieboard2") {
  say("checking the ARM toolchain and QEMU (installed with apt-get when missing, as root)...");
  setup({ debian: BOARD_PACKAGES });
} else {
  setup({ debian: false });
}

const where = target === "cubieboard2" ? "the emulated Cubieboard2" : "the unix target";
say(
  target === "cubieboard2"
    ? `building https-site for ${where} (the first build fetches and compiles the XS engine and BearSSL once: a minute or two)...`
    : `building https-site for ${where}...`,
);
const built = await morgana(["build", "-t", target, "-p", SAMPLE]);
if (built !== 0) process.exit(built);

say(target === "cubieboard2" ? "booting it in QEMU..." : "starting it...");
let announced = false;
let text = "";
const code = await morgana(["run", "-t", target, "--no-build", "-p", SAMPLE], (chunk) => {
  if (announced) return;
  text += chunk;
  // A whole line only: the console arrives in pieces, and a URL may be cut anywhere.
  const m = /listening on (https:\/\/\S+)\r?\n/.exec(text);
  if (m) {
    announced = true;
    process.stdout.write(`${banner(m[1])}\n`);
  }
});
process.exit(code);
