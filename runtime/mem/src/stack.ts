/** An in-memory network stack: TCP only, and `connect` reaches this stack's own listeners. */

import {
  type Datagram,
  type Endpoint,
  type Flow,
  type Stack,
  StackError,
  type TcpListener,
  type UdpSocket,
} from "@morgana/stack/devices";
import { flowPair, type MemFlow } from "./flow.ts";

/** A Stack with TCP only; `connect` reaches this stack's own listeners. */
export class MemStack implements Stack {
  private readonly listeners = new Map<number, (flow: Flow) => void>();
  readonly tcp = {
    listen: async (port: number, onFlow: (flow: Flow) => void): Promise<TcpListener> => {
      if (this.listeners.has(port)) throw new StackError("address-in-use", `port ${port} taken`);
      this.listeners.set(port, onFlow);
      return {
        port,
        close: async () => {
          this.listeners.delete(port);
        },
      };
    },
    connect: async (remote: Endpoint): Promise<Flow> => this.connect(remote.port),
  };
  readonly udp = {
    bind: async (_port: number, _on: (d: Datagram) => void): Promise<UdpSocket> => {
      throw new StackError("other", "no UDP here");
    },
  };

  /** Opens a client flow to `port`; the listener gets the server end. */
  connect(port: number, highWaterMark?: number): MemFlow {
    const onFlow = this.listeners.get(port);
    if (onFlow === undefined) throw new StackError("connection-refused", `nothing on ${port}`);
    const [client, server] = flowPair(highWaterMark);
    onFlow(server);
    return client;
  }

  listening(port: number): boolean {
    return this.listeners.has(port);
  }

  addresses(): string[] {
    return ["10.0.0.2"];
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
