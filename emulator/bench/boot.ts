/**
 * Boot figures for a board image, in one run: image size (text, data, bss), time from
 * spawning QEMU to the first console line and to the first HTTP 200 through the forwarded
 * port, and sequential requests per second (a new connection each, like a browser's first
 * visit). Usage: npx tsx emulator/bench/boot.ts [project folder, default samples/static-website]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { imageSizes } from "@morgana/runtime-baremetal/build";
import { build } from "../../tool/src/api/index.ts";
import { launch } from "../src/index.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const project = resolve(process.argv[2] ?? join(ROOT, "samples", "static-website"));
const PORT = 18_000 + Math.floor(Math.random() * 2000);

const dir = mkdtempSync(join(tmpdir(), "morgana-bench-boot-"));
try {
  cpSync(project, dir, { recursive: true, filter: (s) => !s.includes(`${project}/dist`) });
  const yaml = join(dir, "unikernel.yaml");
  const text = readFileSync(yaml, "utf8");
  const serves = /type: http/.test(text);
  if (serves) {
    const head = /^targets:/m.test(text) ? "" : "targets:\n";
    writeFileSync(yaml, `${text}${head}  cubieboard2:\n    ports: ["${PORT}:80"]\n`);
  }
  const t0 = performance.now();
  const built = await build({ projectDir: dir, target: "cubieboard2" });
  if (!built.ok || !built.output) throw new Error(JSON.stringify(built.diagnostics));
  const buildMs = performance.now() - t0;
  const elf = join(dir, built.output);
  const size = await imageSizes(elf);
  const started = performance.now();
  let firstLineMs = null as number | null;
  const board = launch({
    image: elf,
    net: { forwards: [{ host: PORT, guest: 80, protocol: "tcp" }] },
    onLine: () => {
      firstLineMs ??= performance.now() - started;
    },
  });
  let first200Ms: number | null = null;
  while (serves && first200Ms === null && performance.now() - started < 60_000) {
    const r = await fetch(`http://127.0.0.1:${PORT}/`, { signal: AbortSignal.timeout(500) }).catch(
      () => null,
    );
    if (r?.status === 200) first200Ms = performance.now() - started;
    await r?.arrayBuffer();
  }
  let n = 0;
  const t1 = performance.now();
  while (first200Ms !== null && performance.now() - t1 < 5000) {
    await (await fetch(`http://127.0.0.1:${PORT}/`)).arrayBuffer();
    n++;
  }
  const rps = n / ((performance.now() - t1) / 1000);
  const exit = serves ? await board.stop() : await board.exited;
  console.log(
    `image ${built.output}: ${size.bytes} bytes (text ${size.text}, data ${size.data}, bss ${size.bss})`,
  );
  console.log(`build (bundle + link, XS cached): ${buildMs.toFixed(0)} ms`);
  console.log(`QEMU start -> first console line: ${firstLineMs?.toFixed(0)} ms`);
  if (serves) console.log(`QEMU start -> first HTTP 200: ${first200Ms?.toFixed(0)} ms`);
  if (serves) console.log(`requests/s (sequential, new connection each): ${rps.toFixed(1)}`);
  else console.log(`QEMU start -> exit ${exit.code}: ${exit.ms.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
