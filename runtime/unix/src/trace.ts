/**
 * The trace channel of Node targets (DESIGN.md "Tracing"): when the host asks for a trace, it
 * listens on a local socket and names it in MORGANA_TRACE; the unikernel connects and sends
 * every event its cores report there, one JSON line each (stack/trace `traceEventJson`),
 * after one hello line saying who it is. With MORGANA_TRACE unset there is no tracer at all:
 * the wiring hands the cores `undefined`, and they build no event (stack/trace/tracer.ts).
 *
 * The runtime never waits on the host: lines are batched and written once per turn of the
 * event loop; should the host fall behind by more than HIGH_WATER bytes, events are dropped
 * and counted (a `{"dropped":N}` line says how many before the next one), so a slow viewer
 * slows nothing down and cannot fill the unikernel's memory.
 */
import { createConnection, type Socket } from "node:net";
import { type TraceEvent, type Tracer, traceEventJson } from "@morgana/stack/trace";

/** The variable the host sets to its socket's path. */
export const ENV_TRACE = "MORGANA_TRACE";

/** The first line on the channel: what the host shows the events under. */
export interface TraceHello {
  morgana: "trace";
  version: 1;
  name: string;
  target: string;
  pid: number;
}

/** Bytes queued towards the host beyond which events are dropped rather than kept. */
const HIGH_WATER = 8 * 1024 * 1024;
/** How long closing waits for the host to take the last lines. */
const CLOSE_WAIT_MS = 2_000;

class TraceChannel implements Tracer {
  private pending: string[] = [];
  private scheduled = false;
  private dropped = 0;
  private broken = false;

  constructor(
    private readonly socket: Socket,
    hello: TraceHello,
  ) {
    socket.on("error", (err) => {
      if (!this.broken) process.stderr.write(`trace: the channel failed: ${err.message}\n`);
      this.broken = true;
      this.pending = [];
    });
    // The host never writes; reading anyway is how its hang-up is noticed.
    socket.resume();
    this.pending.push(JSON.stringify(hello));
    this.schedule();
  }

  event(e: TraceEvent): void {
    if (this.broken) return;
    if (this.socket.writableLength > HIGH_WATER) {
      this.dropped++;
      return;
    }
    let line: string;
    try {
      line = traceEventJson(e);
    } catch {
      // A value JSON cannot hold (a bigint in a detail): a core's mistake, not the app's end.
      this.dropped++;
      return;
    }
    if (this.dropped > 0) {
      this.pending.push(JSON.stringify({ dropped: this.dropped }));
      this.dropped = 0;
    }
    this.pending.push(line);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.broken || this.pending.length === 0) return;
    this.socket.write(`${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  /** Sends what is left and closes; resolves once the host has it, or after CLOSE_WAIT_MS. */
  close(): Promise<void> {
    this.flush();
    if (this.broken) return Promise.resolve();
    if (this.dropped > 0) this.socket.write(`${JSON.stringify({ dropped: this.dropped })}\n`);
    this.broken = true;
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        done();
      }, CLOSE_WAIT_MS);
      timer.unref();
      this.socket.once("close", () => {
        clearTimeout(timer);
        done();
      });
      this.socket.end();
    });
  }
}

let channel: TraceChannel | undefined;

/**
 * Opens the channel MORGANA_TRACE names, if it names one (boot calls this before it builds the
 * devices, so every core's tracer is the same channel). Connecting is asynchronous; events
 * reported meanwhile wait in the socket's queue.
 */
export function openTrace(
  info: { name: string; target: string },
  env: Record<string, string | undefined> = process.env,
): void {
  const path = env[ENV_TRACE];
  if (!path || channel) return;
  channel = new TraceChannel(createConnection(path), {
    morgana: "trace",
    version: 1,
    name: info.name,
    target: info.target,
    pid: process.pid,
  });
}

/** The tracer the generated wiring hands to the cores: undefined unless a trace was asked for. */
export function tracer(): Tracer | undefined {
  return channel;
}

/** Flushes and closes the channel (boot calls this on the way out); nothing when none is open. */
export async function closeTrace(): Promise<void> {
  const c = channel;
  channel = undefined;
  await c?.close();
}
