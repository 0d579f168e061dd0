import assert from "node:assert/strict";
import { createHash, randomFillSync } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { freeUdpPort, startTapBridge, type TapBridge } from "../../runtime/direct/src/bridge.ts";
import { UdpNetif } from "../../runtime/direct/src/udp_netif.ts";
import { createRandom } from "../../runtime/unix/src/random.ts";
import { NetStack } from "../../stack/net/stack.ts";
import { ImpairingRelay } from "../unit/net/helpers/impair.ts";
import { makeNetns, netnsProblem, tapName, unrefClock } from "../unit/net/helpers/netns.ts";
import { removeDir, tempDir } from "./lib/morgana.ts";

/** MB per direction; MORGANA_NETEM_MB=10 for a quicker run. */
const MB = Number(process.env.MORGANA_NETEM_MB ?? 100);
const IMPAIRED = { loss: 0.05, reorder: 0.1, duplicate: 0.01, delayMs: 5 };

/** A file of `bytes` random bytes and its SHA-256. */
function randomFile(path: string, bytes: number): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(1 << 20);
  for (let left = bytes; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    randomFillSync(piece);
    hash.update(piece);
    writeSync(fd, piece);
  }
  closeSync(fd);
  return hash.digest("hex");
}

describe(`e2e: ${MB} MB each way between Linux and Morgana, 5% loss, 10% reorder, 1% duplicate, 5 ms (direct)`, function () {
  this.timeout(900_000);
  let ns: Awaited<ReturnType<typeof makeNetns>>;
  let bridge: TapBridge;
  let stack: NetStack;
  let dir: string;
  let relay: ImpairingRelay;

  before(async () => {
    const problem = netnsProblem();
    if (problem) assert.fail(`the direct tests need network namespaces and a tap: ${problem}`);
    ns = await makeNetns();
    dir = tempDir("direct-netem");
    const socatPort = await freeUdpPort();
    const netif = new UdpNetif({ port: 0, peerPort: socatPort });
    // netem's impairment on the frames Linux sends (helpers/impair.ts says why not tc here).
    relay = new ImpairingRelay(await netif.bound, IMPAIRED);
    bridge = await startTapBridge({
      tap: tapName(),
      hostCidr: "10.206.0.1/24",
      stackPort: await relay.bound,
      socatPort,
      netns: ns.name,
    });
    stack = new NetStack(netif, unrefClock(), createRandom(), { ipv4: "10.206.0.2/24" });
  });

  after(async () => {
    await stack?.close();
    await bridge?.close();
    await relay?.close();
    await ns?.remove();
    if (dir) removeDir(dir);
  });

  /** Morgana hashes what one connection on `port` brings, resolving with the digest and length. */
  function receiveOnce(port: number): Promise<{ sha: string; length: number }> {
    return new Promise((resolve, reject) => {
      void stack.tcp
        .listen(port, (flow) => {
          void (async () => {
            const hash = createHash("sha256");
            let length = 0;
            for (let d = await flow.read(); d !== null; d = await flow.read()) {
              hash.update(d);
              length += d.length;
            }
            await flow.close();
            resolve({ sha: hash.digest("hex"), length });
          })().catch(reject);
        })
        .catch(reject);
    });
  }

  it("Linux -> Morgana: every byte, in order (sha256 equal)", async () => {
    const file = join(dir, "up");
    const sha = randomFile(file, MB * 1_000_000);
    const got = receiveOnce(9001);
    const send = await ns.exec("socat", ["-u", `OPEN:${file}`, "TCP:10.206.0.2:9001"]);
    assert.equal(send.code, 0, send.stderr);
    const r = await got;
    assert.equal(r.length, MB * 1_000_000);
    assert.equal(r.sha, sha);
  });

  it("Morgana -> Linux: every byte, in order (sha256 equal)", async () => {
    const file = join(dir, "down");
    const out = join(dir, "down.received");
    const sha = randomFile(file, MB * 1_000_000);
    const recv = ns.exec("socat", ["-u", "TCP-LISTEN:9002,reuseaddr", `CREATE:${out}`]);
    for (let i = 0; ; i++) {
      if ((await ns.exec("ss", ["-ltnH", "sport = :9002"])).stdout.trim() !== "") break;
      assert.ok(i < 200, "socat never listened");
      await new Promise((r) => setTimeout(r, 20));
    }
    const flow = await stack.tcp.connect({ address: "10.206.0.1", port: 9002 });
    const bytes = new Uint8Array(readFileSync(file));
    for (let off = 0; off < bytes.length; off += 256 * 1024)
      await flow.write(bytes.subarray(off, off + 256 * 1024));
    await flow.shutdown();
    const r = await recv;
    await flow.close();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(createHash("sha256").update(readFileSync(out)).digest("hex"), sha);
  });

  it("10 MB Linux -> Morgana under 20% loss: slow, but complete and in order", async () => {
    relay.impairment = { loss: 0.2, reorder: 0, duplicate: 0, delayMs: 5 };
    const file = join(dir, "lossy");
    const sha = randomFile(file, 10_000_000);
    const got = receiveOnce(9003);
    const send = await ns.exec("socat", ["-u", `OPEN:${file}`, "TCP:10.206.0.2:9003"]);
    assert.equal(send.code, 0, send.stderr);
    const r = await got;
    assert.equal(r.length, 10_000_000);
    assert.equal(r.sha, sha);
  });
});
