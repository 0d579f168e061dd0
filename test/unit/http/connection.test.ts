import assert from "node:assert/strict";
import { latin1Decode, latin1Encode } from "../../../stack/bytes/index.ts";
import { HttpConnection, type PendingRequest } from "../../../stack/http/connection.ts";

const MS = 1_000_000n;
const H = "Host: h\r\n";

function send(conn: HttpConnection, text: string, atMs: number): readonly PendingRequest[] {
  conn.receive(latin1Encode(text), BigInt(atMs) * MS);
  return conn.takeRequests();
}

function output(conn: HttpConnection, dateMs?: number): string {
  return conn
    .takeOutput(dateMs)
    .map((b) => latin1Decode(b))
    .join("");
}

/** Splits concatenated responses (Content-Length framed) into [status line, head, body]. */
function responses(text: string): { status: number; head: string; body: string }[] {
  const out: { status: number; head: string; body: string }[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n\r\n");
    assert.ok(end > 0, `incomplete response in ${JSON.stringify(rest)}`);
    const head = rest.slice(0, end);
    const m = /\r\ncontent-length: (\d+)/i.exec(head);
    const status = Number(head.slice(9, 12));
    const hasBody = status >= 200 && status !== 204 && status !== 304 && !head.includes("X-Head");
    const length = m && hasBody ? Number(m[1]) : 0;
    out.push({ status, head, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

describe("http connection (sans-IO)", () => {
  it("keeps an HTTP/1.1 connection alive across requests", () => {
    const conn = new HttpConnection({}, 0n);
    const [a] = send(conn, `GET /a HTTP/1.1\r\n${H}\r\n`, 1);
    assert.equal(a?.request.path, "/a");
    conn.respond(a?.id ?? -1, { status: 200, body: "A" }, 2n * MS);
    const r1 = responses(output(conn));
    assert.equal(r1.length, 1);
    assert.equal(r1[0]?.body, "A");
    assert.ok(!r1[0]?.head.includes("Connection:"));
    assert.equal(conn.closed, false);
    const [b] = send(conn, `GET /b HTTP/1.1\r\n${H}\r\n`, 3);
    assert.equal(b?.id, 1);
    conn.respond(1, { status: 200, body: "B" }, 4n * MS);
    assert.equal(responses(output(conn))[0]?.body, "B");
    assert.equal(conn.closed, false);
  });

  it("answers pipelined requests in request order whatever order the handler finishes", () => {
    const conn = new HttpConnection({}, 0n);
    const reqs = send(
      conn,
      `GET /0 HTTP/1.1\r\n${H}\r\nGET /1 HTTP/1.1\r\n${H}\r\nGET /2 HTTP/1.1\r\n${H}\r\n`,
      0,
    );
    assert.deepEqual(
      reqs.map((r) => [r.id, r.request.path]),
      [
        [0, "/0"],
        [1, "/1"],
        [2, "/2"],
      ],
    );
    conn.respond(2, { status: 200, body: "two" }, 1n);
    assert.equal(output(conn), "");
    conn.respond(0, { status: 200, body: "zero" }, 2n);
    assert.deepEqual(
      responses(output(conn)).map((r) => r.body),
      ["zero"],
    );
    conn.respond(1, { status: 200, body: "one" }, 3n);
    assert.deepEqual(
      responses(output(conn)).map((r) => r.body),
      ["one", "two"],
    );
  });

  it("HEAD gets Content-Length and no body", () => {
    const conn = new HttpConnection({}, 0n);
    const [r] = send(conn, `HEAD /x HTTP/1.1\r\n${H}\r\nGET /y HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(r?.id ?? -1, { status: 200, body: "12345" }, 1n);
    conn.respond(1, { status: 200, body: "yy" }, 1n);
    const text = output(conn);
    assert.ok(text.startsWith("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK"), text);
    assert.ok(text.endsWith("\r\n\r\nyy"));
  });

  it("answers 408 and closes when the header section is late (at explicit times)", () => {
    const conn = new HttpConnection({ headersTimeoutMs: 10_000 }, 0n);
    send(conn, "GET / HTTP/1.1\r\nHo", 1_000);
    assert.equal(conn.timeoutAtNs(), 11_000n * MS);
    send(conn, "st: h\r\n", 5_000);
    assert.equal(conn.timeoutAtNs(), 11_000n * MS, "more bytes do not extend the header deadline");
    conn.tick(11_000n * MS - 1n);
    assert.equal(output(conn), "");
    assert.equal(conn.closed, false);
    conn.tick(11_000n * MS);
    const [r] = responses(output(conn));
    assert.equal(r?.status, 408);
    assert.match(r?.head ?? "", /Connection: close/);
    assert.equal(conn.closed, true);
    assert.equal(conn.timeoutAtNs(), null);
  });

  it("closes an idle keep-alive connection silently", () => {
    const conn = new HttpConnection({ idleTimeoutMs: 5_000 }, 0n);
    assert.equal(conn.timeoutAtNs(), 5_000n * MS);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\n`, 1_000);
    assert.equal(conn.timeoutAtNs(), null, "no deadline while the handler works");
    conn.respond(0, { status: 204 }, 2_000n * MS);
    output(conn);
    conn.flushed(2_500n * MS);
    assert.equal(conn.timeoutAtNs(), 7_500n * MS);
    conn.tick(7_499n * MS);
    assert.equal(conn.closed, false);
    conn.tick(7_500n * MS);
    assert.equal(conn.closed, true);
    assert.equal(output(conn), "");
  });

  it("a stalled body also times out with 408", () => {
    const conn = new HttpConnection({ headersTimeoutMs: 1_000 }, 0n);
    send(conn, `POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`, 0);
    send(conn, "def", 900);
    assert.equal(conn.timeoutAtNs(), 1_900n * MS);
    conn.tick(1_900n * MS);
    assert.equal(responses(output(conn))[0]?.status, 408);
    assert.equal(conn.closed, true);
  });

  it("a body that trickles in forever still ends with 408 at the request timeout", () => {
    const conn = new HttpConnection({ headersTimeoutMs: 1_000, requestTimeoutMs: 5_000 }, 0n);
    send(conn, `POST / HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\n`, 0);
    // One byte every 900 ms: never stalled for headersTimeoutMs, never finished.
    for (let t = 900; t < 5_000; t += 900) {
      send(conn, "x", t);
      conn.tick(BigInt(t) * MS);
      assert.equal(conn.closed, false, `still open at ${t} ms`);
    }
    assert.equal(conn.timeoutAtNs(), 5_000n * MS);
    conn.tick(5_000n * MS);
    assert.equal(responses(output(conn))[0]?.status, 408);
    assert.equal(conn.closed, true);
  });

  it("answers a malformed request with 400 and Connection: close, after earlier responses", () => {
    const conn = new HttpConnection({}, 0n);
    const reqs = send(conn, `GET /ok HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\nBad Name: x\r\n\r\n`, 0);
    assert.equal(reqs.length, 1);
    assert.equal(output(conn), "", "the 400 waits for the first response");
    conn.respond(0, { status: 200, body: "fine" }, 1n);
    const rs = responses(output(conn));
    assert.deepEqual(
      rs.map((r) => r.status),
      [200, 400],
    );
    assert.match(rs[1]?.head ?? "", /Connection: close/);
    assert.equal(conn.closed, true);
    send(conn, `GET /more HTTP/1.1\r\n${H}\r\n`, 2);
    assert.equal(conn.takeRequests().length, 0, "nothing is read after an error");
  });

  it("maps parser errors to their statuses (505, 413)", () => {
    for (const [text, status] of [
      [`GET / HTTP/2.0\r\n${H}\r\n`, 505],
      [`POST / HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\n`, 413],
    ] as const) {
      const conn = new HttpConnection({ maxBodyBytes: 10 }, 0n);
      send(conn, text, 0);
      assert.equal(responses(output(conn))[0]?.status, status);
      assert.equal(conn.closed, true);
    }
  });

  it("a failed handler gets 500 and the connection goes on", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\n`, 0);
    conn.fail(0, 1n);
    assert.equal(responses(output(conn))[0]?.status, 500);
    assert.equal(conn.closed, false);
  });

  it("an invalid response from the handler becomes 500", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(0, { status: 200, headers: [["X", "a\r\nInjected: 1"]] }, 1n);
    const text = output(conn);
    assert.equal(responses(text)[0]?.status, 500);
    assert.ok(!text.includes("Injected"));
  });

  it("HTTP/1.0 closes after the response unless keep-alive was asked", () => {
    const plain = new HttpConnection({}, 0n);
    send(plain, "GET / HTTP/1.0\r\n\r\n", 0);
    plain.respond(0, { status: 200 }, 1n);
    assert.match(output(plain), /Connection: close/);
    assert.equal(plain.closed, true);
    const ka = new HttpConnection({}, 0n);
    send(ka, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0);
    ka.respond(0, { status: 200 }, 1n);
    assert.match(output(ka), /Connection: keep-alive/);
    assert.equal(ka.closed, false);
  });

  it("ignores requests pipelined after Connection: close", () => {
    const conn = new HttpConnection({}, 0n);
    const reqs = send(
      conn,
      `GET /last HTTP/1.1\r\n${H}Connection: close\r\n\r\nGET /ignored HTTP/1.1\r\n${H}\r\n`,
      0,
    );
    assert.deepEqual(
      reqs.map((r) => r.request.path),
      ["/last"],
    );
    conn.respond(0, { status: 200 }, 1n);
    assert.match(output(conn), /Connection: close/);
    assert.equal(conn.closed, true);
  });

  it("a handler's Connection: close closes after that response", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(0, { status: 200, headers: [["Connection", "close"]] }, 1n);
    conn.respond(1, { status: 200 }, 1n);
    assert.equal(responses(output(conn)).length, 1);
    assert.equal(conn.closed, true);
  });

  it("answers what was asked when the peer half-closes, then closes", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\nGET /partial HT`, 0);
    conn.peerClosed(1n);
    assert.equal(conn.closed, false);
    assert.equal(conn.wantsRead, false);
    conn.respond(0, { status: 200, body: "x" }, 2n);
    assert.equal(responses(output(conn)).length, 1);
    assert.equal(conn.closed, true);
  });

  it("stops reading when the pipeline is full and resumes as responses leave", () => {
    const conn = new HttpConnection({ maxPipelined: 2 }, 0n);
    const text = `GET /x HTTP/1.1\r\n${H}\r\n`.repeat(3);
    assert.equal(send(conn, text, 0).length, 2);
    assert.equal(conn.wantsRead, false);
    conn.respond(0, { status: 200 }, 1n);
    output(conn);
    assert.equal(conn.takeRequests().length, 1, "the buffered third request is parsed");
    assert.equal(conn.wantsRead, false);
    conn.respond(1, { status: 200 }, 1n);
    output(conn);
    assert.equal(conn.wantsRead, true);
  });

  it("sends 100 Continue when the client waits for it, before the final response", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n`, 0);
    assert.equal(output(conn), "HTTP/1.1 100 Continue\r\n\r\n");
    const [r] = send(conn, "ok", 1);
    assert.equal(latin1Decode(r?.request.body ?? new Uint8Array()), "ok");
    conn.respond(0, { status: 200 }, 2n);
    assert.ok(output(conn).startsWith("HTTP/1.1 200 OK"));
  });

  it("adds Date from the time given to takeOutput", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(0, { status: 200 }, 1n);
    assert.match(output(conn, Date.UTC(2001, 0, 1)), /\r\nDate: Mon, 01 Jan 2001 00:00:00 GMT\r\n/);
  });

  it("owns the send deadline: a write not flushed within sendTimeout drops the connection", () => {
    const conn = new HttpConnection({ sendTimeoutMs: 30_000, idleTimeoutMs: 5_000 }, 0n);
    send(conn, `GET /a HTTP/1.1\r\n${H}\r\nGET /b HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(0, { status: 200, body: "A" }, 1n * MS);
    assert.equal(responses(output(conn)).length, 1);
    conn.writeStarted(1n * MS);
    conn.respond(1, { status: 200, body: "B" }, 2n * MS);
    assert.equal(conn.timeoutAtNs(), 30_001n * MS, "while a write waits, only the send deadline");
    conn.tick(30_000n * MS);
    assert.equal(conn.closed, false);
    assert.equal(conn.dropped, false);
    conn.tick(30_001n * MS);
    assert.equal(conn.closed, true);
    assert.equal(conn.dropped, true);
    assert.equal(conn.closeReason, "send-timeout");
    assert.deepEqual(conn.takeOutput(), [], "a dropped connection writes nothing more");
    assert.equal(conn.timeoutAtNs(), null);
    conn.flushed(30_002n * MS);
    assert.equal(conn.closeReason, "send-timeout", "a late flush does not revive it");
  });

  it("a flushed write clears the send deadline and starts the idle one", () => {
    const conn = new HttpConnection({ sendTimeoutMs: 30_000, idleTimeoutMs: 5_000 }, 0n);
    send(conn, `GET / HTTP/1.1\r\n${H}\r\n`, 0);
    conn.respond(0, { status: 200 }, 0n);
    output(conn);
    conn.writeStarted(0n);
    assert.equal(conn.timeoutAtNs(), 30_000n * MS);
    conn.flushed(20_000n * MS);
    assert.equal(conn.timeoutAtNs(), 25_000n * MS);
    conn.tick(25_000n * MS);
    assert.equal(conn.closeReason, "idle-timeout");
    assert.equal(conn.dropped, false);
  });

  it("states are explicit: reading, draining with a reason, closed with that reason", () => {
    const conn = new HttpConnection({}, 0n);
    assert.deepEqual(conn.state, { kind: "reading", expect: "none" });
    send(conn, `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, 0);
    assert.deepEqual(conn.state, { kind: "draining", reason: "close-requested" });
    assert.equal(conn.closeReason, null);
    conn.respond(0, { status: 204 }, 1n);
    output(conn);
    assert.deepEqual(conn.state, { kind: "closed", reason: "close-requested" });

    const bad = new HttpConnection({}, 0n);
    send(bad, "NOT HTTP\r\n\r\n", 0);
    assert.deepEqual(bad.state, { kind: "draining", reason: "rejected" });
    output(bad);
    assert.equal(bad.closeReason, "rejected");

    const peer = new HttpConnection({}, 0n);
    peer.peerClosed(0n);
    assert.equal(peer.closeReason, "peer-closed");
    const stopping = new HttpConnection({}, 0n);
    send(stopping, `GET / HTTP/1.1\r\n${H}\r\n`, 0);
    stopping.shutdown(1n);
    assert.deepEqual(stopping.state, { kind: "draining", reason: "shutdown" });
    stopping.aborted(2n);
    assert.equal(stopping.closeReason, "aborted");
    assert.equal(stopping.dropped, true);
  });

  it("a 100 Continue is state data: owed, sent, and forgotten once the request is whole", () => {
    const conn = new HttpConnection({}, 0n);
    send(conn, `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n`, 0);
    assert.deepEqual(conn.state, { kind: "reading", expect: "owed" });
    assert.equal(output(conn), "HTTP/1.1 100 Continue\r\n\r\n");
    assert.deepEqual(conn.state, { kind: "reading", expect: "sent" });
    send(conn, "ok", 1);
    assert.deepEqual(conn.state, { kind: "reading", expect: "none" });
    // The body arrives before the 100 went out: no 100 after (or instead of) the final answer.
    const late = new HttpConnection({}, 0n);
    send(late, `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n`, 0);
    send(late, "ok", 1);
    late.respond(0, { status: 200 }, 2n);
    assert.ok(output(late).startsWith("HTTP/1.1 200 OK"));
  });
});
