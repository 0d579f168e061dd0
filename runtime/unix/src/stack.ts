import { createSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import {
  type Datagram,
  type Stack,
  StackError,
  type TcpListener,
  type UdpSocket,
} from "@morgana/stack/devices";
import { SocketFlow, stackErrorOf } from "./socket_flow.ts";

export interface HostStackOptions {
  /** Host address to bind listeners to. Loopback by default: a dev target is not a server. */
  bindAddress?: string;
  /** guest port -> host port, from `targets.unix.ports`. Unmapped ports bind as they are. */
  tcpPorts?: Record<number, number>;
  udpPorts?: Record<number, number>;
  /** guest port -> URL scheme: listening on these ports prints the URL to stderr. */
  announce?: Record<number, string>;
}

/** The unix network stack: the host's TCP and UDP sockets. */
export function createHostStack(options: HostStackOptions = {}): Stack {
  const bindAddress = options.bindAddress ?? "127.0.0.1";
  const servers = new Set<Server>();
  const sockets = new Set<Socket>();
  const udpSockets = new Set<UdpSocket>();

  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };

  return {
    tcp: {
      listen(port, onFlow) {
        const hostPort = options.tcpPorts?.[port] ?? port;
        return new Promise<TcpListener>((resolve, reject) => {
          const server = createServer({ noDelay: true }, (socket) => {
            track(socket);
            onFlow(new SocketFlow(socket));
          });
          server.once("error", (err: NodeJS.ErrnoException) => {
            const e = stackErrorOf(err);
            const fwd = hostPort !== port ? ` (forwarded to the unikernel's port ${port})` : "";
            const why =
              e.code === "address-in-use"
                ? "the port is already in use"
                : e.code === "permission-denied"
                  ? "permission denied (ports below 1024 need privileges: forward a higher host port with targets.unix.ports)"
                  : err.message;
            reject(
              new StackError(e.code, `cannot listen on ${bindAddress}:${hostPort}${fwd}: ${why}`),
            );
          });
          server.listen({ port: hostPort, host: bindAddress }, () => {
            servers.add(server);
            const scheme = options.announce?.[port];
            if (scheme)
              process.stderr.write(`listening on ${scheme}://${bindAddress}:${hostPort}/\n`);
            server.on("error", () => {});
            resolve({
              port,
              close: () =>
                new Promise<void>((done) => {
                  servers.delete(server);
                  server.close(() => done());
                }),
            });
          });
        });
      },
      connect(remote) {
        return new Promise((resolve, reject) => {
          const socket = connect({ host: remote.address, port: remote.port });
          socket.once("error", (err) => reject(stackErrorOf(err)));
          socket.once("connect", () => {
            track(socket);
            resolve(new SocketFlow(socket));
          });
        });
      },
    },
    udp: {
      bind(port, onDatagram: (d: Datagram) => void) {
        const hostPort = options.udpPorts?.[port] ?? port;
        return new Promise<UdpSocket>((resolve, reject) => {
          const sock = createSocket("udp4");
          sock.once("error", (err) => reject(stackErrorOf(err)));
          sock.on("message", (msg, rinfo) =>
            onDatagram({
              from: { address: rinfo.address, port: rinfo.port },
              data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
            }),
          );
          sock.bind(hostPort, bindAddress, () => {
            const handle: UdpSocket = {
              port: sock.address().port,
              send: (to, data) =>
                new Promise((ok, fail) =>
                  sock.send(data, to.port, to.address, (err) =>
                    err ? fail(stackErrorOf(err)) : ok(),
                  ),
                ),
              close: () =>
                new Promise((done) => {
                  udpSockets.delete(handle);
                  sock.close(() => done());
                }),
            };
            udpSockets.add(handle);
            resolve(handle);
          });
        });
      },
    },
    addresses: () => [bindAddress],
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([...servers].map((s) => new Promise((r) => s.close(r))));
      await Promise.all([...udpSockets].map((u) => u.close()));
    },
  };
}
