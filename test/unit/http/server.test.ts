import assert from "node:assert/strict";
import { flowPair, ManualClock, type MemFlow, MemStack, settle } from "@morgana/runtime-mem";
import { latin1Encode } from "../../../stack/bytes/index.ts";
import {
  createHttpServer,
  type HttpHandler,
  type HttpRequest,
  header,
  serveFlow,
} from "../../../stack/http/index.ts";

interface Response {
  status: number;
  head: string;
  body: string;
}

/** Reads Content-Length framed responses from the client end of a flow. */
class Client {
  private text = "";
  private ended = false;

  constructor(readonly flow: MemFlow) {}

  send(text: string): Promise<void> {
    return this.flow.write(latin1Encode(text));
  }

  async response(): Promise<Response | null> {
    for (;;) {
      const end = this.text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const head = this.text.slice(0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        const status = Number(head.slice(9, 12));
        if (this.text.length >= end + 4 + length) {
          const body = this.text.slice(end + 4, end + 4 + length);
          this.text = this.text.slice(end + 4 + length);
          return { status, head, body };
        }
      }
      if (this.ended) return null;
      const chunk = await this.flow.read().catch(() => null);
      if (chunk === null) this.ended = true;
      else this.text += String.fromCharCode(...chunk);
    }
  }

  /** True once the server closed the flow (end of stream) and nothing is left. */
  async atEnd(): Promise<boolean> {
    return (await this.response()) === null && this.text === "";
  }
}

const H = "Host: h\r\n";
const echo: HttpHandler = (req) => ({ status: 200, body: `${req.method} ${req.path}` });

function start(handler: HttpHandler, clock = new ManualClock(), options = {}) {
  const [client, server] = flowPair();
  const done = serveFlow(server, handler, clock, options);
  return { client: new Client(client), server, done, clock };
}

