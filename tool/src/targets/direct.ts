/**
 * The direct target: the app in a Node process, as on unix, but its network is Morgana's own
 * TCP/IP stack (stack/net) over a Linux tap. `launch` sets the tap bridge up (socat, and
 * dnsmasq when the net device asks for DHCP) and the cleanup hook tears it down; it needs
 * root, and otherwise prints the exact commands to run instead.
 *
 * The bridge code is imported by path, not by package name: the CLI bundle keeps packages
 * external, and workspace packages are TypeScript that plain Node cannot load.
 */
import {
  bridgeCommands,
  bridgeProblem,
  freeUdpPort,
  startTapBridge,
  type TapBridgeOptions,
} from "../../../runtime/direct/src/bridge.ts";
import type { DeviceConfigOf } from "../config/index.ts";
import type { Target } from "./types.ts";
import { httpPorts, placeNativeAead, unixTarget } from "./unix.ts";

const lit = (v: unknown) => JSON.stringify(v);

/** The host side's subnet when the unikernel takes its address by DHCP. */
const DHCP_HOST = "10.77.0.1/24";
const DHCP_RANGE = { from: "10.77.0.50", to: "10.77.0.150" };

function toU32(a: string): number {
  return a.split(".").reduce((n, p) => n * 256 + Number(p), 0);
}
function fromU32(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/**
 * The Linux side's address for a static unikernel address: its gateway when it names one,
 * else the first host of the subnet that is not the unikernel's own.
 */
export function hostSide(net: DeviceConfigOf<"net">): {
  hostCidr: string;
  dhcp?: TapBridgeOptions["dhcp"];
} {
  const ipv4 = net.options.ipv4;
  if (ipv4 === "dhcp") return { hostCidr: DHCP_HOST, dhcp: DHCP_RANGE };
  const prefix = ipv4.prefixLength;
  if (net.options.gateway) return { hostCidr: `${net.options.gateway}/${prefix}` };
  const size = 2 ** (32 - prefix);
  const own = toU32(ipv4.address);
  const network = own - (own % size);
  const host = network + 1 === own ? network + 2 : network + 1;
  return { hostCidr: `${fromU32(host)}/${prefix}` };
}

/** A tap name nobody else uses (15 characters at most). */
function tapName(): string {
  return `morgana${process.pid % 100_000}`;
}

export const directTarget: Target = {
  name: "direct",
  summary: "a Node process running Morgana's own TCP/IP over a Linux tap (needs root)",
  unavailable: null,
  // `--trace`: the unix runtime's trace channel; TCP (and IP, ARP, DHCP), TLS and HTTP report to it.
  flags: ["trace"],
  wiring: {
    boot: "direct.boot",
    tracer: "unix.tracer()",
    imports: {
      "@morgana/runtime-direct": "* as direct",
      // Console, clock, random and kv_ro are the unix target's own devices.
      "@morgana/runtime-unix": "* as unix",
      "@morgana/stack/http": "{ createHttpServer }",
      "@morgana/stack/tls": "{ createTlsStack }",
      "node:path": "{ resolve }",
      "node:url": "{ fileURLToPath }",
    },
    prelude: [
      "// The project root: the bundle lives in <root>/dist/direct/.",
      'const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");',
    ],
  },
  bundle: { platform: "node", format: "esm", target: "node20", file: (name) => `${name}.mjs` },
  artifact: (name) => `${name}.mjs`,
  // The same Node runtime as unix: the same exit codes.
  exitMeaning: unixTarget.exitMeaning,
  link: placeNativeAead,
  async launch({ config, root, artifact }) {
    const net = config.devices.find((d): d is DeviceConfigOf<"net"> => d.type === "net");
    const env: Record<string, string> = {};
    let cleanup: (() => Promise<void>) | undefined;
    if (net) {
      const side = hostSide(net);
      const stackPort = await freeUdpPort();
      // MORGANA_DIRECT_NETNS puts the tap in that network namespace (tests; isolation).
      const netns = process.env.MORGANA_DIRECT_NETNS || undefined;
      const options: TapBridgeOptions = {
        tap: tapName(),
        stackPort,
        ...side,
        ...(netns ? { netns } : {}),
      };
      const problem = bridgeProblem(side.dhcp !== undefined);
      if (problem) {
        const socatPort = await freeUdpPort();
        const commands = bridgeCommands({ ...options, socatPort });
        return {
          diagnostics: [
            {
              severity: "error",
              code: "launch-error",
              message: `the direct target cannot set up its tap bridge: ${problem}`,
              hint: `Run morgana as root, or run these as root and then start the unikernel with MORGANA_DIRECT_PORT=${stackPort} MORGANA_DIRECT_PEER=${socatPort} node ${artifact}:\n  ${commands.join("\n  ")}`,
            },
          ],
        };
      }
      try {
        const bridge = await startTapBridge(options);
        env.MORGANA_DIRECT_PORT = String(stackPort);
        env.MORGANA_DIRECT_PEER = String(bridge.socatPort);
        cleanup = () => bridge.close();
        process.stderr.write(`direct: tap ${bridge.tap}, Linux side ${side.hostCidr}\n`);
      } catch (e) {
        return {
          diagnostics: [{ severity: "error", code: "launch-error", message: (e as Error).message }],
        };
      }
    }
    return {
      command: process.execPath,
      args: ["--enable-source-maps", artifact],
      cwd: root,
      env,
      ...(cleanup ? { cleanup } : {}),
    };
  },
  devices: {
    console: unixTarget.devices.console,
    clock: unixTarget.devices.clock,
    random: unixTarget.devices.random,
    kv_ro: unixTarget.devices.kv_ro,
    net: {
      summary: "Morgana's TCP/IP (stack/net) over a Linux tap bridged by socat; DHCP or static",
      construct: (d, ctx) => {
        const ipv4 = d.options.ipv4;
        const v = ipv4 === "dhcp" ? lit("dhcp") : lit(`${ipv4.address}/${ipv4.prefixLength}`);
        const gateway = d.options.gateway ? lit(d.options.gateway) : "null";
        const tracer = ctx.tracer === undefined ? "" : `, tracer: ${ctx.tracer}`;
        return `direct.createDirectStack({ ipv4: ${v}, gateway: ${gateway}, announce: ${httpPorts(d, ctx)}${tracer} })`;
      },
    },
    tls: unixTarget.devices.tls,
    http: unixTarget.devices.http,
  },
};
