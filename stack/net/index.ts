/**
 * Morgana's TCP/IP stack: Ethernet, ARP, IPv4, ICMP, UDP, DHCP and TCP as sans-IO cores, and
 * `NetStack`, the `Stack` device over a `Netif` (see docs/net.md).
 */
export {
  formatIpv4,
  type IpAddress,
  type Ipv4Address,
  type Ipv4Cidr,
  parseCidr,
  parseIpv4,
} from "./addr.ts";
export { Counters } from "./counters.ts";
export type { DhcpState, Lease } from "./dhcp.ts";
export { Interface, type InterfaceOptions, type TcpLayer, type UdpReceived } from "./iface.ts";
export { type Ipv4Config, nextHop } from "./ipv4.ts";
export { NetStack, type NetStackOptions } from "./stack.ts";
