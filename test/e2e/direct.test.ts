import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freeUdpPort, startTapBridge, type TapBridge } from "../../runtime/direct/src/bridge.ts";
import { UdpNetif } from "../../runtime/direct/src/udp_netif.ts";
import { createRandom } from "../../runtime/unix/src/random.ts";
import { createHttpServer } from "../../stack/http/index.ts";
import { formatMac } from "../../stack/net/addr.ts";
import { NetStack } from "../../stack/net/stack.ts";
import {
  filesOf,
  makeNetns,
  netnsProblem,
  parallelGets,
  tapName,
  unrefClock,
} from "../unit/net/helpers/netns.ts";
import { REPO, removeDir, tempDir } from "./lib/morgana.ts";

/** Morgana's stack in this process, bridged to a tap inside a fresh namespace. */
async function setup(opts: {
  ipv4: string;
  hostCidr: string;
  dhcp?: { from: string; to: string };
}) {
  const problem = netnsProblem(opts.dhcp !== undefined);
  if (problem) assert.fail(`the direct tests need network namespaces and a tap: ${problem}`);
  const ns = await makeNetns();
  const socatPort = await freeUdpPort();
  const netif = new UdpNetif({ port: 0, peerPort: socatPort });
  const stackPort = await netif.bound;
  let bridge: TapBridge;
  try {
    bridge = await startTapBridge({
      tap: tapName(),
      hostCidr: opts.hostCidr,
      stackPort,
      socatPort,
      netns: ns.name,
      dhcp: opts.dhcp,
    });
  } catch (e) {
    await netif.close();
    await ns.remove();
    throw e;
  }
  const clock = unrefClock();
  const stack = new NetStack(netif, clock, createRandom(), {
    ipv4: opts.ipv4,
    dhcpTimeoutMs: 15_000,
  });
  return {
    ns,
    netif,
    stack,
    clock,
    bridge,
    async teardown() {
      await stack.close();
      await bridge.close();
      await ns.remove();
    },
  };
}

describe("e2e: Morgana's TCP/IP against Linux over a tap (direct)", function () {
  this.timeout(60_000);

  describe("static address", () => {
    let env: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      env = await setup({ ipv4: "10.201.0.2/24", hostCidr: "10.201.0.1/24" });
    });
    after(async () => {
      await env?.teardown();
    });

    it("Linux pings the stack and resolves it over ARP", async () => {
      const ping = await env.ns.exec("ping", ["-c", "3", "-i", "0.2", "-W", "2", "10.201.0.2"]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
      assert.match(ping.stdout, /3 received/);
      const neigh = await env.ns.exec("ip", ["neigh", "show", "10.201.0.2"]);
      assert.match(neigh.stdout, new RegExp(formatMac(env.netif.mac)));
      assert.equal(env.stack.iface.stats().icmp.echo, 3);
    });

    it("UDP: Linux's datagram reaches a bound socket, and the answer comes back", async () => {
      const seen: string[] = [];
      const sock = await env.stack.udp.bind(5353, (d) => {
        seen.push(`${d.from.address} ${new TextDecoder().decode(d.data)}`);
        void sock.send(
          d.from,
          new TextEncoder().encode(`echo:${new TextDecoder().decode(d.data)}`),
        );
      });
      try {
        const r = await env.ns.exec("sh", ["-c", "printf hello | socat -T2 - UDP:10.201.0.2:5353"]);
        assert.equal(r.stdout, "echo:hello", r.stderr);
        assert.deepEqual(seen, ["10.201.0.1 hello"]);
      } finally {
        await sock.close();
      }
    });

    it("a UDP port nobody bound answers port unreachable (Linux sees ECONNREFUSED)", async () => {
      // socat's connected UDP socket reports the ICMP error as ECONNREFUSED when it reads.
      const sh = await env.ns.exec("sh", ["-c", "printf x | socat -T2 - UDP:10.201.0.2:9999"]);
      assert.match(sh.stderr, /Connection refused/);
      assert.ok(
        (env.stack.iface.stats().icmp["tx-unreachable-3"] ?? 0) >= 1,
        sh.stdout + sh.stderr,
      );
    });

    it("curl gets every file of static-website byte-exact, and 200 parallel connections complete", async () => {
      const files = filesOf(join(REPO, "samples", "static-website", "htdocs"));
      // A larger file too, so responses span many segments.
      const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 8)) & 255);
      files.set("big.bin", big);
      const http = createHttpServer(env.stack, env.clock, 80);
      const serving = http.serve(async (req) => {
        const body = files.get(req.path.replace(/^\/+/, "") || "index.html");
        return body
          ? { status: 200, headers: [["Content-Type", "application/octet-stream"]], body }
          : { status: 404, headers: [], body: "no\n" };
      });
      const dir = tempDir("direct-curl");
      try {
        for (const [name, bytes] of files) {
          const out = join(dir, name.replaceAll("/", "_"));
          const r = await env.ns.exec("curl", [
            "-s",
            "-f",
            "--max-time",
            "20",
            "-o",
            out,
            `http://10.201.0.2/${name}`,
          ]);
          assert.equal(r.code, 0, `curl ${name}: ${r.stderr}`);
          const got = readFileSync(out);
          assert.equal(
            createHash("sha256").update(got).digest("hex"),
            createHash("sha256").update(bytes).digest("hex"),
            name,
          );
        }
        await parallelGets(
          env.ns,
          (i) => `http://10.201.0.2/index.html?n=${i}`,
          200,
          dir,
          files.get("index.html") as Uint8Array,
        );
      } finally {
        removeDir(dir);
        await http.close();
        await serving;
      }
    });
  });

  describe("DHCP", () => {
    let env: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      env = await setup({
        ipv4: "dhcp",
        hostCidr: "10.202.0.1/24",
        dhcp: { from: "10.202.0.50", to: "10.202.0.60" },
      });
    });
    after(async () => {
      await env?.teardown();
    });

    it("takes a lease from dnsmasq, is configured with it, and answers ping there", async () => {
      await env.stack.configured();
      const [address] = env.stack.addresses();
      assert.ok(address);
      const last = Number(address.split(".")[3]);
      assert.ok(address.startsWith("10.202.0.") && last >= 50 && last <= 60, address);
      const leases = readFileSync(env.bridge.leaseFile as string, "utf8");
      assert.match(
        leases,
        new RegExp(`${formatMac(env.netif.mac)} ${address.replaceAll(".", "\\.")}`),
      );
      assert.equal(env.stack.iface.dhcp?.state, "bound");
      const ping = await env.ns.exec("ping", ["-c", "2", "-i", "0.2", "-W", "2", address]);
      assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    });
  });
});
