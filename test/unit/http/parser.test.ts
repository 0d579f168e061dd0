import assert from "node:assert/strict";
import { latin1Decode, latin1Encode } from "../../../stack/bytes/index.ts";
import {
  type ParseResult,
  type ParserLimits,
  parseRequest,
  RequestParser,
} from "../../../stack/http/parser.ts";

/** Raw request text; "\n" stays a bare LF, write "\r\n" where CRLF is meant. */
const bytes = (text: string): Uint8Array => latin1Encode(text);

interface Good {
  name: string;
  raw: string;
  method: string;
  path: string;
  query?: string;
  target?: string;
  version?: "1.0" | "1.1";
  headers?: [string, string][];
  body?: string;
  trailers?: [string, string][];
  keepAlive?: boolean;
}

interface Bad {
  name: string;
  raw: string;
  status: number;
  limits?: Partial<ParserLimits>;
}

const H = "Host: example.com\r\n";
const host: [string, string] = ["Host", "example.com"];

const good: Good[] = [
  {
    name: "simple GET",
    raw: `GET / HTTP/1.1\r\n${H}\r\n`,
    method: "GET",
    path: "/",
    headers: [host],
  },
  {
    name: "GET with query",
    raw: `GET /search?q=a%20b&x=1 HTTP/1.1\r\n${H}\r\n`,
    method: "GET",
    path: "/search",
    query: "q=a%20b&x=1",
    target: "/search?q=a%20b&x=1",
    headers: [host],
  },
  {
    name: "POST with Content-Length",
    raw: `POST /form HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world`,
    method: "POST",
    path: "/form",
    headers: [host, ["Content-Length", "11"]],
    body: "hello world",
  },
  {
    name: "chunked body",
    raw: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
    method: "POST",
    path: "/c",
    headers: [host, ["Transfer-Encoding", "chunked"]],
    body: "hello world",
  },
  {
    name: "chunk extensions",
    raw: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n3 ; a="q s"\r\nabc\r\n0;last\r\n\r\n`,
    method: "POST",
    path: "/c",
    headers: [host, ["Transfer-Encoding", "chunked"]],
    body: "helloabc",
  },
  {
    name: "chunked with trailers",
    raw: `POST /t HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nDigest: sha-256=x\r\nX-Done:  yes \r\n\r\n`,
    method: "POST",
    path: "/t",
    headers: [host, ["Transfer-Encoding", "chunked"]],
    body: "abc",
    trailers: [
      ["Digest", "sha-256=x"],
      ["X-Done", "yes"],
    ],
  },
  {
    name: "uppercase hex and leading zeros in chunk size",
    raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0002\r\nab\r\n000\r\n\r\n`,
    method: "POST",
    path: "/",
    headers: [host, ["Transfer-Encoding", "chunked"]],
    body: "0123456789ab",
  },
  {
    name: "bare LF line endings (RFC 9112 §2.2)",
    raw: "GET /lf HTTP/1.1\nHost: a\nX: 1\n\n",
    method: "GET",
    path: "/lf",
    headers: [
      ["Host", "a"],
      ["X", "1"],
    ],
  },
  {
    name: "bare LF in chunked framing",
    raw: "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\n",
    method: "POST",
    path: "/",
    headers: [
      ["Host", "a"],
      ["Transfer-Encoding", "chunked"],
    ],
    body: "hi",
  },
  {
    name: "empty lines before the request line are ignored",
    raw: `\r\n\r\nGET /x HTTP/1.1\r\n${H}\r\n`,
    method: "GET",
    path: "/x",
    headers: [host],
  },
  {
    name: "HTTP/1.0 without Host, not persistent",
    raw: "GET /old HTTP/1.0\r\n\r\n",
    method: "GET",
    path: "/old",
    version: "1.0",
    headers: [],
    keepAlive: false,
  },
  {
    name: "HTTP/1.0 with keep-alive",
    raw: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
    method: "GET",
    path: "/",
    version: "1.0",
    headers: [["Connection", "Keep-Alive"]],
    keepAlive: true,
  },
  {
    name: "HTTP/1.1 Connection: close",
    raw: `GET / HTTP/1.1\r\n${H}Connection: foo, close\r\n\r\n`,
    method: "GET",
    path: "/",
    headers: [host, ["Connection", "foo, close"]],
    keepAlive: false,
  },
  {
    name: "OWS around values is trimmed, inner spaces kept",
    raw: `GET / HTTP/1.1\r\n${H}X-A: \t a  b \t\r\nX-Empty:\r\nX-Sp:   \r\n\r\n`,
    method: "GET",
    path: "/",
    headers: [host, ["X-A", "a  b"], ["X-Empty", ""], ["X-Sp", ""]],
  },
  {
    name: "field names keep their case",
    raw: "GET / HTTP/1.1\r\nhOsT: h\r\nX-CamelCase-Name: v\r\n\r\n",
    method: "GET",
    path: "/",
    headers: [
      ["hOsT", "h"],
      ["X-CamelCase-Name", "v"],
    ],
  },
  {
    name: "absolute-form target",
    raw: `GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\n${H}\r\n`,
    method: "GET",
    path: "/a/b",
    query: "x=1",
    target: "http://example.com:8080/a/b?x=1",
    headers: [host],
  },
  {
    name: "absolute-form without path",
    raw: `GET http://example.com HTTP/1.1\r\n${H}\r\n`,
    method: "GET",
    path: "/",
    target: "http://example.com",
    headers: [host],
  },
  {
    name: "asterisk-form",
    raw: `OPTIONS * HTTP/1.1\r\n${H}\r\n`,
    method: "OPTIONS",
    path: "*",
    target: "*",
    headers: [host],
  },
  {
    name: "authority-form for CONNECT",
    raw: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    method: "CONNECT",
    path: "",
    target: "example.com:443",
    headers: [["Host", "example.com:443"]],
  },
  {
    name: "Host as an IPv6 literal with a port",
    raw: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
    method: "GET",
    path: "/",
    target: "/",
    headers: [["Host", "[::1]:8080"]],
  },
  {
    name: "empty Host (a target without authority)",
    raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n",
    method: "GET",
    path: "/",
    target: "/",
    headers: [["Host", ""]],
  },
  {
    name: "obs-text in a value decodes as latin1",
    raw: `GET / HTTP/1.1\r\n${H}X-Name: Jos\xe9\r\n\r\n`,
    method: "GET",
    path: "/",
    headers: [host, ["X-Name", "Jos\xe9"]],
  },
  {
    name: "repeated identical Content-Length",
    raw: `PUT /p HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`,
    method: "PUT",
    path: "/p",
    headers: [host, ["Content-Length", "3"], ["Content-Length", "3"]],
    body: "abc",
  },
  {
    name: "Content-Length: 0",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`,
    method: "POST",
    path: "/",
    headers: [host, ["Content-Length", "0"]],
  },
  {
    name: "Transfer-Encoding is case-insensitive, empty list elements ignored",
    raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: , Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n`,
    method: "POST",
    path: "/",
    headers: [host, ["Transfer-Encoding", ", Chunked"]],
    body: "x",
  },
  {
    name: "HTTP/1.2 is handled as 1.1 (RFC 9110 §2.5)",
    raw: `GET / HTTP/1.2\r\n${H}\r\n`,
    method: "GET",
    path: "/",
    version: "1.1",
    headers: [host],
  },
  {
    name: "extension method",
    raw: `PURGE /cache HTTP/1.1\r\n${H}\r\n`,
    method: "PURGE",
    path: "/cache",
    headers: [host],
  },
  {
    name: "binary body bytes",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: 6\r\n\r\n\x00\r\n\xff\n\r`,
    method: "POST",
    path: "/",
    headers: [host, ["Content-Length", "6"]],
    body: "\x00\r\n\xff\n\r",
  },
  {
    name: "Expect: 100-continue",
    raw: `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 2\r\n\r\nok`,
    method: "POST",
    path: "/",
    headers: [host, ["Expect", "100-continue"], ["Content-Length", "2"]],
    body: "ok",
  },
];

const te = (value: string) =>
  `POST / HTTP/1.1\r\n${H}Transfer-Encoding: ${value}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
const cl = (value: string) => `POST / HTTP/1.1\r\n${H}Content-Length: ${value}\r\n\r\nabc`;
const chunked = (chunks: string) =>
  `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${chunks}`;

const bad: Bad[] = [
  {
    name: "Content-Length with Transfer-Encoding (smuggling)",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "Transfer-Encoding before Content-Length",
    raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "two differing Content-Length fields",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
    status: 400,
  },
  { name: "Content-Length list with differing values", raw: cl("3, 4"), status: 400 },
  { name: "Content-Length list with equal values", raw: cl("3, 3"), status: 400 },
  { name: "negative Content-Length", raw: cl("-3"), status: 400 },
  { name: "plus-signed Content-Length", raw: cl("+3"), status: 400 },
  { name: "hex Content-Length", raw: cl("0x3"), status: 400 },
  { name: "empty Content-Length", raw: cl(""), status: 400 },
  { name: "Content-Length with inner space", raw: cl("1 2"), status: 400 },
  { name: "Content-Length with a fraction", raw: cl("3.0"), status: 400 },
  { name: "Transfer-Encoding: chunked, identity", raw: te("chunked, identity"), status: 400 },
  { name: "Transfer-Encoding: xchunked", raw: te("xchunked"), status: 400 },
  { name: "Transfer-Encoding: identity", raw: te("identity"), status: 400 },
  { name: "Transfer-Encoding: chunked, chunked", raw: te("chunked, chunked"), status: 400 },
  { name: "Transfer-Encoding: gzip, chunked (not decoded)", raw: te("gzip, chunked"), status: 501 },
  {
    name: "Transfer-Encoding split over two fields, chunked not last",
    raw: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "Transfer-Encoding in HTTP/1.0",
    raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    status: 400,
  },
  { name: "space before colon", raw: `GET / HTTP/1.1\r\nHost : example.com\r\n\r\n`, status: 400 },
  { name: "Host with a space", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400 },
  { name: "Host with a path", raw: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", status: 400 },
  { name: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", status: 400 },
  {
    name: "Host with a non-numeric port",
    raw: "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n",
    status: 400,
  },
  { name: "tab before colon", raw: `GET / HTTP/1.1\r\n${H}X-A\t: 1\r\n\r\n`, status: 400 },
  {
    name: "obs-fold line folding",
    raw: `GET / HTTP/1.1\r\n${H}X-A: one\r\n two\r\n\r\n`,
    status: 400,
  },
  {
    name: "whitespace before the first field",
    raw: `GET / HTTP/1.1\r\n ${H}\r\n`,
    status: 400,
  },
  { name: "bare CR in a field value", raw: `GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`, status: 400 },
  {
    name: "bare CR ending a field line",
    raw: `GET / HTTP/1.1\r\n${H}X-A: a\r\r\n\r\n`,
    status: 400,
  },
  { name: "bare CR in the request line", raw: `GET /a\rb HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "bare CR before the request line", raw: `\rGET / HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "NUL in a field value", raw: `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`, status: 400 },
  { name: "invalid char in method", raw: `GE(T / HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "invalid char in field name", raw: `GET / HTTP/1.1\r\n${H}X@Y: 1\r\n\r\n`, status: 400 },
  { name: "empty field name", raw: `GET / HTTP/1.1\r\n${H}: 1\r\n\r\n`, status: 400 },
  { name: "field line without colon", raw: `GET / HTTP/1.1\r\n${H}Nocolon\r\n\r\n`, status: 400 },
  { name: "two spaces in request line", raw: `GET  / HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "missing version", raw: `GET /\r\n${H}\r\n`, status: 400 },
  { name: "lowercase version", raw: `GET / http/1.1\r\n${H}\r\n`, status: 400 },
  { name: "relative request-target", raw: `GET foo HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "space in request-target", raw: `GET /a b HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { name: "invalid chunk size", raw: chunked("zz\r\nabc\r\n0\r\n\r\n"), status: 400 },
  { name: "empty chunk size", raw: chunked("\r\nabc\r\n0\r\n\r\n"), status: 400 },
  { name: "signed chunk size", raw: chunked("+3\r\nabc\r\n0\r\n\r\n"), status: 400 },
  {
    name: "chunk size overflow",
    raw: chunked("fffffffffffffffff3\r\nabc\r\n0\r\n\r\n"),
    status: 400,
  },
  { name: "chunk longer than its size", raw: chunked("2\r\nabc\r\n0\r\n\r\n"), status: 400 },
  { name: "chunk data ending in CR junk", raw: chunked("3\r\nabc\rx0\r\n\r\n"), status: 400 },
  { name: "bad chunk extension", raw: chunked("3;a\x01\r\nabc\r\n0\r\n\r\n"), status: 400 },
  { name: "missing Host in HTTP/1.1", raw: "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", status: 400 },
  { name: "two Host fields", raw: `GET / HTTP/1.1\r\n${H}Host: evil.com\r\n\r\n`, status: 400 },
  {
    name: "two Host fields in HTTP/1.0",
    raw: "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n",
    status: 400,
  },
  {
    name: "request line over 8 KiB -> 414",
    raw: `GET /${"a".repeat(8192)} HTTP/1.1\r\n${H}\r\n`,
    status: 414,
  },
  {
    name: "header section over 32 KiB -> 431",
    raw: `GET / HTTP/1.1\r\n${H}X-Big: ${"b".repeat(33 * 1024)}\r\n\r\n`,
    status: 431,
  },
  {
    name: "more than 100 fields -> 431",
    raw: `GET / HTTP/1.1\r\n${H}${"X-F: 1\r\n".repeat(100)}\r\n`,
    status: 431,
  },
  {
    name: "Content-Length over 1 MiB -> 413",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: ${1024 * 1024 + 1}\r\n\r\n`,
    status: 413,
  },
  {
    name: "huge Content-Length -> 413",
    raw: `POST / HTTP/1.1\r\n${H}Content-Length: 99999999999999999999999\r\n\r\n`,
    status: 413,
  },
  {
    name: "chunked body over the limit -> 413",
    raw: chunked("8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"),
    status: 413,
    limits: { maxBodyBytes: 10 },
  },
  {
    name: "trailer section over the limit -> 431",
    raw: chunked(`0\r\nX-T: ${"t".repeat(100)}\r\n\r\n`),
    status: 431,
    limits: { maxHeaderBytes: 80 },
  },
  { name: "HTTP/2.0 -> 505", raw: `GET / HTTP/2.0\r\n${H}\r\n`, status: 505 },
  { name: "HTTP/3 -> 505", raw: `GET / HTTP/3\r\n${H}\r\n`, status: 505 },
  { name: "HTTP/0.9 -> 505", raw: `GET / HTTP/0.9\r\n${H}\r\n`, status: 505 },
];

function summary(result: ParseResult) {
  if (result.kind !== "ok") return result;
  const r = result.request;
  return {
    method: r.method,
    target: r.target,
    path: r.path,
    query: r.query,
    version: r.version,
    headers: r.headers,
    body: latin1Decode(r.body),
    trailers: r.trailers,
    keepAlive: result.keepAlive,
    consumed: result.consumed,
  };
}

function expected(c: Good) {
  return {
    method: c.method,
    target: c.target ?? c.path + (c.query ? `?${c.query}` : ""),
    path: c.path,
    query: c.query ?? "",
    version: c.version ?? "1.1",
    headers: c.headers ?? [],
    body: c.body ?? "",
    trailers: c.trailers,
    keepAlive: c.keepAlive ?? true,
    consumed: c.raw.length,
  };
}

describe("http parser: good requests", () => {
  it("has a table of at least 40 cases in all", () => {
    assert.ok(good.length + bad.length >= 40, `${good.length + bad.length} cases`);
  });

  for (const c of good) {
    describe(c.name, () => {
      const buf = bytes(c.raw);

      it("parses in one piece", () => {
        assert.deepEqual(summary(parseRequest(buf)), expected(c));
      });

      it("parses the same when split at every offset", () => {
        for (let k = 0; k < buf.length; k++) {
          const parser = new RequestParser();
          assert.equal(parser.parse(buf.slice(0, k)).kind, "need-more", `split at ${k}`);
          assert.deepEqual(summary(parser.parse(buf.slice())), expected(c), `split at ${k}`);
        }
      });

      it("parses the same fed byte by byte", () => {
        const parser = new RequestParser();
        for (let k = 1; k < buf.length; k++) {
          assert.equal(parser.parse(buf.slice(0, k)).kind, "need-more", `at ${k}`);
        }
        assert.deepEqual(summary(parser.parse(buf.slice())), expected(c));
      });

      it("stops at its end when followed by another request", () => {
        const next = bytes(`GET /next HTTP/1.1\r\n${H}\r\n`);
        const both = new Uint8Array(buf.length + next.length);
        both.set(buf);
        both.set(next, buf.length);
        const first = parseRequest(both);
        assert.deepEqual(summary(first), expected(c));
      });
    });
  }
});

describe("http parser: bad requests", () => {
  for (const c of bad) {
    it(`${c.name} -> ${c.status}`, () => {
      const result = parseRequest(bytes(c.raw), c.limits);
      assert.equal(result.kind, "error");
      assert.equal(result.kind === "error" && result.status, c.status);
    });
  }

  it("each bad request fed in pieces fails with the same status, never ok", () => {
    for (const c of bad) {
      const buf = bytes(c.raw);
      const step = Math.max(1, Math.floor(buf.length / 97));
      const parser = new RequestParser(c.limits);
      let result: ParseResult = { kind: "need-more" };
      for (let k = step; result.kind === "need-more"; k = Math.min(k + step, buf.length)) {
        result = parser.parse(buf.slice(0, k));
        if (k === buf.length) break;
      }
      assert.equal(result.kind, "error", c.name);
      assert.equal(result.kind === "error" && result.status, c.status, c.name);
    }
  });

  it("rejects an over-long request line before its end arrives", () => {
    const result = parseRequest(bytes(`GET /${"a".repeat(9000)}`));
    assert.equal(result.kind === "error" && result.status, 414);
  });

  it("rejects an over-long header section before its end arrives", () => {
    const result = parseRequest(bytes(`GET / HTTP/1.1\r\n${H}X: ${"a".repeat(40_000)}`));
    assert.equal(result.kind === "error" && result.status, 431);
  });

  it("accepts exactly the limits", () => {
    const limits = { maxBodyBytes: 3, maxHeaderCount: 2 };
    const ok = parseRequest(bytes(`POST / HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`), limits);
    assert.equal(ok.kind, "ok");
    const over = parseRequest(
      bytes(`POST / HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nabcd`),
      limits,
    );
    assert.equal(over.kind === "error" && over.status, 413);
    const fields = parseRequest(bytes(`GET / HTTP/1.1\r\n${H}A: 1\r\nB: 2\r\n\r\n`), limits);
    assert.equal(fields.kind === "error" && fields.status, 431);
  });
});

describe("http parser: pipelining and reuse", () => {
  it("parses several requests from one buffer in order", () => {
    const raw =
      `GET /1 HTTP/1.1\r\n${H}\r\n` +
      `POST /2 HTTP/1.1\r\n${H}Content-Length: 4\r\n\r\nbody` +
      `POST /3 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n` +
      `GET /4 HTTP/1.1\r\n${H}\r\n`;
    const buf = bytes(raw);
    const parser = new RequestParser();
    const seen: string[] = [];
    let offset = 0;
    while (offset < buf.length) {
      const result = parser.parse(buf.subarray(offset));
      assert.equal(result.kind, "ok");
      if (result.kind !== "ok") break;
      seen.push(`${result.request.path}:${latin1Decode(result.request.body)}`);
      offset += result.consumed;
    }
    assert.deepEqual(seen, ["/1:", "/2:body", "/3:ok", "/4:"]);
    assert.equal(offset, buf.length);
  });

  it("a parser is reusable after an error", () => {
    const parser = new RequestParser();
    const bad1 = parser.parse(bytes("GET / HTTP/2.0\r\n\r\n"));
    assert.equal(bad1.kind === "error" && bad1.status, 505);
    const ok = parser.parse(bytes(`GET /again HTTP/1.1\r\n${H}\r\n`));
    assert.equal(ok.kind === "ok" && ok.request.path, "/again");
  });

  it("body is a copy, independent of the input buffer", () => {
    const buf = bytes(`POST / HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`);
    const result = parseRequest(buf);
    buf.fill(0);
    assert.equal(result.kind === "ok" && latin1Decode(result.request.body), "abc");
  });

  it("reports the body phase and a pending 100-continue", () => {
    const parser = new RequestParser();
    parser.parse(bytes(`POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 2\r\n\r\n`));
    assert.equal(parser.inBody, true);
    assert.equal(parser.waitsForContinue, true);
  });
});
