/**
 * TLS 1.3 handshake time on the emulated board, by crypto provider: samples/https-site is
 * built once with each provider (the tls device's `crypto` option: "c" = `native`, BearSSL
 * in C; "noble" = `portable`, JS), booted BOOTS times, and curl makes CONNECTIONS full handshakes per boot (a new
 * connection each: X25519, ECDSA P-256 certificate, AES-128-GCM). It prints curl's
 * time_appconnect for the first handshake after boot and for the warm ones, and each image's
 * size. Usage: npx tsx emulator/bench/handshake.ts [boots, default 3] [connections, default 5]
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { imageSizes } from "@morgana/runtime-baremetal/build";
import { build, run } from "../../tool/src/api/index.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BOOTS = Number(process.argv[2] ?? 3);
const CONNECTIONS = Number(process.argv[3] ?? 5);
const PROVIDERS = ["noble", "c"] as const;

/** The yaml with `crypto: <choice>` added to its tls device (`{ type: tls, ... }`). */
function withCrypto(yaml: string, choice: "native" | "portable"): string {
  const out = yaml.replace("{ type: tls,", `{ type: tls, crypto: ${choice},`);
  if (out === yaml) throw new Error("https-site's unikernel.yaml has no `{ type: tls,` device");
  return out;
}

/** curl's handshake time in ms (time_appconnect), or an error with curl's message. */
function handshakeMs(port: number, ca: string): Promise<number> {
  return new Promise((done, fail) =>
    execFile(
      "curl",
      ["-sS", "-o", "/dev/null", "--tlsv1.3", "--cacert", ca, "--max-time", "60"].concat([
        "-w",
        "%{time_appconnect}",
        `https://localhost:${port}/`,
      ]),
      (e, out, err) => (e ? fail(new Error(`curl: ${err}`)) : done(Number(out) * 1000)),
    ),
  );
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const work = mkdtempSync(join(tmpdir(), "morgana-bench-handshake-"));
process.env.MORGANA_CA_DIR = join(work, "dev-ca");
try {
  for (const provider of PROVIDERS) {
    const dir = join(work, provider);
    cpSync(join(ROOT, "samples", "https-site"), dir, {
      recursive: true,
      filter: (s) => !s.includes("/dist") && !s.includes("/keys/"),
    });
    const https = 19_000 + Math.floor(Math.random() * 1000);
    const yaml = join(dir, "unikernel.yaml");
    writeFileSync(
      yaml,
      withCrypto(
        readFileSync(yaml, "utf8").replaceAll('"8443:443", "8080:80"', `"${https}:443"`),
        provider === "c" ? "native" : "portable",
      ),
    );
    const built = await build({ projectDir: dir, target: "cubieboard2" });
    if (!built.ok || !built.output) throw new Error(JSON.stringify(built.diagnostics));
    const size = await imageSizes(join(dir, built.output));
    const first: number[] = [];
    const warm: number[] = [];
    for (let b = 0; b < BOOTS; b++) {
      const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
      if (!started.ok || !started.instance) throw new Error(JSON.stringify(started.diagnostics));
      const board = started.instance;
      let console_ = "";
      board.onOutput((text) => {
        console_ += text;
      });
      try {
        const deadline = Date.now() + 120_000;
        while (!board.urls.some((u) => u.startsWith("https:"))) {
          if (Date.now() > deadline) throw new Error("the board announced no https URL");
          await new Promise((r) => setTimeout(r, 100));
        }
        const ca = join(process.env.MORGANA_CA_DIR, "ca.pem");
        for (let c = 0; c < CONNECTIONS; c++) {
          const ms = await handshakeMs(https, ca).catch((e: Error) => {
            throw new Error(`${provider}, boot ${b + 1}, connection ${c + 1}: ${e.message}
board console:\n${console_.slice(-3000)}`);
          });
          (c === 0 ? first : warm).push(ms);
        }
      } finally {
        await board.stop();
      }
    }
    console.log(`${provider}: image ${size.bytes} bytes (text ${size.text})`);
    console.log(`  first handshake after boot (ms): ${fmt(first)}`);
    console.log(`  warm handshakes (ms): ${fmt(warm)}; median ${median(warm).toFixed(0)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
