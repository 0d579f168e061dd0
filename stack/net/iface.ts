/**
 * One Ethernet interface with IPv4 on it, as a sans-IO core (smoltcp's `iface`): frames in
 * (`receive`), frames out (`frames`, drained by the driver), timers as data (`pollAt`).
 * It demultiplexes to ARP, IPv4 reassembly, ICMP, UDP ports, the DHCP client and the TCP
 * core, and routes what they send (subnet or gateway, ARP, fragmentation).
 *
 * The TCP core is anything `TcpLayer`-shaped: the interface only moves segments.
 */
import { ETHERNET_HEADER_LEN } from "../devices/netif.ts";
import type { Tracer } from "../trace/index.ts";
import {
  broadcastOf,
  formatCidr,
  formatIpv4,
  type Ipv4Address,
  isGroupMac,
  MAC_BROADCAST,
  sameMac,
  writeU16,
} from "./addr.ts";
import { ARP_LEN, ArpCache, type ArpOptions, emitArp } from "./arp.ts";
import { Counters } from "./counters.ts";
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT, DhcpClient, type Lease } from "./dhcp.ts";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ethernetFrame } from "./ethernet.ts";
import {
  destinationUnreachable,
  echoReply,
  ICMP_ECHO_REQUEST,
  mayAnswerWithError,
  parseIcmp,
  RateLimiter,
  UNREACH_PORT,
  UNREACH_PROTOCOL,
} from "./icmp.ts";
import {
  emitIpv4,
  type Ipv4Config,
  type Ipv4Packet,
  nextHop,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  parseIpv4,
  Reassembler,
  type ReassemblyOptions,
} from "./ipv4.ts";
import { type IpAddr, ipv4 } from "./tcp/addr.ts";
import { emitUdp, parseUdp } from "./udp.ts";

/** What the interface needs of a TCP implementation (stack/net/tcp's TcpCore). */
export interface TcpLayer {
  /** A whole segment from an IPv4 payload addressed to us; the layer checks its checksum. */
  receive(src: IpAddr, dst: IpAddr, segment: Uint8Array, nowNs: bigint): void;
  /** Segments to send now, checksums filled. */
  poll(nowNs: bigint): { src: IpAddr; dst: IpAddr; segment: Uint8Array }[];
  pollAt(): bigint | null;
}

/** A datagram for a bound UDP port. */
export interface UdpReceived {
  src: Ipv4Address;
  srcPort: number;
  dst: Ipv4Address;
  dstPort: number;
  payload: Uint8Array;
}

export interface InterfaceOptions {
  mac: Uint8Array;
  /** IP MTU (Ethernet payload), 1500. */
  mtu?: number;
  /** A static configuration, or "dhcp" (the interface runs the client and configures itself). */
  ipv4: Ipv4Config | "dhcp";
  /** Random 32-bit values (DHCP transaction ids, IP ids). */
  random: () => number;
  tcp?: TcpLayer;
  tracer?: Tracer;
  arp?: Partial<ArpOptions>;
  reassembly?: Partial<ReassemblyOptions>;
  /** ICMP errors per second and burst (RFC 1812 §4.3.2.8). */
  icmpRate?: { perSecond: number; burst: number };
}

export class Interface {
  /** Frames to transmit, oldest first; the driver drains it. */
  readonly frames: Uint8Array[] = [];
  /**
   * Frames to our own address (an app talking to itself): never on the wire; the driver
   * feeds them back with `deliverLoopback`.
   */
  readonly loopback: Uint8Array[] = [];
  /** Datagrams that arrived for bound UDP ports; the driver drains it. */
  readonly udpReceived: UdpReceived[] = [];
  readonly counters = {
    eth: new Counters(),
    ip: new Counters(),
    icmp: new Counters(),
    udp: new Counters(),
  };
  readonly arp: ArpCache;
  readonly dhcp: DhcpClient | null;
  readonly mtu: number;
  private readonly mac: Uint8Array;
  private readonly reassembler: Reassembler;
  private readonly icmpLimiter: RateLimiter;
  private readonly udpPorts = new Set<number>();
  private readonly tcp: TcpLayer | undefined;
  private readonly tracer: Tracer | undefined;
  private cfg: Ipv4Config | null = null;
  private ipId: number;

