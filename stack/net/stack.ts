/**
 * Morgana's own `Stack` (stack/devices/stack.ts) over a `Netif`: the interface core
 * (iface.ts: Ethernet, ARP, IPv4, ICMP, UDP, DHCP) and the TCP core, driven by an injected
 * clock. The same code on every target but unix.
 *
 * The event loop is small: `service()` drains received frames into the cores, hands their
 * events to flows and sockets, polls the timers, and offers frames to the device; then it
 * sleeps until the earliest `pollAt()`, a device change (`netif.ready()`), or an
 * application call (`kick()`), whichever comes first.
 */
import { type Clock, NS_PER_MS, NS_PER_S } from "../devices/clock.ts";
import type { Netif } from "../devices/netif.ts";
import type { Random } from "../devices/random.ts";
import {
  type Datagram,
  type Endpoint,
  type Flow,
  type Stack,
  StackError,
  type TcpListener,
  type UdpSocket,
} from "../devices/stack.ts";
import type { Tracer } from "../trace/index.ts";
import { formatIpv4, type Ipv4Address, parseCidr, parseIpv4 } from "./addr.ts";
import { NetFlow } from "./flow.ts";
import { Interface } from "./iface.ts";
import { type Ipv4Config, nextHop } from "./ipv4.ts";
import { Signal } from "./signal.ts";
import {
  type ConnId,
  formatIp,
  ipv4,
  TcpCore,
  type TcpCoreOptions,
  type TcpEvent,
} from "./tcp/index.ts";

export interface NetStackOptions {
  /** "dhcp", or a static "a.b.c.d/nn" (or the config model's {address, prefixLength}). */
  ipv4: "dhcp" | string | { address: string; prefixLength: number };
  /** Default gateway with a static address. */
  gateway?: string | null;
  /** How long `configured()` waits for a DHCP lease. Default 30 s. */
  dhcpTimeoutMs?: number;
  /** Receives TCP's events (and DHCP's and IP's configuration changes). */
  tracer?: Tracer;
  /** TCP tuning (buffers, RTO bounds, ...); `random` and `tracer` come from the stack. */
  tcp?: Omit<TcpCoreOptions, "random" | "tracer">;
  /** Connections waiting for accept per listener (and half-open ones kept). Default 256. */
  backlog?: number;
}

/** Frames held for a device that refuses them, beyond which new ones are dropped. */
const TX_BACKLOG_LIMIT = 4096;
/** Frames taken from the device per service round before yielding to the application. */
const RX_BATCH = 256;
const UDP_EPHEMERAL_LOW = 49152;

function staticConfig(o: NetStackOptions): Ipv4Config | null {
  if (o.ipv4 === "dhcp") return null;
  const cidr =
    typeof o.ipv4 === "string"
      ? parseCidr(o.ipv4)
      : (() => {
          const a = parseIpv4(o.ipv4.address);
          return a === null ? null : { address: a, prefixLength: o.ipv4.prefixLength };
        })();
  if (!cidr)
    throw new StackError("other", `not an IPv4 address with prefix: ${JSON.stringify(o.ipv4)}`);
  let gateway: Ipv4Address | null = null;
  if (o.gateway) {
    gateway = parseIpv4(o.gateway);
    if (gateway === null) throw new StackError("other", `not an IPv4 address: ${o.gateway}`);
  }
  return { cidr, gateway };
}

interface UdpBinding {
  port: number;
  onDatagram: (d: Datagram) => void;
}

export class NetStack implements Stack {
  readonly iface: Interface;
  readonly tcpCore: TcpCore;
  readonly tcp: Stack["tcp"];
  readonly udp: Stack["udp"];
  private readonly flows = new Map<ConnId, NetFlow>();
  private readonly connecting = new Map<
    ConnId,
    { resolve: (f: Flow) => void; reject: (e: unknown) => void; remote: Endpoint }
  >();
  private readonly listeners = new Map<number, (flow: Flow) => void>();
  private readonly udpBindings = new Map<number, UdpBinding>();
  private readonly txBacklog: Uint8Array[] = [];
  private readonly configuredSignal = new Signal();
  private readonly dhcpTimeoutMs: number;
  private readonly backlog: number;
  private scheduled = false;
  private timerAt: bigint | null = null;
  private closed = false;
  private linkWasUp = true;
  /** Frames received plus frames the device took, ever. */
  private framesMoved = 0;
  private nextUdpPort = UDP_EPHEMERAL_LOW;
  /** Frames dropped because the device refused them for too long. */
  txDropped = 0;

