import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import {
  CommandReader,
  SerialSplitter,
  serialCommand,
  XsbugBridge,
} from "../../../emulator/src/xsbug.ts";

const ID = "4001A2B0";
const frame = (xml: string) => `\r\n<?xs.${ID}?>\r\n<xsbug>${xml}</xsbug>\r\n`;

/** Runs `stream` through a splitter cut at the given offsets; returns what came out. */
function split(stream: string, cuts: number[]) {
  const consoleBytes: Buffer[] = [];
  const messages: string[] = [];
  const gone: string[] = [];
  const s = new SerialSplitter({
    console: (b) => {
      consoleBytes.push(b);
    },
    message: (b, machine) => {
      assert.equal(machine, ID);
      messages.push(b.toString("utf8"));
    },
    gone: (m) => gone.push(m),
  });
  const bytes = Buffer.from(stream, "utf8");
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    s.push(bytes.subarray(at, cut));
    at = cut;
  }
  s.flush();
  return { consoleText: Buffer.concat(consoleBytes).toString("utf8"), messages, gone };
}

describe("emulator: xsbug over the board's serial line", () => {
  const login = '<login name="morgana" value="XS"/>';
  const brk =
    '<frames><frame name="area" path="dbg.js" line="3"/></frames><break path="dbg.js" line="3"># Break: breakpoint!\n</break>';
  const stream = [
    "booting\r\n",
    frame(login),
    "area 7\r\n",
    "caf\u00e9 \u{1f600}\r\n",
    frame(brk),
    "tail without newline",
    `\r\n<?xs-${ID}?>\r\n`,
  ].join("");

  it("splits console text from messages, whatever the chunking", () => {
    const whole = split(stream, []);
    assert.equal(
      whole.consoleText,
      "booting\r\narea 7\r\ncaf\u00e9 \u{1f600}\r\ntail without newline",
    );
    assert.deepEqual(whole.messages, [
      `\r\n<xsbug>${login}</xsbug>\r\n`,
      `\r\n<xsbug>${brk}</xsbug>\r\n`,
    ]);
    assert.deepEqual(whole.gone, [ID]);
    const n = Buffer.byteLength(stream);
    // Every single cut, then every byte on its own.
    for (let cut = 1; cut < n; cut++)
      assert.deepEqual(split(stream, [cut]), whole, `cut at ${cut}`);
    assert.deepEqual(
      split(
        stream,
        Array.from({ length: n - 1 }, (_, i) => i + 1),
      ),
      whole,
    );
  });

  it("passes on console text that only looks like a frame", () => {
    const text = "a\r\n<?xs is not a frame\r\n<?xs.123?>\r\n<?xs.4001A2B0?>nope\r\n";
    const out = split(text, [3, 9]);
    assert.equal(out.consoleText, text);
    assert.deepEqual(out.messages, []);
  });

  it("shows a held line end when nothing follows it", async () => {
    let shown = "";
    const s = new SerialSplitter({ console: (b) => (shown += b.toString()), message: () => {} });
    s.push(Buffer.from("hello\r\n"));
    assert.equal(shown, "hello");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(shown, "hello\r\n");
    // The frame that follows is still recognised (its CR LF was shown as console text).
    let message = "";
    const t = new SerialSplitter({ console: () => {}, message: (b) => (message = b.toString()) });
    t.push(Buffer.from("x\r\n"));
    await new Promise((r) => setTimeout(r, 80));
    t.push(Buffer.from(`<?xs.${ID}?>\r\n<xsbug><log>hi</log></xsbug>\r\n`));
    assert.equal(message, "\r\n<xsbug><log>hi</log></xsbug>\r\n");
  });

  it("waits for a message that comes slowly, however long its pieces take", async () => {
    let shown = "";
    let message = "";
    const s = new SerialSplitter({
      console: (b) => (shown += b.toString()),
      message: (b) => (message = b.toString()),
    });
    const whole = `debug me\r\n${frame(brk)}next\r\n`;
    // Pieces 60 ms apart: longer than a line end is held, mid-prefix and mid-message.
    let at = 0;
    for (const cut of [10, 14, 40, 120, whole.length]) {
      s.push(Buffer.from(whole.slice(at, cut)));
      at = cut;
      await new Promise((r) => setTimeout(r, 60));
    }
    s.flush();
    assert.equal(message, `\r\n<xsbug>${brk}</xsbug>\r\n`);
    assert.doesNotMatch(shown, /xs|<break/);
    assert.match(shown, /^debug me\r\n(\r\n)?next\r\n$/);
  });

  it("reads a debugger's commands as whole elements, one per line", () => {
    const r = new CommandReader();
    assert.deepEqual(r.push('\r\n<set-breakpoint path="a.js"\r\n line="3"/>\r\n<go'), [
      '<set-breakpoint path="a.js"   line="3"/>',
    ]);
    assert.deepEqual(r.push("/>\r\n"), ["<go/>"]);
    assert.deepEqual(
      r.push(
        '<set-all-breakpoints>\r\n<breakpoint path="a>b.js" line="1"/>\r\n</set-all-breakpoints>',
      ),
      ['<set-all-breakpoints><breakpoint path="a>b.js" line="1"/></set-all-breakpoints>'],
    );
    assert.throws(() => new CommandReader().push("go\r\n"));
    assert.throws(() => new CommandReader().push("<go/></go>"));
    assert.throws(() => new CommandReader().push('<set-breakpoint path="a.js" line="x3"/>'));
    assert.throws(() => new CommandReader().push("<go path='a'/>"));
    assert.equal(serialCommand(ID, "<go/>").toString(), `\r\n<?xs.${ID}?>\r\n<go/>\r\n`);
  });

  describe("the TCP bridge", () => {
    const lines = (s: Socket) => {
      let text = "";
      s.setEncoding("utf8");
      s.on("data", (d: string) => (text += d));
      return () => text;
    };
    const until = async (what: () => boolean, ms = 2000) => {
      const end = Date.now() + ms;
      while (!what()) {
        if (Date.now() > end) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    it("replays the login, forwards commands with the prefix, answers for an absent debugger", async () => {
      const written: string[] = [];
      const bridge = new XsbugBridge({ write: (b) => written.push(b.toString()) });
      try {
        const port = await bridge.listening;
        const loginMsg = Buffer.from(`\r\n<xsbug>${login}</xsbug>\r\n`);
        bridge.fromBoard(loginMsg, ID);
        // Waiting at login, nobody connected: nothing is sent for it.
        assert.deepEqual(written, []);
        const client = connect(port, "127.0.0.1");
        const received = lines(client);
        await until(() => received().includes("<login "));
        assert.equal(bridge.attached, true);
        // A second debugger is turned away.
        const other = connect(port, "127.0.0.1");
        await new Promise((r) => other.on("close", r));
        client.write('\r\n<set-breakpoint path="dbg.js" line="3"/>\r\n');
        await until(() => written.length === 1);
        assert.equal(
          written[0],
          `\r\n<?xs.${ID}?>\r\n<set-breakpoint path="dbg.js" line="3"/>\r\n`,
        );
        bridge.fromBoard(Buffer.from(`\r\n<xsbug>${brk}</xsbug>\r\n`), ID);
        await until(() => received().includes("<break "));
        client.end();
        await until(() => written.length === 2);
        assert.match(String(written[1]), /<clear-all-breakpoints\/>[\s\S]*<go\/>/);
        assert.equal(bridge.attached, false);
        // A break with nobody connected is answered with go.
        bridge.fromBoard(Buffer.from(`\r\n<xsbug>${brk}</xsbug>\r\n`), ID);
        assert.equal(written[2], `\r\n<?xs.${ID}?>\r\n<go/>\r\n`);
      } finally {
        bridge.close();
      }
    });

    it("lets the board run at login without a debugger when told not to wait", async () => {
      const written: string[] = [];
      const bridge = new XsbugBridge({ wait: false, write: (b) => written.push(b.toString()) });
      try {
        await bridge.listening;
        bridge.fromBoard(Buffer.from(`\r\n<xsbug>${login}</xsbug>\r\n`), ID);
        assert.deepEqual(written, [`\r\n<?xs.${ID}?>\r\n<go/>\r\n`]);
      } finally {
        bridge.close();
      }
    });
  });
});