  constructor(o: InterfaceOptions, nowNs: bigint) {
    this.mac = o.mac;
    this.mtu = o.mtu ?? 1500;
    this.tcp = o.tcp;
    this.tracer = o.tracer;
    this.arp = new ArpCache(o.mac, o.arp);
    this.reassembler = new Reassembler(this.counters.ip, o.reassembly);
    this.icmpLimiter = new RateLimiter(o.icmpRate?.perSecond ?? 100, o.icmpRate?.burst ?? 50);
    this.ipId = o.random() & 0xffff;
    if (o.ipv4 === "dhcp") {
      this.dhcp = new DhcpClient(o.mac, { random: o.random, tracer: o.tracer });
      this.dhcp.start(nowNs);
      this.afterDhcp(nowNs);
    } else {
      this.dhcp = null;
      this.configure(o.ipv4, nowNs);
    }
  }

  /** The current IPv4 configuration; null while DHCP has no lease. */
  get config(): Ipv4Config | null {
    return this.cfg;
  }

  /** Sets (or clears) the address: ARP announces it (RFC 5227 §2.3). */
  configure(cfg: Ipv4Config | null, nowNs: bigint): void {
    this.cfg = cfg;
    this.arp.setAddress(cfg ? cfg.cidr.address : 0, nowNs);
    if (this.tracer)
      this.tracer.event({
        layer: "ip",
        id: "ipv4",
        name: "configured",
        atNs: nowNs,
        state: {
          address: cfg ? formatCidr(cfg.cidr) : null,
          gateway: cfg?.gateway != null ? formatIpv4(cfg.gateway) : null,
        },
      });
    this.flushArp();
  }

  /**
   * The link came back up: announce our address again (RFC 5227 §2.3), since neighbours
   * may have changed while it was down.
   */
  linkUp(nowNs: bigint): void {
    const cfg = this.cfg;
    if (!cfg) return;
    this.arp.setAddress(0, nowNs);
    this.arp.setAddress(cfg.cidr.address, nowNs);
    this.flushArp();
  }

  bindUdp(port: number): boolean {
    if (this.udpPorts.has(port) || (port === DHCP_CLIENT_PORT && this.dhcp)) return false;
    this.udpPorts.add(port);
    return true;
  }

  unbindUdp(port: number): void {
    this.udpPorts.delete(port);
  }

  isUdpBound(port: number): boolean {
    return this.udpPorts.has(port);
  }

  /** One received frame. Never throws: what cannot be used is counted and dropped. */
  receive(frame: Uint8Array, nowNs: bigint): void {
    const eth = this.counters.eth;
    if (frame.length < ETHERNET_HEADER_LEN) {
      eth.inc("drop-truncated");
      return;
    }
    if (!sameMac(frame, 0, this.mac) && !sameMac(frame, 0, MAC_BROADCAST)) {
      // Multicast and other stations' frames (a tap in promiscuous company).
      eth.inc(isGroupMac(frame) ? "drop-multicast" : "drop-not-ours");
      return;
    }
    const type = (frame[12] as number) * 256 + (frame[13] as number);
    const payload = frame.subarray(ETHERNET_HEADER_LEN);
    if (type === ETHERTYPE_ARP) {
      this.arp.input(payload, nowNs);
      this.flushArp();
    } else if (type === ETHERTYPE_IPV4) {
      this.receiveIpv4(payload, nowNs);
    } else {
      eth.inc("drop-ethertype");
    }
  }

