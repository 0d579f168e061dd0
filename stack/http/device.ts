import type { HttpHandler } from "./message.ts";

/** An HTTP/1.1 server device: the `http` device in unikernel.yaml, bound to its stack and port. */
export interface HttpServerDevice {
  /** The port it listens on, as the unikernel sees it. */
  readonly port: number;
  /**
   * Serves requests with `handler` until `close()`; resolves then. Rejects at once if the
   * port cannot be bound (StackError "address-in-use").
   */
  serve(handler: HttpHandler): Promise<void>;
  close(): Promise<void>;
}
