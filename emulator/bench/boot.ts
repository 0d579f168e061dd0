/**
 * Boot figures for board images, in one run, cold and with `--snapshot` (an XS heap snapshot
 * taken at build time and restored at boot): image size; time from `run` (the tool API that
 * `morgana run` calls, QEMU spawned by the target's launch hook) to the first console line,
 * to the app's first line, and to the first HTTP 200 through the forwarded port; sequential
 * requests per second (a new connection each, like a browser's first visit); and for
 * samples/https-site the first TLS handshake after boot (curl's time_appconnect) and the
 * time to the first HTTPS 200.
 *
 * The first 200 is found by polling with short timeouts (250 ms) so that a request sent
 * before the board listens, which QEMU's user network holds until its own SYN retry, does
 * not hide the moment the board can answer.
 *
 * Usage: npx tsx emulator/bench/boot.ts [boots per variant, default 3] [project folder]
 * (default: samples/static-website, then samples/https-site).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { imageSizes } from "@morgana/runtime-baremetal/build";
import { build, run } from "../../tool/src/api/index.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BOOTS = Number(process.argv[2] ?? 3);
const projects = process.argv[3]
  ? [resolve(process.argv[3])]
  : [join(ROOT, "samples", "static-website"), join(ROOT, "samples", "https-site")];
const VARIANTS = [
  { name: "cold", flags: {} },
  { name: "--snapshot", flags: { snapshot: true } },
] as const;

const work = mkdtempSync(join(tmpdir(), "morgana-bench-boot-"));
// https-site's build makes a dev certificate: from a CA of our own, removed afterwards.
process.env.MORGANA_CA_DIR = join(work, "dev-ca");
const CA = join(process.env.MORGANA_CA_DIR, "ca.pem");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number | null) => (x === null ? "-" : x.toFixed(0));
const range = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return "-";
  const mid = v[Math.floor(v.length / 2)] as number;
  return `${ms(v[0] ?? null)}-${ms(v[v.length - 1] ?? null)} (median ${ms(mid)})`;
};

/** curl over HTTPS: status and time_appconnect (ms), or null when it got no answer. */
function curlHttps(port: number, maxS: number): Promise<{ status: number; tlsMs: number } | null> {
  return new Promise((done) =>
    execFile(
      "curl",
      ["-sS", "-o", "/dev/null", "--cacert", CA, "--max-time", String(maxS)].concat([
        "-w",
        "%{http_code} %{time_appconnect}",
        `https://localhost:${port}/`,
      ]),
      (e, out) => {
        if (e) return done(null);
        const [status, tls] = out.trim().split(" ");
        done({ status: Number(status), tlsMs: Number(tls) * 1000 });
      },
    ),
  );
}

interface Boot {
  firstLine: number | null;
  appLine: number | null;
  first200: number | null;
  tls: number | null;
  rps: number | null;
}

/** Boots the built image once and takes its figures. */
async function bootOnce(dir: string, port: number, scheme: "http" | "https", rps: boolean) {
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const started = await run({ projectDir: dir, target: "cubieboard2", noBuild: true });
  if (!started.ok || !started.instance) throw new Error(JSON.stringify(started.diagnostics));
  const board = started.instance;
  const boot: Boot = { firstLine: null, appLine: null, first200: null, tls: null, rps: null };
  let out = "";
  board.onOutput((text) => {
    boot.firstLine ??= since();
    out += text;
    // The runtime's own restore line is not the app's.
    const lines = out.split(/\r?\n/).slice(0, -1);
    if (lines.some((l) => l !== "" && !l.startsWith("morgana: "))) boot.appLine ??= since();
  });
  try {
    const deadline = performance.now() + 120_000;
    if (scheme === "http") {
      while (boot.first200 === null && performance.now() < deadline) {
        const r = await fetch(`http://127.0.0.1:${port}/`, {
          signal: AbortSignal.timeout(250),
        }).catch(() => null);
        if (r?.status === 200) boot.first200 = since();
        await r?.arrayBuffer();
      }
    } else {
      // TLS: wait for the board to listen, so that curl's handshake time is the board's.
      while (!board.urls.some((u) => u.startsWith("https:")) && performance.now() < deadline) {
        await sleep(20);
      }
      while (boot.first200 === null && performance.now() < deadline) {
        const r = await curlHttps(port, 30);
        if (r?.status === 200) {
          boot.first200 = since();
          boot.tls = r.tlsMs;
        }
      }
    }
    if (rps && scheme === "http" && boot.first200 !== null) {
      let n = 0;
      const t1 = performance.now();
      while (performance.now() - t1 < 5000) {
        await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
        n++;
      }
      boot.rps = n / ((performance.now() - t1) / 1000);
    }
  } finally {
    await board.stop();
  }
  return boot;
}

