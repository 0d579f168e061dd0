/**
 * The host functions the C runtime (xs/xs_host.c) installs as the global `__morganaBoard`.
 * Everything the board's devices do goes through these; each is synchronous.
 */
export interface BoardHost {
  /** Writes text (UTF-8) or `length` bytes at `offset` of `buffer` to the console. */
  write(text: string): void;
  write(buffer: ArrayBufferLike, offset: number, length: number): void;
  /** Stores the monotonic time in ns as a little-endian u64 in the first 8 bytes of `out`. */
  monotonic(out: ArrayBuffer): void;
  /** Wall-clock ms since the epoch (the RTC at boot plus monotonic time). */
  wallMs(): number;
  /** Fills the range from the seeded generator; false (nothing filled) when the board has no seed. */
  randomFill(buffer: ArrayBufferLike, offset: number, length: number): boolean;
  /** Ends the unikernel with `code` once the current turn of the event loop is over. */
  exit(code: number): void;
  /** The packed kv_ro index (JSON), see build/kv.ts. */
  kvIndex(): string;
  /** A copy of `length` bytes at `offset` in the packed kv_ro values. */
  kvRead(offset: number, length: number): ArrayBuffer;
  /** Brings the EMAC up with the 6-byte MAC in `mac`; writes back the MAC in use. */
  netOpen(mac: ArrayBuffer): void;
  /** Whether the PHY reports a link. */
  netLink(): boolean;
  /** The next received frame (no FCS), or null when none is waiting. */
  netReceive(): ArrayBuffer | null;
  /** Sends one frame; false when the transmitter is busy (try again after an event). */
  netTransmit(buffer: ArrayBufferLike, offset: number, length: number): boolean;
  /** Whether the EMAC interrupted since the last call (and clears it). */
  netEvents(): boolean;
}

declare global {
  var __morganaBoard: BoardHost | undefined;
  /** Called by the C event loop: fires due timers, returns the next deadline (ns) or -1. */
  var __morganaTick: (() => number) | undefined;
}

/** The board's host functions; throws when this code is not running on the board. */
export function board(): BoardHost {
  const host = globalThis.__morganaBoard;
  if (!host) throw new Error("not running on the board: __morganaBoard is missing");
  return host;
}
