/**
 * The editor's end of the trace channel (DESIGN.md "Tracing"; the unikernel's end is
 * runtime/unix/src/trace.ts): a local socket in a private folder. Each unikernel that connects
 * says who it is in its first line, then sends one trace event a line; each connection becomes
 * one unikernel in the model. The extension names the socket in MORGANA_TRACE, so every
 * unikernel it starts on a Node target (Run, a task, F5) finds it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProtocolModel, parseLine, type Unikernel } from "./protocol.ts";

export class ProtocolChannel {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly dir: string;
  private count = 0;
  /** The socket's path: MORGANA_TRACE's value. */
  readonly path: string;

  private constructor(private readonly model: ProtocolModel) {
    // A folder only this user can enter: nobody else can feed the view.
    this.dir = mkdtempSync(join(tmpdir(), "morgana-protocol-"));
    this.path = join(this.dir, "trace.sock");
    this.server = createServer((s) => this.accept(s));
  }

  static async open(model: ProtocolModel): Promise<ProtocolChannel> {
    const c = new ProtocolChannel(model);
    await new Promise<void>((done, fail) => {
      c.server.once("error", fail);
      c.server.listen(c.path, () => done());
    });
    return c;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const key = `trace-${++this.count}`;
    let u: Unikernel | undefined;
    let rest = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const l = parseLine(line);
        if (!l) continue;
        if (l.kind === "hello") u ??= this.model.open(key, l);
        else if (!u)
          continue; // nothing before the hello is ours to show
        else if (l.kind === "event") this.model.add(u, l.event);
        else this.model.dropped(u, l.count);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.sockets.delete(socket);
      if (u) this.model.close(u);
    });
  }

  dispose(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
