/**
 * The network stack a unikernel sees (MirageOS `Mirage_stack.V4`): TCP flows and UDP
 * datagrams. On unix it is the host's sockets; on `direct` and boards it is Morgana's own
 * TCP/IP over a network interface.
 */

export interface Endpoint {
  /** Dotted IPv4 (or IPv6 text) address. */
  address: string;
  port: number;
}

/** Why a stack operation failed: a closed set, so callers can answer each case. */
export type StackErrorCode =
  | "address-in-use" // listen: the port is taken
  | "permission-denied" // listen: the port needs privileges
  | "connection-refused" // connect: peer answered with a reset
  | "unreachable" // connect: no route or no answer
  | "timeout"
  | "reset" // the peer reset an established flow
  | "closed" // the flow was already closed locally
  | "other";

export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StackError";
  }
}

/** One TCP connection. */
export interface Flow {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /**
   * Next bytes from the peer, `null` at end of stream (peer closed its side). Rejects with a
   * StackError("reset") if the connection was reset. One read at a time.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Queues bytes. Resolves when the stack can take more (backpressure): a writer that awaits
   * every write never buffers more than the stack's window. Rejects with StackError once the
   * flow is closed or reset. The caller must not change `data` after the call.
   */
  write(data: Uint8Array): Promise<void>;
  /** Writes several buffers as one (fewer segments). Same contract as `write`. */
  writev(data: Uint8Array[]): Promise<void>;
  /** Half-close: sends FIN after queued data; reading may go on until the peer closes. */
  shutdown(): Promise<void>;
  /** Closes both directions and frees the flow; idempotent. */
  close(): Promise<void>;
}

export interface TcpListener {
  readonly port: number;
  /** Stops accepting; flows already accepted go on. */
  close(): Promise<void>;
}

export interface Tcp {
  /**
   * Accepts connections on `port` (the unikernel's own port: a target may forward a
   * different host port to it). `onFlow` owns each flow it is given and must close it.
   */
  listen(port: number, onFlow: (flow: Flow) => void): Promise<TcpListener>;
  connect(remote: Endpoint): Promise<Flow>;
}

export interface Datagram {
  from: Endpoint;
  data: Uint8Array;
}

export interface UdpSocket {
  readonly port: number;
  send(to: Endpoint, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface Udp {
  /** Binds `port` (0 for any) and hands each datagram that arrives to `onDatagram`. */
  bind(port: number, onDatagram: (d: Datagram) => void): Promise<UdpSocket>;
}

export interface Stack {
  readonly tcp: Tcp;
  readonly udp: Udp;
  /** The stack's own IPv4 addresses (on unix: the host's). */
  addresses(): string[];
  /** Ends every flow and socket. */
  close(): Promise<void>;
}