  constructor(
    private readonly netif: Netif,
    private readonly clock: Clock,
    random: Random,
    options: NetStackOptions,
  ) {
    const now = clock.monotonicNs();
    const u32 = new Uint32Array(1);
    const random32 = () => {
      random.fill(new Uint8Array(u32.buffer));
      return u32[0] as number;
    };
    this.dhcpTimeoutMs = options.dhcpTimeoutMs ?? 30_000;
    this.backlog = options.backlog ?? 256;
    this.tcpCore = new TcpCore({
      mss: netif.mtu - 40,
      // A burst of SYNs (a browser, `curl --parallel`) is held in full, with every option;
      // beyond the accept backlog's size, SYN cookies answer (a flood keeps no state).
      maxHalfOpen: this.backlog,
      ...options.tcp,
      random: (b) => random.fill(b),
      tracer: options.tracer,
    });
    const cfg = staticConfig(options);
    this.iface = new Interface(
      {
        mac: netif.mac,
        mtu: netif.mtu,
        ipv4: cfg ?? "dhcp",
        random: random32,
        tcp: this.tcpCore,
        tracer: options.tracer,
      },
      now,
    );
    this.tcp = {
      listen: (port, onFlow) => this.listen(port, onFlow),
      connect: (remote) => this.connect(remote),
    };
    this.udp = { bind: (port, onDatagram) => this.bindUdp(port, onDatagram) };
    void this.watchDevice();
    this.kick();
  }

  addresses(): string[] {
    const c = this.iface.config;
    return c ? [formatIpv4(c.cidr.address)] : [];
  }

  /**
   * Resolves once the interface has an address (at once when static; after the DHCP lease
   * otherwise). Rejects with StackError("timeout") after `dhcpTimeoutMs`.
   */
  async configured(): Promise<void> {
    if (this.iface.config) return;
    const deadline = this.clock.monotonicNs() + BigInt(this.dhcpTimeoutMs) * 1_000_000n;
    while (!this.iface.config) {
      if (this.closed) throw new StackError("closed", "the stack is closed");
      const left = deadline - this.clock.monotonicNs();
      if (left <= 0n) {
        throw new StackError(
          "timeout",
          `no DHCP lease after ${this.dhcpTimeoutMs / 1000} s: is a DHCP server on the link? (or set a static ipv4 address on the net device)`,
        );
      }
      await Promise.race([this.configuredSignal.wait(), this.clock.sleepNs(left)]);
    }
  }

  /** Runs the cores soon (after the current call stack): after every application call. */
  kick(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    void Promise.resolve().then(() => {
      this.scheduled = false;
      this.service();
    });
  }

  private async watchDevice(): Promise<void> {
    let pause = NS_PER_MS;
    while (!this.closed) {
      await this.netif.ready();
      if (this.closed) return;
      const before = this.framesMoved;
      this.service();
      if (this.framesMoved !== before || this.txBacklog.length > 0) {
        pause = NS_PER_MS;
        continue;
      }
      // A wake-up that moved no frame either way (a device closed under us resolves ready()
      // at once, forever): pause instead of spinning, longer each time, up to a second.
      await this.clock.sleepNs(pause);
      if (pause < NS_PER_S) pause *= 2n;
    }
  }

  /** One round: frames in, events out, timers, frames out, next wake-up. */
  service(): void {
    if (this.closed) return;
    const iface = this.iface;
    const wasConfigured = iface.config !== null;
    if (this.netif.linkUp !== this.linkWasUp) {
      this.linkWasUp = this.netif.linkUp;
      if (this.linkWasUp) iface.linkUp(this.clock.monotonicNs());
    }
    let now = this.clock.monotonicNs();
    let n = 0;
    while (n < RX_BATCH) {
      const frame = this.netif.receive();
      if (frame === null) break;
      iface.receive(frame, now);
      n++;
      this.framesMoved++;
    }
    if (n === RX_BATCH) this.kick(); // more may wait: come back after the application ran
    now = this.clock.monotonicNs();
    this.flushTx();
    iface.poll(now, this.txBacklog.length === 0 ? Number.POSITIVE_INFINITY : 0);
    // Packets to our own address, a few rounds of them (each answer makes more), then yield.
    for (let i = 0; i < 8 && iface.loopback.length > 0; i++) {
      iface.deliverLoopback(now);
      iface.poll(now, this.txBacklog.length === 0 ? Number.POSITIVE_INFINITY : 0);
    }
    if (iface.loopback.length > 0) this.kick();
    this.flushTx();
    this.dispatchEvents();
    this.deliverUdp();
    if (!wasConfigured && iface.config) this.configuredSignal.wake();
    if (wasConfigured && !iface.config) this.configuredSignal.wake();
    this.arm(now);
  }

