/**
 * A debugger's end of XS's xsbug protocol over TCP (Moddable `xs/sources/xsDebug.c`): XS sends
 * `\r\n<xsbug>...</xsbug>\r\n`, the debugger sends `\r\n<command .../>\r\n`. For a board, the
 * emulator's bridge (emulator/src/xsbug.ts) serves this on a local port and carries it over the
 * UART. This module knows neither DAP nor VS Code: it reads messages into plain records and
 * sends commands; the session (session.ts) decides what they mean to an editor.
 *
 * What XS sends:
 * - `<login name= value="XS"/>` once the machine is up; it then waits for commands (its
 *   breakpoints) and runs on after the first one that ends its command loop.
 * - on a stop, one message: `<frames>` (innermost first), `<local>` (the selected frame's
 *   variables), `<global>`, `<grammar>` (modules), `<break path= line=># Break: WHY!</break>`.
 * - after `select` (another frame) and `toggle` (expand or collapse an object): `<local>`,
 *   `<global>`, `<grammar>` again, with no `<break>`: a "view".
 * - `<log>`: XS's own reports (an exception nobody caught, with path and line).
 */
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { attribute, child, parseXml, type XmlElement } from "./xml.ts";

/** A frame of the stack, innermost first. `id` is XS's address for it (`@...`). */
export interface XsFrame {
  name: string;
  id: string;
  /** The path XS recorded for the script (a board's bundle: its file name) and a 1-based line. */
  path?: string;
  line?: number;
}

/**
 * One property as XS shows it. `state`: "+" an object shown collapsed, "-" one shown
 * expanded (its `children` follow), " " a plain value (or, for an object already being shown
 * further up, the path to it as `value`).
 */
export interface XsProperty {
  name: string;
  state: "+" | "-" | " ";
  /** The value as text (`7`, `'text'`, `undefined`, `0x15n`), or `@ADDRESS` for an object. */
  value: string;
  children?: XsProperty[];
}

/** The variables of the selected frame. */
export interface XsLocal {
  name: string;
  id: string;
  path?: string;
  line?: number;
  properties: XsProperty[];
}

export type XsMessage =
  | { kind: "login"; name: string }
  | {
      kind: "break";
      frames: XsFrame[];
      local?: XsLocal;
      global?: XsProperty[];
      path?: string;
      line?: number;
      /** What XS said: "breakpoint", "step", "debugger", "throw", or an exception's message. */
      reason: string;
    }
  | { kind: "view"; local?: XsLocal; global?: XsProperty[] }
  | { kind: "log"; text: string; path?: string; line?: number }
  | { kind: "other"; element: XmlElement };

