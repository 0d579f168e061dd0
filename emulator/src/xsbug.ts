import { createServer, type Server, type Socket } from "node:net";

/**
 * XS's debugger (xsbug) for --debug board images, on the host side.
 *
 * The image has one UART, shared by the console and the debugger. XS frames its debugger
 * messages for a serial line (runtime/baremetal/xs/xs_host.c): each message goes out as
 * `\r\n<?xs.ID?>` followed by the message itself, `\r\n<xsbug>...</xsbug>\r\n` (ID: the
 * machine, 8 hex digits); `\r\n<?xs-ID?>\r\n` says the machine is gone. Commands go in the
 * same way: `\r\n<?xs.ID?>\r\n<go/>\r\n`.
 *
 * `SerialSplitter` takes the UART's bytes as they come (frames split anywhere across chunks)
 * and hands back the console text, with no trace of the debugger in it, and each message.
 * `XsbugBridge` serves one debugger at a time on a local TCP port with xsbug's TCP framing (XS
 * sends `\r\n<xsbug>...</xsbug>\r\n`, the debugger sends `\r\n<command .../>\r\n`), and writes
 * its commands onto the serial line with the prefix.
 */

/** What starts every serial frame: CR LF, then the processing instruction `<?xs`. */
const MARK = "\r\n<?xs";
/** MARK, the kind (`.` message, `-` machine gone, `#` binary), 8 hex digits, `?>`. */
const PI_LENGTH = MARK.length + 1 + 8 + 2;
const MESSAGE_START = "\r\n<xsbug>";
const MESSAGE_END = "</xsbug>\r\n";
/** A message longer than this is not one: its bytes go back to the console. */
const MESSAGE_MAX = 16 * 1024 * 1024;
/**
 * Console bytes that may begin a frame wait this long for the rest before being shown: a
 * line's CR LF briefly; `\r\n<?` and more (hardly console text), longer. Once a whole
 * prefix has come, the frame is waited for however long it takes.
 */
const HOLD_MS = 30;
const HOLD_PREFIX_MS = 1000;

export interface SplitterHandlers {
  /** Console bytes, in order, without any debugger framing. */
  console(bytes: Buffer): void;
  /** A message from XS (`\r\n<xsbug>...</xsbug>\r\n`) and the machine it came from. */
  message(bytes: Buffer, machine: string): void;
  /** The machine said it is gone (`<?xs-ID?>`). */
  gone?(machine: string): void;
}

/** The longest suffix of `s` that is a proper prefix of `mark`. */
function partialMark(s: string, mark: string): number {
  for (let n = Math.min(mark.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(mark.slice(0, n))) return n;
  }
  return 0;
}

const HEX = /^[0-9A-Fa-f]$/;

/**
 * Splits the UART's byte stream into console text and xsbug messages. Bytes are kept as
 * latin1 strings inside, so every byte maps to one character and back (UTF-8 console text
 * comes out byte for byte).
 */
