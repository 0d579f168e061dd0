import { createServer, type Server, type Socket } from "node:net";

/**
 * A QMP client (QEMU Machine Protocol, docs/interop/qmp-spec): JSON objects, one a line.
 * QEMU greets with `{"QMP": ...}`, the client must send `qmp_capabilities` before any other
 * command, and each command is answered by `{"return": ...}` or `{"error": {class, desc}}`
 * in order; `{"event": ...}` objects come in between at any time.
 *
 * The launcher listens on a unix socket and QEMU connects to it (`-qmp unix:PATH`, client
 * mode) as it starts: no polling for a socket file, and no window in which another
 * process could take the monitor first.
 */
export class QmpError extends Error {
  override name = "QmpError";
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class Qmp {
  private buffer = "";
  private greeted = false;
  private readonly waiting: Pending[] = [];
  private closedWith: Error | null = null;
  private readonly ready: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.receive(chunk));
    socket.on("error", () => {}); // a reset shows as close below
    socket.on("close", () => this.close(new QmpError("QEMU closed its QMP connection")));
    // The greeting first, then capabilities negotiation: the answer is our first reply.
    this.ready = new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve: () => resolve(), reject });
    }).then(async () => {
      await this.command("qmp_capabilities");
    });
  }

  /**
   * Listens on `path` (the socket exists when this returns, so QEMU can be spawned at once);
   * `connected` resolves once QEMU has connected and the handshake is done; `close` gives up
   * waiting (QEMU ended first).
   */
  static listen(path: string, timeoutMs = 30_000): { connected: Promise<Qmp>; close(): void } {
    const server: Server = createServer();
    server.listen(path);
    // Binding a unix socket is synchronous in Node; only its errors arrive later.
    if (!server.listening) throw new QmpError(`cannot listen on ${path}`);
    let giveUp: (err: Error) => void = () => {};
    const connected = new Promise<Socket>((resolve, reject) => {
      giveUp = (err) => {
        clearTimeout(timer);
        server.close();
        reject(err);
      };
      const timer = setTimeout(() => {
        server.close();
        reject(new QmpError(`QEMU did not connect to its QMP socket in ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      server.once("error", (err) => {
        clearTimeout(timer);
        reject(new QmpError(`QMP socket ${path}: ${err.message}`));
      });
      server.once("connection", (s) => {
        clearTimeout(timer);
        server.close(); // one connection only; this also removes the socket file
        resolve(s);
      });
    }).then(async (socket) => {
      const qmp = new Qmp(socket);
      await qmp.ready;
      return qmp;
    });
    connected.catch(() => {}); // callers that never ask for QMP must not see a rejection
    return { connected, close: () => giveUp(new QmpError("QEMU ended before QMP was ready")) };
  }

  /** Runs a command; resolves with its `return` value, rejects with QEMU's error text. */
  command(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    });
  }

  /** Closes our end (QEMU keeps running). */
  end(): void {
    this.socket.end();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl = this.buffer.indexOf("\n");
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== "") this.message(line);
      nl = this.buffer.indexOf("\n");
    }
  }

  private message(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.close(new QmpError(`QEMU sent a line that is not JSON: ${line.slice(0, 200)}`));
      return;
    }
    if ("event" in msg) return; // STOP, RESUME, SHUTDOWN...: state() asks instead
    if (!this.greeted) {
      if (!("QMP" in msg)) {
        this.close(new QmpError(`QMP greeting expected, got ${line.slice(0, 200)}`));
        return;
      }
      this.greeted = true;
      this.waiting.shift()?.resolve(undefined);
      return;
    }
    const next = this.waiting.shift();
    if (!next) return;
    if ("return" in msg) next.resolve(msg.return);
    else {
      const e = (msg.error ?? {}) as { class?: string; desc?: string };
      next.reject(new QmpError(`QMP: ${e.class ?? "error"}: ${e.desc ?? line}`));
    }
  }

  private close(err: Error): void {
    this.closedWith ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.closedWith);
    this.socket.destroy();
  }
}