const lineOf = (e: XmlElement): number | undefined => {
  const n = Number(e.attributes.line);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

function property(e: XmlElement): XsProperty {
  const flags = e.attributes.flags ?? " ";
  const state = flags[0] === "+" || flags[0] === "-" ? flags[0] : " ";
  const p: XsProperty = { name: e.attributes.name ?? "", state, value: e.attributes.value ?? "" };
  if (state === "-") p.children = e.children.filter((c) => c.name === "property").map(property);
  return p;
}

function local(e: XmlElement): XsLocal {
  return {
    name: e.attributes.name ?? "",
    id: e.attributes.value ?? "",
    path: e.attributes.path,
    line: lineOf(e),
    properties: e.children.filter((c) => c.name === "property").map(property),
  };
}

/** One whole message (`<xsbug>...</xsbug>`) as a record. */
export function readMessage(text: string): XsMessage {
  const root = parseXml(text);
  const login = child(root, "login");
  if (login) return { kind: "login", name: login.attributes.name ?? "" };
  const log = child(root, "log");
  if (log && root.children.length === 1) {
    return { kind: "log", text: log.text, path: log.attributes.path, line: lineOf(log) };
  }
  const l = child(root, "local");
  const g = child(root, "global");
  const views = {
    local: l ? local(l) : undefined,
    global: g ? g.children.filter((c) => c.name === "property").map(property) : undefined,
  };
  const brk = child(root, "break");
  if (brk) {
    const frames = (child(root, "frames")?.children ?? [])
      .filter((f) => f.name === "frame")
      .map((f) => ({
        name: f.attributes.name ?? "",
        id: f.attributes.value ?? "",
        path: f.attributes.path,
        line: lineOf(f),
      }));
    const said = /# Break: ([\s\S]*?)!?\s*$/.exec(brk.text)?.[1] ?? brk.text.trim();
    return {
      kind: "break",
      frames,
      ...views,
      path: brk.attributes.path,
      line: lineOf(brk),
      reason: said,
    };
  }
  if (l || g) return { kind: "view", ...views };
  return { kind: "other", element: root };
}

const START = "\r\n<xsbug>";
const END = "</xsbug>\r\n";

/** Cuts a TCP stream into whole `<xsbug>` messages, however it is chunked. */
export class MessageReader {
  private text = "";

  /** The whole messages completed by `chunk` (without the framing CR LFs). */
  push(chunk: string): string[] {
    this.text += chunk;
    const out: string[] = [];
    for (;;) {
      const start = this.text.indexOf(START);
      if (start < 0) break;
      const end = this.text.indexOf(END, start + START.length);
      if (end < 0) break;
      out.push(this.text.slice(start + 2, end + END.length - 2));
      this.text = this.text.slice(end + END.length);
    }
    return out;
  }
}

/** A command element: `command("set-breakpoint", { path: "a.js", line: 3 })`. */
export function command(name: string, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${attribute(String(v))}"`)
    .join("");
  return `<${name}${a}/>`;
}

/**
 * The TCP connection to XS. Emits "message" (XsMessage) and "close". `request` sends a
 * command that XS answers with a view (`select`, `toggle`) and resolves with that view;
 * requests go one at a time, in order, as XS answers them.
 */
export class XsbugClient extends EventEmitter {
  private readonly reader = new MessageReader();
  private waiting: { resolve: (m: XsMessage) => void; reject: (e: Error) => void }[] = [];
  private lane: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Every message as it came, for tests and for a log when something goes wrong. */
  readonly received: string[] = [];

  private constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => {
      for (const text of this.reader.push(chunk)) {
        this.received.push(text);
        let message: XsMessage;
        try {
          message = readMessage(text);
        } catch (err) {
          // Reported to whoever listens; a message XS never sends is no reason to crash.
          if (this.listenerCount("error") > 0) this.emit("error", err);
          continue;
        }
        // A view answers the oldest request; a break while one waits fails it (XS moved on).
        if (message.kind === "view" && this.waiting.length > 0) {
          this.waiting.shift()?.resolve(message);
          continue;
        }
        if (message.kind === "break") {
          for (const w of this.waiting.splice(0)) w.reject(new Error("XS stopped again"));
        }
        this.emit("message", message);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error("the debugger connection closed"));
      this.emit("close");
    });
  }

  /** Connects to XS's debugger at 127.0.0.1:`port`. */
  static connect(port: number, host = "127.0.0.1"): Promise<XsbugClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once("connect", () => resolve(new XsbugClient(socket)));
      socket.once("error", reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends commands (elements) in one write, so a board reads them together. */
  send(...elements: string[]): void {
    if (this.closed || elements.length === 0) return;
    this.socket.write(elements.map((e) => `\r\n${e}\r\n`).join(""));
  }

  /** Sends a command XS answers with a view (`select`, `toggle`) and waits for that view. */
  request(element: string, ms = 30_000): Promise<Extract<XsMessage, { kind: "view" }>> {
    const next = this.lane.then(
      () =>
        new Promise<XsMessage>((resolve, reject) => {
          if (this.closed) {
            reject(new Error("the debugger connection closed"));
            return;
          }
          const timer = setTimeout(() => {
            const i = this.waiting.indexOf(entry);
            if (i >= 0) this.waiting.splice(i, 1);
            reject(new Error(`XS did not answer ${element} in ${ms / 1000} s`));
          }, ms);
          const entry = {
            resolve: (m: XsMessage) => {
              clearTimeout(timer);
              resolve(m);
            },
            reject: (e: Error) => {
              clearTimeout(timer);
              reject(e);
            },
          };
          this.waiting.push(entry);
          this.send(element);
        }),
    );
    this.lane = next.catch(() => {});
    return next as Promise<Extract<XsMessage, { kind: "view" }>>;
  }

  close(): void {
    this.socket.end();
  }
}
