import type { Stack, TcpListener } from "@morgana/stack/devices";
import { NetStack, type NetStackOptions } from "@morgana/stack/net";
import { createClock } from "./clock.ts";
import { board } from "./host.ts";
import { BoardNetif } from "./netif.ts";
import { createRandom } from "./random.ts";

export interface BoardStackOptions extends NetStackOptions {
  /**
   * guest port -> the URL the host reaches it at (through the emulator's forward): listening
   * on such a port prints `listening on URL`, which `morgana run` and the editor pick up.
   */
  announce?: Record<number, string>;
}

/** The board's network stack: Morgana's TCP/IP (stack/net) over the EMAC. */
export function createNetStack(options: BoardStackOptions): NetStack {
  const stack = new NetStack(new BoardNetif(), createClock(), createRandom(), options);
  const announce = options.announce ?? {};
  const listen = stack.tcp.listen.bind(stack.tcp);
  (stack.tcp as { listen: Stack["tcp"]["listen"] }).listen = async (
    port,
    onFlow,
  ): Promise<TcpListener> => {
    const listener = await listen(port, onFlow);
    const url = announce[port];
    if (url) board().write(`listening on ${url}\n`);
    return listener;
  };
  return stack;
}