  private flushTx(): void {
    const frames = this.iface.frames;
    if (frames.length > 0) {
      for (const f of frames) this.txBacklog.push(f);
      frames.length = 0;
    }
    let sent = 0;
    while (sent < this.txBacklog.length && this.netif.transmit(this.txBacklog[sent] as Uint8Array))
      sent++;
    if (sent > 0) {
      this.txBacklog.splice(0, sent);
      this.framesMoved += sent;
    }
    if (this.txBacklog.length > TX_BACKLOG_LIMIT) {
      const drop = this.txBacklog.length - TX_BACKLOG_LIMIT;
      this.txBacklog.splice(TX_BACKLOG_LIMIT, drop);
      this.txDropped += drop;
    }
  }

  private arm(now: bigint): void {
    const at = this.iface.pollAt();
    if (at === null) return;
    if (at <= now) {
      // Output waits in TCP: go on at once, unless the device is full (ready() wakes us).
      if (this.txBacklog.length === 0) this.kick();
      return;
    }
    if (this.timerAt !== null && this.timerAt <= at && this.timerAt > now) return;
    this.timerAt = at;
    void this.clock.sleepNs(at - now).then(() => {
      if (this.timerAt === at) this.timerAt = null;
      this.service();
    });
  }

  private dispatchEvents(): void {
    for (const e of this.tcpCore.takeEvents()) this.onTcpEvent(e);
  }

  private onTcpEvent(e: TcpEvent): void {
    if (e.type === "incoming") {
      const onFlow = this.listeners.get(e.port);
      for (let id = this.tcpCore.accept(e.port); id !== null; id = this.tcpCore.accept(e.port)) {
        const flow = this.flowFor(id);
        if (!onFlow) {
          flow.abort();
          continue;
        }
        try {
          onFlow(flow);
        } catch {
          // The application's handler threw: its flow is reset; the stack goes on.
          flow.abort();
        }
      }
      this.kick();
      return;
    }
    const pending = this.connecting.get(e.conn);
    if (pending) {
      if (e.type === "connected") {
        this.connecting.delete(e.conn);
        pending.resolve(this.flowFor(e.conn));
      } else if (e.type === "error") {
        this.connecting.delete(e.conn);
        this.tcpCore.close(e.conn);
        const code =
          e.error === "refused"
            ? "connection-refused"
            : e.error === "timeout"
              ? "unreachable"
              : "reset";
        const to = `${pending.remote.address}:${pending.remote.port}`;
        pending.reject(
          new StackError(
            code,
            `cannot connect to ${to}: ${e.error === "refused" ? "connection refused" : e.error === "timeout" ? "no answer" : "reset"}`,
          ),
        );
      }
      return;
    }
    this.flows.get(e.conn)?.onEvent(e);
  }

  private flowFor(id: ConnId): NetFlow {
    const existing = this.flows.get(id);
    if (existing) return existing;
    const info = this.tcpCore.info(id);
    const local = { address: info ? formatIp(info.local) : "0.0.0.0", port: info?.localPort ?? 0 };
    const remote = {
      address: info ? formatIp(info.remote) : "0.0.0.0",
      port: info?.remotePort ?? 0,
    };
    // Nagle off, as the unix target's host sockets (noDelay): a Flow's writes are already
    // whole messages (writev joins a head and its body), and Nagle plus the peer's delayed
    // ACK would hold each response's last segment for up to 40 ms (RFC 1122 §4.2.3.4).
    this.tcpCore.setNoDelay(id, true);
    const flow = new NetFlow(
      this.tcpCore,
      id,
      local,
      remote,
      () => this.kick(),
      (f) => this.flows.delete(f.id),
    );
    this.flows.set(id, flow);
    return flow;
  }

