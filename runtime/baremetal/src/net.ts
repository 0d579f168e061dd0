import { NetStack, type NetStackOptions } from "@morgana/stack/net";
import { createClock } from "./clock.ts";
import { BoardNetif } from "./netif.ts";
import { createRandom } from "./random.ts";

/** The board's network stack: Morgana's TCP/IP (stack/net) over the EMAC. */
export function createNetStack(options: NetStackOptions): NetStack {
  return new NetStack(new BoardNetif(), createClock(), createRandom(), options);
}
