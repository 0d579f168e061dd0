/** Device interfaces: what a unikernel's `start(devices)` receives. Pure TypeScript. */

export { type Block, BlockError, type BlockErrorCode } from "./block.ts";
export { type Clock, NS_PER_MS, NS_PER_S } from "./clock.ts";
export type { Console } from "./console.ts";
export {
  type Dns,
  type DnsAddress,
  DnsError,
  type DnsErrorCode,
  type DnsRecordType,
} from "./dns.ts";
export { KvError, type KvErrorCode, type KvRo, type KvRw } from "./kv.ts";
export { ETHERNET_HEADER_LEN, type Netif } from "./netif.ts";
export type { Random } from "./random.ts";
export {
  type Datagram,
  type Endpoint,
  type Flow,
  type Stack,
  StackError,
  type StackErrorCode,
  type Tcp,
  type TcpListener,
  type Udp,
  type UdpSocket,
} from "./stack.ts";