describe("http server over a Flow", () => {
  it("serves keep-alive requests with one write per response, with a Date", async () => {
    const { client, server } = start(echo);
    await client.send(`GET /one HTTP/1.1\r\n${H}\r\n`);
    const r1 = await client.response();
    assert.equal(r1?.body, "GET /one");
    assert.match(r1?.head ?? "", /\r\nDate: Tue, 02 Jan 2024 03:04:05 GMT/);
    await client.send(`POST /two HTTP/1.1\r\n${H}Content-Length: 1\r\n\r\nx`);
    assert.equal((await client.response())?.body, "POST /two");
    assert.equal(server.writeCalls, 2);
    assert.equal(server.closed, false);
  });

  it("gives the handler headers, with a case-insensitive header() lookup", async () => {
    let seen: HttpRequest | undefined;
    const { client } = start((req) => {
      seen = req;
      return { status: 204 };
    });
    await client.send(`GET /?a=1 HTTP/1.1\r\n${H}X-Thing: one\r\nx-thing: two\r\n\r\n`);
    assert.equal((await client.response())?.status, 204);
    assert.equal(seen?.query, "a=1");
    assert.equal(header(seen as HttpRequest, "X-THING"), "one, two");
    assert.equal(header(seen as HttpRequest, "host"), "h");
    assert.equal(header(seen as HttpRequest, "missing"), undefined);
    assert.deepEqual(seen?.headers[1], ["X-Thing", "one"]);
  });

  it("keeps pipelined responses in order when async handlers finish out of order", async () => {
    const release: (() => void)[] = [];
    const { client } = start(
      (req) =>
        new Promise((resolve) => {
          release.push(() => resolve({ status: 200, body: req.path }));
        }),
    );
    await client.send(
      `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\nGET /c HTTP/1.1\r\n${H}\r\n`,
    );
    await settle();
    assert.equal(release.length, 3);
    release[2]?.();
    release[1]?.();
    release[0]?.();
    const bodies = [];
    for (let i = 0; i < 3; i++) bodies.push((await client.response())?.body);
    assert.deepEqual(bodies, ["/a", "/b", "/c"]);
  });

  it("HEAD responses carry Content-Length and no body", async () => {
    const { client } = start(() => ({ status: 200, body: "0123456789" }));
    await client.send(`HEAD / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`);
    await settle();
    // Read raw: the HEAD response's Content-Length must not consume a body.
    const raw = String.fromCharCode(...((await client.flow.read()) ?? []));
    const heads = raw.split("HTTP/1.1 200 OK").length - 1;
    assert.equal(heads, 2, raw);
    assert.ok(raw.endsWith("\r\n\r\n0123456789"));
    assert.equal(raw.split("0123456789").length - 1, 1);
  });

  it("a throwing or rejecting handler gets 500 and the connection goes on", async () => {
    let n = 0;
    const { client, done } = start(async (req) => {
      n++;
      if (req.path === "/sync") throw new Error("boom");
      if (req.path === "/async") return Promise.reject(new Error("later boom"));
      return { status: 200, body: "alive" };
    });
    const sync = start(() => {
      throw new Error("sync boom");
    });
    await sync.client.send(`GET / HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await sync.client.response())?.status, 500);
    await client.send(`GET /sync HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await client.response())?.status, 500);
    await client.send(`GET /async HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await client.response())?.status, 500);
    await client.send(`GET /ok HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await client.response())?.body, "alive");
    assert.equal(n, 3);
    await client.flow.close();
    await done;
  });

  it("answers a bad request with 400 and closes", async () => {
    const { client, server, done } = start(echo);
    await client.send(`GET / HTTP/1.1\r\nHost : h\r\n\r\n`);
    const r = await client.response();
    assert.equal(r?.status, 400);
    assert.match(r?.head ?? "", /Connection: close/);
    assert.equal(await client.atEnd(), true);
    await done;
    assert.equal(server.closed, true);
  });

  it("answers 408 when the headers do not arrive in time (manual clock)", async () => {
    const { client, clock, done } = start(echo, new ManualClock(), {
      headersTimeoutMs: 10_000,
      idleTimeoutMs: 5_000,
    });
    await clock.advanceMs(1_000);
    await client.send("GET / HTTP/1.1\r\nHo");
    await settle();
    await clock.advanceMs(9_000);
    await clock.advanceMs(999);
    assert.equal(client.flow.closed, false);
    let got: Response | null = null;
    const reading = client.response().then((r) => {
      got = r;
    });
    await settle();
    assert.equal(got, null, "nothing before the deadline");
    await clock.advanceMs(1);
    await clock.advanceMs(5_000);
    await reading;
    assert.equal((got as Response | null)?.status, 408);
    assert.equal(await client.atEnd(), true);
    await done;
  });

  it("closes an idle keep-alive connection and uses one timer, not one per request", async () => {
    const { client, clock, done } = start(echo, new ManualClock(), { idleTimeoutMs: 5_000 });
    for (let i = 0; i < 20; i++) {
      await client.send(`GET /${i} HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await client.response())?.body, `GET /${i}`);
    }
    assert.equal(clock.pendingSleeps, 1);
    await clock.advanceMs(4_999);
    let ended = false;
    const end = client.atEnd().then((e) => {
      ended = e;
    });
    await settle();
    assert.equal(ended, false);
    await clock.advanceMs(1);
    await clock.advanceMs(5_000);
    await end;
    assert.equal(ended, true);
    await done;
  });

  it("a client vanishing mid-response ends only its connection", async () => {
    const big = "x".repeat(200_000);
    const clock = new ManualClock();
    const handler: HttpHandler = (req) => ({
      status: 200,
      body: req.path === "/big" ? big : "small",
    });
    const [vanishing, server1] = flowPair(1024);
    const done1 = serveFlow(server1, handler, clock);
    const other = start(handler, clock);
    await vanishing.write(latin1Encode(`GET /big HTTP/1.1\r\n${H}\r\n`));
    await settle();
    assert.ok(server1.written.length > 0, "the server started writing");
    vanishing.destroy(); // blocked write is rejected with a reset
    await done1;
    assert.equal(server1.closed, true);
    for (let i = 0; i < 3; i++) {
      await other.client.send(`GET /s HTTP/1.1\r\n${H}\r\n`);
      assert.equal((await other.client.response())?.body, "small");
    }
  });

  it("drops a client that stops reading once a response waits longer than sendTimeout", async () => {
    const clock = new ManualClock();
    const [stalled, server] = flowPair(1024);
    const done = serveFlow(server, () => ({ status: 200, body: "y".repeat(100_000) }), clock, {
      sendTimeoutMs: 30_000,
      idleTimeoutMs: 5_000,
    });
    await stalled.write(latin1Encode(`GET / HTTP/1.1\r\n${H}\r\n`));
    await settle();
    assert.ok(server.written.length > 0, "the server started writing");
    // Idle timeouts do not apply while a write is pending: a slow reader is not idle.
    await clock.advanceMs(5_000);
    await clock.advanceMs(5_000);
    assert.equal(server.closed, false, "still open after the idle timeout");
    await clock.advanceMs(19_999);
    assert.equal(server.closed, false, "still open just before the send timeout");
    await clock.advanceMs(1);
    await done;
    assert.equal(server.closed, true, "dropped at the send timeout");
  });

  it("a peer that closes with a request pending still gets its answer", async () => {
    const { client, done } = start(async () => ({ status: 200, body: "late" }));
    await client.send(`GET / HTTP/1.1\r\n${H}\r\n`);
    await client.flow.shutdown();
    assert.equal((await client.response())?.body, "late");
    await done;
  });
});

describe("createHttpServer", () => {
  it("serves on the stack's port until close(), then serve() resolves", async () => {
    const stack = new MemStack();
    const clock = new ManualClock();
    const device = createHttpServer(stack, clock, 8080);
    assert.equal(device.port, 8080);
    let resolved = false;
    const serving = device.serve(echo).then(() => {
      resolved = true;
    });
    await settle();
    assert.equal(stack.listening(8080), true);
    const client = new Client(stack.connect(8080));
    await client.send(`GET /hello HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await client.response())?.body, "GET /hello");
    assert.equal(resolved, false);
    await device.close();
    await serving;
    assert.equal(resolved, true);
    assert.equal(stack.listening(8080), false);
    assert.equal(await client.atEnd(), true, "idle connections end on close");
  });

  it("serve() rejects when the port cannot be bound", async () => {
    const stack = new MemStack();
    await stack.tcp.listen(80, () => {});
    const device = createHttpServer(stack, new ManualClock(), 80);
    await assert.rejects(device.serve(echo), /port 80 taken/);
  });

  it("connections are independent: a bad one does not stop the others", async () => {
    const stack = new MemStack();
    const device = createHttpServer(stack, new ManualClock(), 81);
    const serving = device.serve(echo);
    await settle();
    const bad = new Client(stack.connect(81));
    const good = new Client(stack.connect(81));
    await bad.send("BAD\r\n\r\n");
    assert.equal((await bad.response())?.status, 400);
    bad.flow.destroy();
    await good.send(`GET /still HTTP/1.1\r\n${H}\r\n`);
    assert.equal((await good.response())?.body, "GET /still");
    await device.close();
    await serving;
  });
});
