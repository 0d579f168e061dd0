/**
 * A small Debug Adapter Protocol client for tests: starts an adapter program, speaks DAP to it
 * over stdio (Content-Length framed JSON), answers requests, and keeps every event so a test
 * can wait for the one it expects.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import type { DebugProtocol } from "@vscode/debugprotocol";

export class DapClient {
  readonly child: ChildProcess;
  readonly events: DebugProtocol.Event[] = [];
  /** The adapter's own stderr (not DAP output events). */
  stderr = "";
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private readonly waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(program: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], env });
    this.child.stdout?.on("data", (chunk: Buffer) => this.data(chunk));
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (t: string) => {
      this.stderr += t;
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  private data(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const head = this.buffer.indexOf("\r\n\r\n");
      if (head < 0) return;
      const length = Number(
        /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())?.[1],
      );
      if (this.buffer.length < head + 4 + length) return;
      const body = this.buffer.subarray(head + 4, head + 4 + length).toString("utf8");
      this.buffer = this.buffer.subarray(head + 4 + length);
      const message = JSON.parse(body) as DebugProtocol.ProtocolMessage;
      if (message.type === "response") {
        const r = message as DebugProtocol.Response;
        this.pending.get(r.request_seq)?.(r);
        this.pending.delete(r.request_seq);
      } else if (message.type === "event") {
        this.events.push(message as DebugProtocol.Event);
        for (const w of this.waiters.splice(0)) w();
      }
    }
  }

  /** Sends a request and resolves with its response (success or not). */
  send<R extends DebugProtocol.Response = DebugProtocol.Response>(
    command: string,
    args?: unknown,
    ms = 60_000,
  ): Promise<R> {
    const seq = this.seq++;
    const text = JSON.stringify({ seq, type: "request", command, arguments: args });
    this.child.stdin?.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to ${command} in ${ms} ms\n${this.transcript()}`)),
        ms,
      );
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r as R);
      });
    });
  }

  /** Sends a request that must succeed, and answers its body. */
  async request<B = Record<string, unknown>>(
    command: string,
    args?: unknown,
    ms?: number,
  ): Promise<B> {
    const r = await this.send(command, args, ms);
    assert.ok(r.success, `${command} failed: ${r.message}\n${this.transcript()}`);
    return r.body as B;
  }

  /** The first event named `event` (from index `from` on) that `match` accepts, waiting `ms`. */
  async event<E extends DebugProtocol.Event = DebugProtocol.Event>(
    event: string,
    match: (e: E) => boolean = () => true,
    from = 0,
    ms = 120_000,
  ): Promise<E & { index: number }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.events.findIndex(
        (e, i) => i >= from && e.event === event && match(e as E),
      );
      if (index >= 0) return Object.assign(this.events[index] as E, { index });
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${event} event in ${ms} ms\n${this.transcript()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Output events' text, by category (stdout: the board's console). */
  output(category?: string): string {
    return this.events
      .filter((e) => e.event === "output")
      .map((e) => (e as DebugProtocol.OutputEvent).body)
      .filter((b) => category === undefined || b.category === category)
      .map((b) => b.output)
      .join("");
  }

  /** Waits until the output of `category` (all, if undefined) so far matches `re`. */
  async outputMatching(re: RegExp, category?: string, ms = 120_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!re.test(this.output(category))) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no output matching ${re} in ${ms} ms\n${this.transcript()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** What happened so far, for a failure's message. */
  transcript(): string {
    const events = this.events
      .map((e) =>
        e.event === "output"
          ? `output(${(e as DebugProtocol.OutputEvent).body.category}): ${(e as DebugProtocol.OutputEvent).body.output.trimEnd()}`
          : `${e.event} ${JSON.stringify(e.body ?? {})}`,
      )
      .join("\n");
    return `--- events\n${events}\n--- adapter stderr\n${this.stderr}`;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