  private deliverUdp(): void {
    const received = this.iface.udpReceived;
    if (received.length === 0) return;
    const batch = received.splice(0);
    for (const d of batch) {
      const b = this.udpBindings.get(d.dstPort);
      if (!b) continue;
      try {
        b.onDatagram({ from: { address: formatIpv4(d.src), port: d.srcPort }, data: d.payload });
      } catch {
        // An application handler's exception must not stop the stack.
      }
    }
  }

  private async listen(port: number, onFlow: (flow: Flow) => void): Promise<TcpListener> {
    if (this.closed) throw new StackError("closed", "the stack is closed");
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new StackError("other", `not a port: ${port}`);
    if (this.listeners.has(port))
      throw new StackError(
        "address-in-use",
        `cannot listen on port ${port}: the port is already in use`,
      );
    this.tcpCore.listen(port, this.backlog);
    this.listeners.set(port, onFlow);
    return {
      port,
      close: async () => {
        if (this.listeners.get(port) !== onFlow) return;
        this.listeners.delete(port);
        this.tcpCore.unlisten(port);
        this.kick();
      },
    };
  }

  private async connect(remote: Endpoint): Promise<Flow> {
    const dst = parseIpv4(remote.address);
    if (dst === null) throw new StackError("unreachable", `not an IPv4 address: ${remote.address}`);
    await this.configured();
    const cfg = this.iface.config;
    if (!cfg || nextHop(cfg, dst) === null) {
      throw new StackError("unreachable", `no route to ${remote.address} (no gateway configured)`);
    }
    const id = this.tcpCore.connect(
      ipv4(cfg.cidr.address),
      ipv4(dst),
      remote.port,
      this.clock.monotonicNs(),
    );
    const flow = new Promise<Flow>((resolve, reject) =>
      this.connecting.set(id, { resolve, reject, remote }),
    );
    this.kick();
    return flow;
  }

  private async bindUdp(port: number, onDatagram: (d: Datagram) => void): Promise<UdpSocket> {
    if (this.closed) throw new StackError("closed", "the stack is closed");
    let p = port;
    if (p === 0) {
      for (let i = 0; i < 65536 - UDP_EPHEMERAL_LOW && this.iface.isUdpBound(this.nextUdpPort); i++)
        this.nextEphemeral();
      p = this.nextUdpPort;
      this.nextEphemeral();
    }
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      throw new StackError("other", `not a port: ${port}`);
    if (!this.iface.bindUdp(p))
      throw new StackError(
        "address-in-use",
        `cannot bind UDP port ${p}: the port is already in use`,
      );
    this.udpBindings.set(p, { port: p, onDatagram });
    const socket: UdpSocket = {
      port: p,
      send: async (to, data) => {
        const dst = parseIpv4(to.address);
        if (dst === null) throw new StackError("unreachable", `not an IPv4 address: ${to.address}`);
        if (!this.udpBindings.has(p)) throw new StackError("closed", "the socket is closed");
        await this.configured();
        if (!this.iface.sendUdp(p, dst, to.port, data, this.clock.monotonicNs())) {
          throw new StackError("unreachable", `no route to ${to.address}`);
        }
        this.kick();
      },
      close: async () => {
        if (this.udpBindings.get(p)?.onDatagram !== onDatagram) return;
        this.udpBindings.delete(p);
        this.iface.unbindUdp(p);
      },
    };
    return socket;
  }

  private nextEphemeral(): void {
    this.nextUdpPort = this.nextUdpPort >= 65535 ? UDP_EPHEMERAL_LOW : this.nextUdpPort + 1;
  }

  /** Connection records alive in the TCP core (for leak checks). */
  get liveConnections(): number {
    return this.tcpCore.liveConnections;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const f of [...this.flows.values()]) f.abort();
    for (const [id, c] of this.connecting) {
      this.tcpCore.abort(id);
      c.reject(new StackError("closed", "the stack is closed"));
    }
    this.connecting.clear();
    for (const port of this.listeners.keys()) this.tcpCore.unlisten(port);
    this.listeners.clear();
    this.udpBindings.clear();
    this.iface.dhcp?.release(this.clock.monotonicNs());
    // Send the resets and the release before the device goes.
    this.iface.poll(this.clock.monotonicNs());
    this.flushTx();
    this.closed = true;
    this.configuredSignal.wake();
    await this.netif.close();
  }
}