export class SerialSplitter {
  private buf = "";
  /** Leading characters of `buf` already handed to the console (a flushed hold). */
  private shown = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly handlers: SplitterHandlers) {}

  push(chunk: Buffer): void {
    this.buf += chunk.toString("latin1");
    this.scan();
  }

  /** Hands any held bytes to the console now (the stream has ended, or paused). */
  flush(): void {
    this.clearTimer();
    this.showConsole(this.buf.length);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Shows buf[shown, end) on the console. */
  private showConsole(end: number): void {
    if (end > this.shown) {
      this.handlers.console(Buffer.from(this.buf.slice(this.shown, end), "latin1"));
      this.shown = end;
    }
  }

  /** Drops the first `n` characters of buf (shown or framing). */
  private consume(n: number): void {
    this.buf = this.buf.slice(n);
    this.shown = Math.max(0, this.shown - n);
  }

  private scan(): void {
    this.clearTimer();
    let inFrame = false;
    for (;;) {
      const at = this.buf.indexOf(MARK);
      if (at < 0) {
        // No frame starts here; keep back what could be the start of one.
        const keep = partialMark(this.buf, MARK);
        this.showConsole(this.buf.length - keep);
        this.consume(this.buf.length - keep);
        break;
      }
      this.showConsole(at);
      this.consume(at);
      const frame = this.frame();
      if (frame === "wait") {
        inFrame = this.buf.length >= PI_LENGTH;
        break;
      }
      if (frame === "not-a-frame") {
        // Console text that happens to contain the mark: show its first byte, look again.
        this.showConsole(1);
        this.consume(1);
      }
    }
    // Console text ending in what may begin a frame (a line's CR LF, most often): show it
    // if nothing follows soon. Should a frame follow after all, it is still recognised.
    if (!inFrame && this.buf.length > this.shown) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.showConsole(this.buf.length);
        },
        this.buf.length <= "\r\n<".length ? HOLD_MS : HOLD_PREFIX_MS,
      );
      this.timer.unref?.();
    }
  }

  /** A frame at the start of buf: consumed, or more bytes needed, or not a frame at all. */
  private frame(): "done" | "wait" | "not-a-frame" {
    const b = this.buf;
    // The processing instruction, checked as far as it has arrived.
    for (let i = MARK.length; i < Math.min(b.length, PI_LENGTH); i++) {
      const c = b[i] as string;
      const ok =
        i === MARK.length
          ? c === "." || c === "-" || c === "#"
          : i < PI_LENGTH - 2
            ? HEX.test(c)
            : c === (i === PI_LENGTH - 2 ? "?" : ">");
      if (!ok) return "not-a-frame";
    }
    if (b.length < PI_LENGTH) return "wait";
    const kind = b[MARK.length] as string;
    const machine = b.slice(MARK.length + 1, PI_LENGTH - 2);
    if (kind === "-") {
      if (b.length < PI_LENGTH + 2) return "wait";
      this.consume(PI_LENGTH + (b.slice(PI_LENGTH, PI_LENGTH + 2) === "\r\n" ? 2 : 0));
      this.handlers.gone?.(machine.toUpperCase());
      return "done";
    }
    if (kind === "#") {
      // A binary message (Moddable's remote commands; XS alone never sends one): CR LF, a
      // 16-bit length, the bytes. Nobody here reads them.
      if (b.length < PI_LENGTH + 4) return "wait";
      const length = (b.charCodeAt(PI_LENGTH + 2) << 8) | b.charCodeAt(PI_LENGTH + 3);
      if (b.length < PI_LENGTH + 4 + length) return "wait";
      this.consume(PI_LENGTH + 4 + length);
      return "done";
    }
    const body = b.slice(PI_LENGTH, PI_LENGTH + MESSAGE_START.length);
    if (!MESSAGE_START.startsWith(body)) return "not-a-frame";
    if (body.length < MESSAGE_START.length) return "wait";
    const end = b.indexOf(MESSAGE_END, PI_LENGTH + MESSAGE_START.length);
    if (end < 0) return b.length - PI_LENGTH > MESSAGE_MAX ? "not-a-frame" : "wait";
    const stop = end + MESSAGE_END.length;
    const message = Buffer.from(b.slice(PI_LENGTH, stop), "latin1");
    this.consume(stop);
    this.handlers.message(message, machine.toUpperCase());
    return "done";
  }
}

/** The serial form of a command for machine `machine`: `\r\n<?xs.ID?>\r\n<command/>\r\n`. */
export function serialCommand(machine: string, element: string): Buffer {
  return Buffer.from(`\r\n<?xs.${machine}?>\r\n${element}\r\n`, "utf8");
}

const NAME = "[A-Za-z_:][A-Za-z0-9._:-]*";
const START_TAG = new RegExp(`^<${NAME}(?:\\s+${NAME}\\s*=\\s*"[^"]*")*\\s*/?>$`);
const END_TAG = new RegExp(`^</${NAME}\\s*>$`);
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, "g");

/** Throws unless XS's parser (xsDebug.c) takes `tag`: double quotes, digits in `line`, ... */
function checkTag(tag: string): void {
  if (END_TAG.test(tag)) return;
  if (!START_TAG.test(tag)) throw new Error(`not a command: ${JSON.stringify(tag)}`);
  for (const [, name, value] of tag.matchAll(ATTRIBUTE)) {
    const ok =
      name === "line"
        ? /^\d*$/.test(value as string)
        : name === "id"
          ? /^@?[0-9A-F]*$/.test(value as string)
          : true;
    if (!ok) throw new Error(`a bad ${name} in ${JSON.stringify(tag)}`);
  }
}

/**
 * Cuts a debugger's TCP stream into whole top-level elements (`<go/>`,
 * `<set-breakpoint path="a.js" line="3"/>`, `<set-all-breakpoints>...</set-all-breakpoints>`),
 * each on one line: XS reads a command up to the CR LF after its last `>`, and its parser
 * never recovers from a malformed one, so anything that is not elements and blank space
 * between them is refused rather than passed on.
 */
export class CommandReader {
  private element = "";
  private depth = 0;
  private inTag = false;
  private quote: string | null = null;
  private tag = "";

  /** The complete elements in `text` (with what came before); throws on anything else. */
  push(text: string): string[] {
    const done: string[] = [];
    for (const c of text) {
      if (this.inTag) {
        if (this.quote) {
          if (c === this.quote) this.quote = null;
          this.tag += c;
          continue;
        }
        if (c === '"') {
          this.quote = c;
          this.tag += c;
          continue;
        }
        if (c === "<") throw new Error(`a "<" inside the tag ${JSON.stringify(this.tag)}`);
        // A tag written over several lines is the same tag on one.
        this.tag += c === "\r" || c === "\n" || c === "\t" ? " " : c;
        if (c !== ">") continue;
        this.inTag = false;
        const tag = this.tag;
        this.tag = "";
        if (tag.startsWith("<?")) {
          // A processing instruction (a serial prefix sent over TCP): not a command.
          if (this.depth > 0) throw new Error("a processing instruction inside an element");
          continue;
        }
        checkTag(tag);
        this.element += tag;
        if (tag.startsWith("</")) this.depth--;
        else if (!tag.endsWith("/>")) this.depth++;
        if (this.depth < 0) throw new Error(`an end tag with no start: ${JSON.stringify(tag)}`);
        if (this.depth === 0) {
          done.push(this.element);
          this.element = "";
        }
        continue;
      }
      if (c === "<") {
        this.inTag = true;
        this.tag = "<";
        continue;
      }
      if (c === " " || c === "\r" || c === "\n" || c === "\t") continue;
      throw new Error(`text outside a tag: ${JSON.stringify(c)}`);
    }
    return done;
  }
}

