import type { Console } from "@morgana/stack/devices";
import { board } from "./host.ts";

/** The board's console: UART0. Writes are synchronous; the promise is already settled. */
export function createConsole(): Console {
  const host = board();
  return {
    log(line) {
      host.write(`${line}\n`);
      return Promise.resolve();
    },
    write(data) {
      host.write(data.buffer, data.byteOffset, data.byteLength);
      return Promise.resolve();
    },
  };
}