  private receiveIpv4(bytes: Uint8Array, nowNs: bigint): void {
    const ip = this.counters.ip;
    let p = parseIpv4(bytes, ip);
    if (!p) return;
    const h = p.header;
    const cfg = this.cfg;
    const ours = cfg !== null && h.dst === cfg.cidr.address;
    const broadcast = h.dst === 0xffffffff || (cfg !== null && h.dst === broadcastOf(cfg.cidr));
    // Unconfigured, a DHCP client must see replies sent to the offered address (RFC 2131 §4.1).
    const dhcpWhileUnconfigured = cfg === null && this.dhcp !== null && h.protocol === PROTO_UDP;
    if (!ours && !broadcast && !dhcpWhileUnconfigured) {
      ip.inc("drop-not-ours");
      return;
    }
    if (h.moreFragments || h.fragmentOffset !== 0) {
      const whole = this.reassembler.add(p, nowNs);
      if (!whole) return;
      p = {
        header: { ...h, moreFragments: false, fragmentOffset: 0, totalLength: whole.length + 20 },
        payload: whole,
        bytes: p.bytes,
      };
    }
    ip.inc("rx");
    switch (h.protocol) {
      case PROTO_ICMP:
        this.receiveIcmp(p, ours, nowNs);
        return;
      case PROTO_UDP:
        this.receiveUdp(p, ours, broadcast, nowNs);
        return;
      case PROTO_TCP:
        if (!ours || !this.tcp) {
          ip.inc(ours ? "drop-no-tcp" : "drop-tcp-broadcast");
          return;
        }
        this.tcp.receive(ipv4(h.src), ipv4(h.dst), p.payload, nowNs);
        return;
      default:
        ip.inc("drop-protocol");
        if (ours) this.icmpError(UNREACH_PROTOCOL, p, nowNs);
    }
  }

  private receiveIcmp(p: Ipv4Packet, ours: boolean, nowNs: bigint): void {
    const icmp = this.counters.icmp;
    const m = parseIcmp(p.payload, icmp);
    if (!m) return;
    // RFC 1122 §3.2.2.6: answer echo requests; broadcast ones may be ignored (Linux does).
    if (m.type === ICMP_ECHO_REQUEST && ours) {
      icmp.inc("echo");
      this.sendIp(p.header.src, PROTO_ICMP, echoReply(m), nowNs);
      return;
    }
    icmp.inc(`rx-type-${m.type}`);
  }

  private receiveUdp(p: Ipv4Packet, ours: boolean, broadcast: boolean, nowNs: bigint): void {
    const h = p.header;
    const d = parseUdp(h.src, h.dst, p.payload, this.counters.udp);
    if (!d) return;
    if (d.dstPort === DHCP_CLIENT_PORT && this.dhcp && d.srcPort === DHCP_SERVER_PORT) {
      this.dhcp.input(d.payload, nowNs);
      this.afterDhcp(nowNs);
      return;
    }
    if (!ours && !broadcast) {
      this.counters.udp.inc("drop-not-ours");
      return;
    }
    if (this.udpPorts.has(d.dstPort)) {
      this.udpReceived.push({
        src: h.src,
        srcPort: d.srcPort,
        dst: h.dst,
        dstPort: d.dstPort,
        payload: d.payload,
      });
      return;
    }
    this.counters.udp.inc("drop-no-port");
    if (ours) this.icmpError(UNREACH_PORT, p, nowNs);
  }

  private icmpError(code: number, p: Ipv4Packet, nowNs: bigint): void {
    if (!mayAnswerWithError(p, false)) return;
    if (!this.icmpLimiter.take(nowNs)) {
      this.counters.icmp.inc("rate-limited");
      return;
    }
    this.counters.icmp.inc(`tx-unreachable-${code}`);
    this.sendIp(p.header.src, PROTO_ICMP, destinationUnreachable(code, p), nowNs);
  }

  /** Sends a UDP datagram; false when there is no route (or no address yet). */
  sendUdp(
    srcPort: number,
    dst: Ipv4Address,
    dstPort: number,
    payload: Uint8Array,
    nowNs: bigint,
  ): boolean {
    const cfg = this.cfg;
    if (!cfg) return false;
    return this.sendIp(
      dst,
      PROTO_UDP,
      emitUdp(cfg.cidr.address, dst, srcPort, dstPort, payload),
      nowNs,
    );
  }

