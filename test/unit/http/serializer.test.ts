import assert from "node:assert/strict";
import {
  concatBytes,
  latin1Decode,
  latin1Encode,
  utf8Decode,
  utf8Encode,
} from "../../../stack/bytes/index.ts";
import type { HttpResponse } from "../../../stack/http/message.ts";
import { parseRequest } from "../../../stack/http/parser.ts";
import {
  encodeChunk,
  encodeLastChunk,
  httpDate,
  reasonPhrase,
  type SerializeOptions,
  serializeResponse,
} from "../../../stack/http/serializer.ts";

interface Parsed {
  statusLine: string;
  headers: [string, string][];
  body: Uint8Array | null;
  close: boolean;
}

/** A small independent reader of what the serializer wrote. */
function serialize(res: HttpResponse, options?: SerializeOptions): Parsed {
  const out = serializeResponse(res, options);
  const text = latin1Decode(out.head);
  assert.ok(text.endsWith("\r\n\r\n"), "head ends with an empty line");
  const lines = text.slice(0, -4).split("\r\n");
  const statusLine = lines.shift() as string;
  const headers = lines.map((l): [string, string] => {
    const i = l.indexOf(": ");
    return [l.slice(0, i), l.slice(i + 2)];
  });
  return { statusLine, headers, body: out.body, close: out.close };
}

const get = (p: Parsed, name: string) =>
  p.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