try {
  for (const project of projects) {
    const name = project.split("/").pop() ?? "project";
    const text = readFileSync(join(project, "unikernel.yaml"), "utf8");
    const scheme = /type: tls/.test(text) ? "https" : "http";
    console.log(`\n${name} (${BOOTS} boots per variant, ${scheme})`);
    for (const variant of VARIANTS) {
      const dir = join(work, `${name}${variant.name.replace("--", "-")}`);
      cpSync(project, dir, {
        recursive: true,
        filter: (s) => !s.includes(`${project}/dist`) && !s.includes("/keys/"),
      });
      const port = 18_000 + Math.floor(Math.random() * 2000);
      const yaml = join(dir, "unikernel.yaml");
      const guest = scheme === "https" ? 443 : 80;
      // One forward, to the port the bench talks to (in place of the sample's own).
      const own = readFileSync(yaml, "utf8");
      const section = own.indexOf("\n  cubieboard2:");
      const at = section < 0 ? -1 : own.indexOf("ports:", section);
      const line = `ports: ["${port}:${guest}"]`;
      writeFileSync(
        yaml,
        at >= 0
          ? `${own.slice(0, at)}${line}${own.slice(own.indexOf("\n", at))}`
          : `${own}${/^targets:/m.test(own) ? "" : "targets:\n"}  cubieboard2:\n    ${line}\n`,
      );
      const t0 = performance.now();
      const built = await build({ projectDir: dir, target: "cubieboard2", flags: variant.flags });
      if (!built.ok || !built.output) throw new Error(JSON.stringify(built.diagnostics));
      const buildMs = performance.now() - t0;
      const elf = join(dir, built.output);
      const size = await imageSizes(elf);
      const snapshot = join(dir, "dist", "cubieboard2", `.${name}.elf.snapshot.d`, "morgana.xsnap");
      const snapBytes = variant.flags.snapshot ? statSync(snapshot).size : 0;
      const packedBytes = variant.flags.snapshot ? statSync(`${snapshot}.lz`).size : 0;
      const boots: Boot[] = [];
      for (let b = 0; b < BOOTS; b++) boots.push(await bootOnce(dir, port, scheme, b === 0));
      console.log(`  ${variant.name}:`);
      console.log(
        `    image ${size.bytes} bytes (text ${size.text}, data ${size.data}, bss ${size.bss})${snapBytes ? `, with the snapshot: ${snapBytes} bytes of heap, ${packedBytes} packed` : ""}; build ${(buildMs / 1000).toFixed(1)} s`,
      );
      console.log(`    run -> first console line (ms): ${range(boots.map((b) => b.firstLine))}`);
      console.log(`    run -> the app's first line (ms): ${range(boots.map((b) => b.appLine))}`);
      console.log(
        `    run -> first ${scheme.toUpperCase()} 200 (ms): ${range(boots.map((b) => b.first200))}`,
      );
      if (scheme === "https") {
        console.log(`    first TLS handshake after boot (ms): ${range(boots.map((b) => b.tls))}`);
      } else {
        console.log(
          `    requests/s (sequential, new connection each): ${boots[0]?.rps?.toFixed(1) ?? "-"}`,
        );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
