/**
 * The tap bridge of the direct target: socat creates a Linux tap and relays its Ethernet
 * frames, one per UDP datagram, to the stack's UdpNetif (`iff-no-pi`: no 4-byte packet-info
 * header, or ARP fails). Optionally the tap moves into a network namespace (tests), and
 * dnsmasq serves DHCP on it. Needs root (CAP_NET_ADMIN) and /dev/net/tun.
 *
 * socat's UDP side is UDP-DATAGRAM (an unconnected socket): with `UDP:` (connected), the
 * ICMP port-unreachable of a frame sent before the stack binds ends socat.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TapBridgeOptions {
  /** Interface name (at most 15 characters). */
  tap: string;
  /** The Linux side's address on the tap, with prefix, e.g. "10.77.0.1/24". */
  hostCidr: string;
  /** The UDP port the stack's UdpNetif is bound to on 127.0.0.1. */
  stackPort: number;
  /** socat's UDP port (default: a free one). */
  socatPort?: number;
  /** Move the tap into this network namespace (it must exist). */
  netns?: string;
  /** Serve DHCP on the tap with dnsmasq, leasing addresses from..to. */
  dhcp?: { from: string; to: string; leaseSeconds?: number };
}

export interface TapBridge {
  readonly tap: string;
  readonly socatPort: number;
  /** dnsmasq's lease file, when serving DHCP. */
  readonly leaseFile: string | null;
  /** Stops dnsmasq and socat (the tap goes with socat). Idempotent. */
  close(): Promise<void>;
}

/** Why the bridge cannot be set up by this process, or null when it can. */
export function bridgeProblem(needDhcp = false): string | null {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return "creating a tap needs root (CAP_NET_ADMIN)";
  }
  try {
    accessSync("/dev/net/tun", constants.R_OK | constants.W_OK);
  } catch {
    return "/dev/net/tun is missing (load the tun module: modprobe tun)";
  }
  for (const [cmd, pkg] of [
    ["socat", "socat"],
    ["ip", "iproute2"],
    ...(needDhcp ? [["dnsmasq", "dnsmasq-base"]] : []),
  ] as [string, string][]) {
    if (!hasCommand(cmd)) return `${cmd} is missing (apt-get install ${pkg})`;
  }
  return null;
}

function hasCommand(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {}
  }
  for (const dir of ["/usr/sbin", "/sbin"]) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

function maskOf(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join(".");
}

function socatArgs(o: TapBridgeOptions, socatPort: number): string[] {
  // In a namespace the address is set there after the move; in place socat sets it.
  const tun = o.netns
    ? `TUN,tun-type=tap,tun-name=${o.tap},iff-no-pi`
    : `TUN:${o.hostCidr},tun-type=tap,tun-name=${o.tap},iff-up,iff-no-pi`;
  return [tun, `UDP-DATAGRAM:127.0.0.1:${o.stackPort},bind=127.0.0.1:${socatPort}`];
}

function dnsmasqArgs(o: TapBridgeOptions, dir: string): string[] {
  const d = o.dhcp;
  if (!d) return [];
  const prefix = Number(o.hostCidr.split("/")[1]);
  return [
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    "--port=0", // no DNS, DHCP only
    "--no-resolv",
    "--no-hosts",
    `--interface=${o.tap}`,
    "--bind-interfaces",
    "--dhcp-authoritative",
    `--dhcp-range=${d.from},${d.to},${maskOf(prefix)},${d.leaseSeconds ?? 120}`,
    `--dhcp-leasefile=${join(dir, "leases")}`,
    `--pid-file=${join(dir, "pid")}`,
    "--user=root",
    "--log-facility=-",
  ];
}

/** The commands `startTapBridge` runs, for people who must run them by hand (as root). */
export function bridgeCommands(o: TapBridgeOptions & { socatPort: number }): string[] {
  const q = (args: string[]) =>
    args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(" ");
  const lines = [`socat ${q(socatArgs(o, o.socatPort))} &`];
  if (o.netns) {
    lines.push(
      `ip link set ${o.tap} netns ${o.netns}`,
      `ip -n ${o.netns} addr add ${o.hostCidr} dev ${o.tap}`,
      `ip -n ${o.netns} link set ${o.tap} up`,
    );
  }
  if (o.dhcp) {
    const pre = o.netns ? `ip netns exec ${o.netns} ` : "";
    lines.push(`${pre}dnsmasq ${q(dnsmasqArgs(o, "/tmp"))} &`);
  }
  return lines;
}

/** A UDP port free on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function must(cmd: string, args: string[]): Promise<void> {
  const r = await run(cmd, args);
  if (r.code !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Starts a child and rejects if it exits within `graceMs` (a bad argument, a busy name). */
function startDaemon(
  cmd: string,
  args: string[],
  label: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => {
    out = (out + d).slice(-4000);
  });
  child.stderr?.on("data", (d) => {
    out = (out + d).slice(-4000);
  });
  child.on("error", (e) => {
    out += `\n${label}: ${e.message}`;
  });
  return { child, output: () => out };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Sets the bridge up; `close()` tears it down. Throws with the reason if anything fails. */
export async function startTapBridge(o: TapBridgeOptions): Promise<TapBridge> {
  const problem = bridgeProblem(o.dhcp !== undefined);
  if (problem) throw new Error(`cannot set up the tap bridge: ${problem}`);
  const socatPort = o.socatPort ?? (await freeUdpPort());
  const socat = startDaemon("socat", socatArgs(o, socatPort), "socat");
  let dnsmasq: ReturnType<typeof startDaemon> | null = null;
  const dir = mkdtempSync(join(tmpdir(), "morgana-direct-"));
  const close = async () => {
    if (dnsmasq) await stop(dnsmasq.child);
    await stop(socat.child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // socat creates the tap: wait for it to exist.
    const ns: string[] = [];
    for (let i = 0; ; i++) {
      if (socat.child.exitCode !== null) throw new Error(`socat exited: ${socat.output().trim()}`);
      if ((await run("ip", ["link", "show", "dev", o.tap])).code === 0) break;
      if (i > 100) throw new Error(`the tap ${o.tap} did not appear: ${socat.output().trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (o.netns) {
      ns.push("-n", o.netns);
      await must("ip", ["link", "set", o.tap, "netns", o.netns]);
      await must("ip", [...ns, "addr", "add", o.hostCidr, "dev", o.tap]);
      await must("ip", [...ns, "link", "set", o.tap, "up"]);
    }
    if (o.dhcp) {
      const args = dnsmasqArgs(o, dir);
      dnsmasq = o.netns
        ? startDaemon("ip", ["netns", "exec", o.netns, "dnsmasq", ...args], "dnsmasq")
        : startDaemon("dnsmasq", args, "dnsmasq");
      // dnsmasq writes its pid file once it is listening.
      for (let i = 0; ; i++) {
        if (dnsmasq.child.exitCode !== null)
          throw new Error(`dnsmasq exited: ${dnsmasq.output().trim()}`);
        try {
          if (readFileSync(join(dir, "pid"), "utf8").trim() !== "") break;
        } catch {}
        if (i > 100) throw new Error(`dnsmasq did not start: ${dnsmasq.output().trim()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { tap: o.tap, socatPort, leaseFile: o.dhcp ? join(dir, "leases") : null, close };
}