describe("http serializer", () => {
  it("writes status line, fields and Content-Length for a string body as UTF-8", () => {
    const p = serialize({
      status: 200,
      headers: [["Content-Type", "text/plain"]],
      body: "héllo €",
    });
    assert.equal(p.statusLine, "HTTP/1.1 200 OK");
    assert.deepEqual(get(p, "content-type"), ["text/plain"]);
    assert.deepEqual(get(p, "content-length"), ["10"]);
    assert.equal(utf8Decode(p.body as Uint8Array), "héllo €");
  });

  it("sends the handler's byte body as is", () => {
    const body = new Uint8Array([0, 1, 2, 255]);
    const p = serialize({ status: 201, body });
    assert.equal(p.statusLine, "HTTP/1.1 201 Created");
    assert.deepEqual(get(p, "content-length"), ["4"]);
    assert.equal(p.body, body);
  });

  it("sets Content-Length: 0 without a body", () => {
    const p = serialize({ status: 404 });
    assert.deepEqual(get(p, "content-length"), ["0"]);
    assert.equal(p.body, null);
  });

  it("replaces a wrong Content-Length and drops Transfer-Encoding from the handler", () => {
    const p = serialize({
      status: 200,
      headers: [
        ["Content-Length", "999"],
        ["Transfer-Encoding", "chunked"],
      ],
      body: "abc",
    });
    assert.deepEqual(get(p, "content-length"), ["3"]);
    assert.deepEqual(get(p, "transfer-encoding"), []);
  });

  it("HEAD keeps Content-Length and sends no body", () => {
    const p = serialize({ status: 200, body: "abcdef" }, { headRequest: true });
    assert.deepEqual(get(p, "content-length"), ["6"]);
    assert.equal(p.body, null);
  });

  it("HEAD without a body keeps the handler's Content-Length", () => {
    const p = serialize(
      { status: 200, headers: [["Content-Length", "1234"]] },
      { headRequest: true },
    );
    assert.deepEqual(get(p, "content-length"), ["1234"]);
    assert.equal(p.body, null);
  });

  for (const status of [100, 103, 204, 304]) {
    it(`${status} has no body and no automatic Content-Length`, () => {
      const p = serialize({ status, body: "ignored" });
      assert.equal(p.body, null);
      assert.deepEqual(get(p, "content-length"), []);
    });
  }

  it("204 drops even the handler's Content-Length; 304 keeps it", () => {
    const h: [string, string][] = [["Content-Length", "5"]];
    assert.deepEqual(get(serialize({ status: 204, headers: h }), "content-length"), []);
    assert.deepEqual(get(serialize({ status: 304, headers: h }), "content-length"), ["5"]);
  });

  it("adds Date when given the time, unless the handler set one", () => {
    const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.deepEqual(get(serialize({ status: 200 }, { dateMs: ms }), "date"), [
      "Sun, 06 Nov 1994 08:49:37 GMT",
    ]);
    const own = serialize({ status: 200, headers: [["Date", "x"]] }, { dateMs: ms });
    assert.deepEqual(get(own, "date"), ["x"]);
    assert.deepEqual(get(serialize({ status: 200 }), "date"), []);
  });

  it("formats IMF-fixdate (RFC 9110 §5.6.7)", () => {
    assert.equal(httpDate(Date.UTC(2024, 1, 29, 23, 5, 9, 999)), "Thu, 29 Feb 2024 23:05:09 GMT");
    assert.equal(httpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  });

  it("announces close and keep-alive", () => {
    const c = serialize({ status: 200 }, { close: true });
    assert.deepEqual(get(c, "connection"), ["close"]);
    assert.equal(c.close, true);
    const k = serialize({ status: 200 }, { keepAlive: true });
    assert.deepEqual(get(k, "connection"), ["keep-alive"]);
    assert.equal(k.close, false);
  });

  it("honours a handler's Connection: close", () => {
    const p = serialize({ status: 200, headers: [["connection", "Close"]] });
    assert.equal(p.close, true);
    assert.deepEqual(get(p, "connection"), ["close"]);
  });

  it("reason phrases, and an empty one for unknown statuses", () => {
    assert.equal(reasonPhrase(431), "Request Header Fields Too Large");
    assert.equal(reasonPhrase(413), "Content Too Large");
    assert.equal(serialize({ status: 299 }).statusLine, "HTTP/1.1 299 ");
  });

  it("refuses CR/LF in a value (response splitting), bad names and bad statuses", () => {
    assert.throws(() => serializeResponse({ status: 200, headers: [["X", "a\r\nSet-Cookie: x"]] }));
    assert.throws(() => serializeResponse({ status: 200, headers: [["X", "a\nb"]] }));
    assert.throws(() => serializeResponse({ status: 200, headers: [["Bad Name", "v"]] }));
    assert.throws(() => serializeResponse({ status: 200, headers: [["X", "\u0100"]] }));
    assert.throws(() => serializeResponse({ status: 99 }));
    assert.throws(() => serializeResponse({ status: 200.5 }));
  });

  it("chunked encoding round-trips through the request parser", () => {
    const parts = ["hello", "", " wor", "ld".repeat(300)];
    const pieces: Uint8Array[] = [
      latin1Encode("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ];
    for (const p of parts) pieces.push(...encodeChunk(latin1Encode(p)));
    pieces.push(encodeLastChunk([["X-Sum", "42"]]));
    const result = parseRequest(concatBytes(pieces));
    assert.equal(result.kind, "ok");
    if (result.kind !== "ok") return;
    assert.equal(latin1Decode(result.request.body), parts.join(""));
    assert.deepEqual(result.request.trailers, [["X-Sum", "42"]]);
    assert.equal(latin1Decode(encodeChunk(new Uint8Array(255))[0] as Uint8Array), "ff\r\n");
  });
});

describe("http bytes", () => {
  it("UTF-8 round trips including astral characters and matches Node's encoder", () => {
    const text = "aé€😀\u0000z";
    const enc = utf8Encode(text);
    assert.deepEqual(Array.from(enc), Array.from(new TextEncoder().encode(text)));
    assert.equal(utf8Decode(enc), text);
  });

  it("lone surrogates and malformed UTF-8 become U+FFFD", () => {
    assert.deepEqual(Array.from(utf8Encode("\ud800")), [0xef, 0xbf, 0xbd]);
    assert.equal(utf8Decode(new Uint8Array([0x61, 0xc0, 0xaf, 0x62])), "a\ufffd\ufffdb");
    assert.equal(utf8Decode(new Uint8Array([0xe2, 0x82])), "\ufffd");
  });

  it("latin1 round trips all octets, also beyond one decode slice", () => {
    const all = new Uint8Array(10_000).map((_, i) => i & 0xff);
    assert.deepEqual(latin1Encode(latin1Decode(all)), all);
  });
});
