/** A text console: the unikernel's stdout (a terminal on unix, the UART on a board). */
export interface Console {
  /** Writes one line; a newline is added. Resolves once the bytes are handed to the device. */
  log(line: string): Promise<void>;
  /** Writes raw bytes, no newline added. */
  write(data: Uint8Array): Promise<void>;
}
