// bench/fuzz-tls: the long mutation run of the TLS engine. A recorded TLS 1.3 handshake is
// replayed into a fresh, deterministic engine with one byte of one peer record changed; the
// engine must never throw, and must end closed with an alert from the closed set, still
// waiting for bytes, or (a byte that does not matter) open. `npm test` runs a light 100
// (test/unit/tls/mutation.test.ts); this runs as many as asked and counts the outcomes.
//
//   npx tsx bench/fuzz-tls.ts [--count 20000] [--seed 1]

import { mutationRun } from "../test/unit/tls/mutate.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const count = Number(arg("count", "20000"));
const seed = Number(arg("seed", "1"));
const t0 = Date.now();
const outcomes = mutationRun(count, seed);
process.stdout.write(
  `${count} mutations (seed ${seed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s, no throw:\n`,
);
for (const [k, v] of [...outcomes].sort((a, b) => b[1] - a[1])) {
  process.stdout.write(`  ${k.padEnd(24)} ${v}\n`);
}
