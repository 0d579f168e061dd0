/**
 * The mutation run shared by the light test (mutation.test.ts) and the long one
 * (`npx tsx bench/fuzz-tls.ts --count N`): replay a recorded handshake into a fresh,
 * deterministic engine with one byte of one peer record changed, and classify how it ends.
 */
import assert from "node:assert/strict";
import { createNobleProvider } from "../../../stack/crypto/noble.ts";
import { TlsClient } from "../../../stack/tls/client.ts";
import type { TlsEngine } from "../../../stack/tls/engine.ts";
import { alertFor } from "../../../stack/tls/errors.ts";
import { credentialsFromKey, TlsServer } from "../../../stack/tls/server.ts";
import { rng } from "../../helpers/rng.ts";
import { seededRandom } from "../crypto/providers.ts";
import { testPki, verifierFor } from "./helpers.ts";

/** Deterministic engines: the same seeds give the same bytes, so recorded flights replay. */
function engines() {
  const c = createNobleProvider(seededRandom(99));
  const leaf = testPki().leaf("p256");
  const client = new TlsClient({
    crypto: c,
    random: seededRandom(1).fill,
    serverName: "localhost",
    verifier: verifierFor(c),
    wallMs: () => Date.now(),
  });
  const server = new TlsServer({
    crypto: c,
    random: seededRandom(2).fill,
    credentials: credentialsFromKey(c, leaf.chain, leaf.key),
    ticketKey: new Uint8Array(32),
  });
  return { client, server };
}

export function record(): { toServer: Uint8Array[]; toClient: Uint8Array[] } {
  const { client, server } = engines();
  const toServer = [...client.start().records];
  const toClient: Uint8Array[] = [];
  for (const r of toServer.slice()) toClient.push(...server.handle(r).records);
  for (const r of toClient.slice()) toServer.push(...client.handle(r).records);
  for (const r of toServer.slice(-2)) toClient.push(...server.handle(r).records);
  assert.equal(client.status, "open");
  assert.equal(server.status, "open");
  return { toServer, toClient };
}

export const ALERTS = new Set(
  (
    [
      "decode-error",
      "unexpected-message",
      "bad-record-mac",
      "record-overflow",
      "handshake-failure",
      "illegal-parameter",
      "missing-extension",
      "unsupported-extension",
      "protocol-version",
      "decrypt-error",
      "bad-certificate",
      "unsupported-certificate",
      "certificate-expired",
      "certificate-unknown",
      "unknown-ca",
      "no-application-protocol",
      "internal-error",
    ] as const
  ).map(alertFor),
);

/**
 * `count` single-byte mutations (seeded): throws if an engine throws or closes without a
 * failure from the closed set; returns how many ended each way.
 */
export function mutationRun(count: number, seed: number): Map<string, number> {
  const rec = record();
  const next = rng(seed);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const toClient = next() < 0.5;
    const records = toClient ? rec.toClient : rec.toServer;
    const which = Math.floor(next() * records.length);
    const victimRecord = records[which] as Uint8Array;
    const at = Math.floor(next() * victimRecord.length);
    const { client, server } = engines();
    const victim: TlsEngine = toClient ? client : server;
    if (toClient) client.start();
    for (let k = 0; k < records.length; k++) {
      let r = records[k] as Uint8Array;
      if (k === which) {
        r = r.slice();
        r[at] = (r[at] as number) ^ (1 + Math.floor(next() * 255));
      }
      const out = victim.handle(r);
      for (const o of out.records) assert.ok(o instanceof Uint8Array);
      if (victim.status === "closed") break;
    }
    let outcome: string;
    if (victim.status === "closed") {
      assert.ok(victim.failure, "closed without a failure");
      assert.ok(ALERTS.has(alertFor(victim.failure.failure)));
      outcome = victim.failure.failure;
    } else outcome = victim.status;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return outcomes;
}
