/**
 * The host's end of the trace channel of Node targets (DESIGN.md "Tracing"; the unikernel's end
 * is runtime/unix/src/trace.ts): a local socket in a fresh private folder, named to the
 * unikernel in MORGANA_TRACE. Each line it sends is a trace event (stack/trace
 * `traceEventJson`), after one hello line; `--trace FILE` keeps the event lines as they came,
 * and listeners (the API's `onTrace`) get them parsed.
 */
import { createWriteStream, mkdtempSync, openSync, rmSync, type WriteStream } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTraceEventJson, type TraceEvent } from "../../../stack/trace/index.ts";

/** The variable the unikernel reads (runtime/unix/src/trace.ts ENV_TRACE, not importable here). */
export const ENV_TRACE = "MORGANA_TRACE";

/** Who sent an event: the hello line of its connection. */
export interface TraceSource {
  name: string;
  target: string;
  pid: number;
}

export type TraceListener = (event: TraceEvent, source: TraceSource) => void;

export interface HostTraceChannel {
  /** The socket's path: MORGANA_TRACE's value for the unikernel. */
  readonly path: string;
  /** Events received so far. */
  readonly events: number;
  /** Events the unikernel dropped because this end fell behind (it says so on the channel). */
  readonly dropped: number;
  onEvent(listener: TraceListener): void;
  /**
   * Stops listening, waits (at most `waitMs`) for connected unikernels to hang up so their last
   * lines are in, then closes the file and removes the socket.
   */
  close(waitMs?: number): Promise<void>;
}

/** One line from the channel: an event, the hello, a drop count, or nothing we know. */
export type TraceLine =
  | { kind: "event"; event: TraceEvent }
  | { kind: "hello"; source: TraceSource }
  | { kind: "dropped"; count: number }
  | { kind: "other" };

/** Reads one line of the channel's protocol. */
export function parseTraceLine(line: string): TraceLine {
  const event = parseTraceEventJson(line);
  if (event) return { kind: "event", event };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { kind: "other" };
  }
  if (typeof v !== "object" || v === null) return { kind: "other" };
  const o = v as Record<string, unknown>;
  if (o.morgana === "trace" && typeof o.name === "string" && typeof o.target === "string") {
    return {
      kind: "hello",
      source: { name: o.name, target: o.target, pid: typeof o.pid === "number" ? o.pid : 0 },
    };
  }
  if (typeof o.dropped === "number") return { kind: "dropped", count: o.dropped };
  return { kind: "other" };
}

/**
 * Opens the host's end; with `file`, every event line is written to it (the file is created or
 * emptied now, so a path that cannot be written fails here, before anything boots).
 */
export async function openTraceChannel(file?: string): Promise<HostTraceChannel> {
  const out: WriteStream | undefined =
    file === undefined ? undefined : createWriteStream("", { fd: openSync(file, "w") });
  // A folder only we can enter: nobody else can connect and feed the trace.
  const dir = mkdtempSync(join(tmpdir(), "morgana-trace-"));
  const path = join(dir, "trace.sock");
  const listeners: TraceListener[] = [];
  const open = new Set<Socket>();
  let events = 0;
  let dropped = 0;

  const server: Server = createServer((socket) => {
    open.add(socket);
    let source: TraceSource = { name: "?", target: "?", pid: 0 };
    let rest = "";
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const l = parseTraceLine(line);
        if (l.kind === "hello") source = l.source;
        else if (l.kind === "dropped") dropped += l.count;
        else if (l.kind === "event") {
          events++;
          out?.write(`${line}\n`);
          for (const f of listeners) f(l.event, source);
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => done());
  });

  return {
    path,
    get events() {
      return events;
    },
    get dropped() {
      return dropped;
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async close(waitMs = 2_000) {
      server.close();
      if (open.size > 0) {
        const deadline = Date.now() + waitMs;
        while (open.size > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        for (const s of open) s.destroy();
      }
      if (out) await new Promise<void>((done) => out.end(done));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
