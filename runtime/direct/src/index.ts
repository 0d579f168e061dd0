/** The direct target: Morgana's TCP/IP in a Node process over a Linux tap (see ./bridge.ts). */
export { createClock, createConsole, createKvRo, createRandom } from "@morgana/runtime-unix";
export { boot } from "./boot.ts";
export { createDirectStack, type DirectStackOptions, ENV_PEER, ENV_PORT } from "./stack.ts";
export { randomMac, UdpNetif, type UdpNetifOptions } from "./udp_netif.ts";
