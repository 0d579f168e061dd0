import { createClock, createRandom } from "@morgana/runtime-unix";
import type { Clock, Random, Stack, TcpListener } from "@morgana/stack/devices";
import { NetStack, type NetStackOptions } from "@morgana/stack/net";
import { UdpNetif } from "./udp_netif.ts";

/** Environment variables `morgana run -t direct` sets for the unikernel process. */
export const ENV_PORT = "MORGANA_DIRECT_PORT";
export const ENV_PEER = "MORGANA_DIRECT_PEER";

export interface DirectStackOptions extends Omit<NetStackOptions, "ipv4"> {
  ipv4: NetStackOptions["ipv4"];
  /** Local UDP port for frames (default: $MORGANA_DIRECT_PORT). */
  port?: number;
  /** The bridge's UDP port (default: $MORGANA_DIRECT_PEER). */
  peerPort?: number;
  /** port -> URL scheme: listening on these prints the URL the host reaches it at. */
  announce?: Record<number, string>;
  clock?: Clock;
  random?: Random;
}

function envPort(name: string): number {
  const v = Number(process.env[name]);
  if (!Number.isInteger(v) || v <= 0 || v > 65535) {
    throw new Error(
      `${name} is not set: the direct target runs under \`morgana run -t direct\`, which bridges a tap to it`,
    );
  }
  return v;
}

/**
 * The direct target's network stack: Morgana's TCP/IP (NetStack) over a UDP socket that
 * socat bridges to a Linux tap. Listening on an announced port prints its URL.
 */
export function createDirectStack(options: DirectStackOptions): NetStack {
  const netif = new UdpNetif({
    port: options.port ?? envPort(ENV_PORT),
    peerPort: options.peerPort ?? envPort(ENV_PEER),
  });
  const stack = new NetStack(
    netif,
    options.clock ?? createClock(),
    options.random ?? createRandom(),
    options,
  );
  const announce = options.announce ?? {};
  const listen = stack.tcp.listen;
  (stack.tcp as { listen: Stack["tcp"]["listen"] }).listen = async (
    port,
    onFlow,
  ): Promise<TcpListener> => {
    const l = await listen(port, onFlow);
    const scheme = announce[port];
    const address = stack.addresses()[0];
    if (scheme && address) process.stderr.write(`listening on ${scheme}://${address}:${port}/\n`);
    return l;
  };
  return stack;
}