  /**
   * Routes and sends one IP payload: broadcasts go to the broadcast MAC, the rest through
   * ARP to the next hop (the destination in the subnet, else the gateway).
   */
  sendIp(
    dst: Ipv4Address,
    protocol: number,
    payload: Uint8Array,
    nowNs: bigint,
    src?: Ipv4Address,
  ): boolean {
    const cfg = this.cfg;
    const from = src ?? (cfg ? cfg.cidr.address : 0);
    const isBroadcast = dst === 0xffffffff || (cfg !== null && dst === broadcastOf(cfg.cidr));
    const hop = isBroadcast ? dst : cfg ? nextHop(cfg, dst) : null;
    if (hop === null) {
      this.counters.ip.inc("drop-no-route");
      return false;
    }
    this.ipId = (this.ipId + 1) & 0xffff;
    const packets = emitIpv4(
      { src: from, dst, protocol, id: this.ipId },
      payload,
      this.mtu,
      ETHERNET_HEADER_LEN,
    );
    if (!packets) {
      this.counters.ip.inc("drop-too-big");
      return false;
    }
    this.counters.ip.inc("tx", packets.length);
    const toSelf = cfg !== null && dst === cfg.cidr.address;
    for (const framed of packets) {
      if (toSelf) this.loopback.push(this.frame(this.mac, ETHERTYPE_IPV4, framed));
      else if (isBroadcast) this.frames.push(this.frame(MAC_BROADCAST, ETHERTYPE_IPV4, framed));
      else this.arp.send(hop, framed, nowNs);
    }
    this.flushArp();
    return true;
  }

  private frame(dst: Uint8Array, type: number, framed: Uint8Array): Uint8Array {
    framed.set(dst.subarray(0, 6), 0);
    framed.set(this.mac, 6);
    writeU16(framed, 12, type);
    return framed;
  }

  private flushArp(): void {
    for (const o of this.arp.outputs.splice(0)) {
      if (o.kind === "resolved") {
        this.frames.push(this.frame(o.dstMac, ETHERTYPE_IPV4, o.packet));
      } else {
        const f = ethernetFrame(o.dstMac, this.mac, ETHERTYPE_ARP, ARP_LEN);
        emitArp(o.packet, f, ETHERNET_HEADER_LEN);
        this.frames.push(f);
      }
    }
  }

  private afterDhcp(nowNs: bigint): void {
    const dhcp = this.dhcp;
    if (!dhcp) return;
    // Outputs first: a RELEASE goes out while the address still routes.
    for (const out of dhcp.outputs.splice(0)) {
      const udp = emitUdp(out.src, out.dst, DHCP_CLIENT_PORT, DHCP_SERVER_PORT, out.payload);
      this.sendIp(out.dst, PROTO_UDP, udp, nowNs, out.src);
    }
    for (const ev of dhcp.events.splice(0)) {
      if (ev.kind === "bound") this.configure(leaseConfig(ev.lease), nowNs);
      else this.configure(null, nowNs);
    }
  }

  /**
   * Runs every timer that is due and collects TCP's segments. `tcpBudget` caps how many TCP
   * segments are taken (the driver passes 0 while the device refuses frames: backpressure).
   */
  poll(nowNs: bigint, tcpBudget = Number.POSITIVE_INFINITY): void {
    this.arp.poll(nowNs);
    this.flushArp();
    this.reassembler.poll(nowNs);
    if (this.dhcp) {
      this.dhcp.poll(nowNs);
      this.afterDhcp(nowNs);
    }
    if (this.tcp && tcpBudget > 0) {
      for (const s of this.tcp.poll(nowNs))
        this.sendIp(s.dst.n, PROTO_TCP, s.segment, nowNs, s.src.n);
    }
  }

  /** Receives the frames sent to our own address so far; frames they cause wait for the next call. */
  deliverLoopback(nowNs: bigint): void {
    for (const f of this.loopback.splice(0)) this.receive(f, nowNs);
  }

  /** The earliest deadline of any timer here or in TCP; null when all are idle. */
  pollAt(): bigint | null {
    let at: bigint | null = null;
    for (const t of [
      this.arp.pollAt(),
      this.reassembler.pollAt(),
      this.dhcp?.pollAt() ?? null,
      this.tcp?.pollAt() ?? null,
    ]) {
      if (t !== null && (at === null || t < at)) at = t;
    }
    return at;
  }

  /** All counters as plain data, by layer (for tests and the debugger). */
  stats(): Record<"eth" | "arp" | "ip" | "icmp" | "udp" | "dhcp", Record<string, number>> {
    return {
      eth: this.counters.eth.snapshot(),
      arp: this.arp.counters.snapshot(),
      ip: this.counters.ip.snapshot(),
      icmp: this.counters.icmp.snapshot(),
      udp: this.counters.udp.snapshot(),
      dhcp: this.dhcp?.counters.snapshot() ?? {},
    };
  }
}

export function leaseConfig(l: Lease): Ipv4Config {
  return { cidr: { address: l.address, prefixLength: l.prefixLength }, gateway: l.gateway };
}