export interface XsbugBridgeOptions {
  /** The local TCP port to listen on (127.0.0.1); 0 or absent: a free one. */
  port?: number;
  /**
   * What to do while no debugger is connected when XS logs in (the image waits at login):
   * true (default) keeps it waiting until a debugger connects, so breakpoints can be set before
   * any code runs; false lets it run at once, and a debugger may connect later.
   */
  wait?: boolean;
  /** Writes bytes onto the board's serial line (QEMU's stdin). */
  write(bytes: Buffer): void;
}

/** Lets XS run on: a debugger left, or none is there to answer. */
const RELEASE = [
  "<clear-all-breakpoints/>",
  '<clear-breakpoint path="exceptions" line="0"/>',
  "<go/>",
];

/**
 * The local TCP end of a --debug board: one debugger at a time (another is refused), XS's
 * login replayed to whoever connects, and XS never left stopped with nobody to answer: a
 * break while no debugger is connected is answered with `go`, and when a debugger leaves its
 * breakpoints are cleared and XS goes on.
 */
export class XsbugBridge {
  /** Resolves with the port once listening; rejects if the port cannot be had. */
  readonly listening: Promise<number>;
  private readonly server: Server;
  private client: Socket | null = null;
  private reader = new CommandReader();
  private portNumber: number | null = null;
  /** The machine's id (from its messages), once it has spoken. */
  private machineId: string | null = null;
  /** XS's login message, replayed to each debugger that connects. */
  private login: Buffer | null = null;
  /** Commands that came before the machine had spoken. */
  private queued: string[] = [];
  private gone = false;
  private closed = false;
  private readonly attachListeners: ((attached: boolean) => void)[] = [];

  constructor(private readonly options: XsbugBridgeOptions) {
    this.server = createServer((socket) => this.accept(socket));
    this.listening = new Promise<number>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(options.port ?? 0, "127.0.0.1", () => {
        const address = this.server.address();
        this.portNumber = typeof address === "object" && address ? address.port : null;
        resolve(this.portNumber ?? 0);
      });
    });
    // A failure is reported through `listening`; do not let it go unhandled besides.
    this.listening.catch(() => {});
  }

  /** The port, once listening. */
  get port(): number | null {
    return this.portNumber;
  }

  /** Whether a debugger is connected. */
  get attached(): boolean {
    return this.client !== null;
  }

  /** The machine's id (8 hex digits) once XS has spoken. */
  get machine(): string | null {
    return this.machineId;
  }

  /** Called with true when a debugger connects, false when it leaves. */
  onAttach(listener: (attached: boolean) => void): void {
    this.attachListeners.push(listener);
  }

  /** A message from the board (SerialSplitter's `message`). */
  fromBoard(message: Buffer, machine: string): void {
    const first = this.machineId === null;
    this.machineId = machine;
    const text = message.toString("latin1");
    const isLogin = text.includes("<login ");
    if (isLogin) this.login = message;
    if (this.client) {
      this.client.write(message);
    } else if (isLogin ? this.options.wait === false : text.includes("<break")) {
      // Nobody to answer: XS would wait forever.
      this.toBoard(["<go/>"]);
    }
    if (first && this.queued.length > 0) {
      const queued = this.queued;
      this.queued = [];
      this.toBoard(queued);
    }
  }

  /** The machine is gone: the debugger's session ends. */
  machineGone(): void {
    this.gone = true;
    this.client?.end();
  }

  /** Stops listening and drops the debugger. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client?.destroy();
    this.server.close();
  }

  private toBoard(elements: string[]): void {
    if (elements.length === 0) return;
    if (this.machineId === null) {
      this.queued.push(...elements);
      return;
    }
    const machine = this.machineId;
    this.options.write(Buffer.concat(elements.map((e) => serialCommand(machine, e))));
  }

  private accept(socket: Socket): void {
    if (this.client || this.closed || this.gone) {
      socket.destroy();
      return;
    }
    this.client = socket;
    this.reader = new CommandReader();
    socket.setNoDelay(true);
    for (const l of this.attachListeners) l(true);
    if (this.login) socket.write(this.login);
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      try {
        this.toBoard(this.reader.push(text));
      } catch {
        // XS's parser would stop for good on a malformed command: drop this debugger instead.
        socket.destroy();
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.client !== socket) return;
      this.client = null;
      for (const l of this.attachListeners) l(false);
      // Let XS run on, without the departed debugger's breakpoints.
      if (!this.gone && !this.closed && this.machineId !== null) {
        this.toBoard(RELEASE);
      }
    });
  }
}
