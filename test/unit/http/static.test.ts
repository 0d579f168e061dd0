import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { latin1Decode, utf8Encode } from "../../../stack/bytes/index.ts";
import type { KvRo } from "../../../stack/devices/kv.ts";
import type { HttpRequest, HttpResponse } from "../../../stack/http/message.ts";
import { freezeHeaders, serializeResponse } from "../../../stack/http/serializer.ts";
import { keyOfPath, serveStore } from "../../../stack/http/static.ts";

/** A store in memory whose files the test changes between requests; counts digest calls. */
function memoryStore(files: Map<string, Uint8Array>): KvRo & { digests: number } {
  const store = {
    digests: 0,
    get: async (key: string) => files.get(key) ?? null,
    async digest(key: string) {
      store.digests++;
      const v = files.get(key);
      return v === undefined ? null : createHash("sha256").update(v).digest("hex");
    },
    async exists(key: string) {
      if (files.has(key)) return "value" as const;
      for (const k of files.keys()) if (k.startsWith(`${key}/`)) return "dictionary" as const;
      return null;
    },
    list: async () => [],
  };
  return store;
}

function request(method: string, path: string, headers: [string, string][] = []): HttpRequest {
  return { method, target: path, path, query: "", version: "1.1", headers, body: new Uint8Array() };
}

/** The head as the serializer writes it, Date aside. */
function headText(res: HttpResponse, headRequest = false): string {
  return latin1Decode(serializeResponse(res, { headRequest, dateMs: 0 }).head);
}

const SECURITY: [string, string][] = [
  ["Strict-Transport-Security", "max-age=63072000; includeSubDomains"],
  ["X-Frame-Options", "DENY"],
];

describe("http static files (serveStore)", () => {
  it("maps paths to keys: slashes, index.html, escapes, NUL", () => {
    assert.equal(keyOfPath("/"), "index.html");
    assert.equal(keyOfPath("//a/b/"), "a/b/index.html");
    assert.equal(keyOfPath("/css/site.css"), "css/site.css");
    assert.equal(keyOfPath("/a%20b.txt"), "a b.txt");
    assert.equal(keyOfPath("/%2Fx"), "x");
    assert.equal(keyOfPath("/bad%zz"), null);
    assert.equal(keyOfPath("/a%00b"), null);
  });

  it("serves a file with its type and ETag and the given fields, then the edited file with a new ETag", async () => {
    const files = new Map([["index.html", utf8Encode("<p>one</p>")]]);
    const handler = serveStore(memoryStore(files), { headers: SECURITY });
    const first = await handler(request("GET", "/"));
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, utf8Encode("<p>one</p>"));
    const head = headText(first);
    assert.match(head, /\r\nContent-Type: text\/html; charset=utf-8\r\nETag: "[0-9a-f]{32}"\r\n/);
    assert.match(head, /\r\nStrict-Transport-Security: max-age=63072000; includeSubDomains\r\n/);
    assert.match(head, /\r\nX-Frame-Options: DENY\r\nDate: .*\r\nContent-Length: 10\r\n\r\n$/);
    const etag = /ETag: ("[0-9a-f]+")/.exec(head)?.[1] as string;
    // The same head again (the fields' bytes now come from the serializer's cache).
    assert.equal(headText(await handler(request("GET", "/"))), head);

    files.set("index.html", utf8Encode("<p>two, longer</p>"));
    const edited = await handler(request("GET", "/index.html", [["If-None-Match", etag]]));
    assert.equal(edited.status, 200);
    assert.deepEqual(edited.body, utf8Encode("<p>two, longer</p>"));
    const editedHead = headText(edited);
    assert.doesNotMatch(editedHead, new RegExp(etag));
    assert.match(editedHead, /\r\nContent-Length: 18\r\n/);
  });

  it("answers 304 to a matching If-None-Match, HEAD without body, 404, 405 and 301, each with the given fields", async () => {
    const files = new Map([
      ["a.css", utf8Encode("p{}")],
      ["docs/index.html", utf8Encode("docs")],
    ]);
    const handler = serveStore(memoryStore(files), { headers: SECURITY });
    const ok = await handler(request("GET", "/a.css"));
    const etag = /ETag: ("[0-9a-f]+")/.exec(headText(ok))?.[1] as string;
    const notModified = await handler(request("GET", "/a.css", [["if-none-match", `W/${etag}`]]));
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body, undefined);
    assert.match(
      headText(notModified),
      /^HTTP\/1.1 304 Not Modified\r\nETag: "[0-9a-f]+"\r\nStrict/,
    );
    const head = await handler(request("HEAD", "/a.css"));
    const out = serializeResponse(head, { headRequest: true });
    assert.equal(out.body, null);
    assert.match(latin1Decode(out.head), /\r\nContent-Type: text\/css; charset=utf-8\r\n/);
    assert.match(latin1Decode(out.head), /\r\nContent-Length: 3\r\n/);
    for (const [method, path, status] of [
      ["GET", "/missing", 404],
      ["POST", "/a.css", 405],
      ["GET", "/docs", 301],
    ] as const) {
      const res = await handler(request(method, path));
      assert.equal(res.status, status);
      assert.match(headText(res), /\r\nX-Frame-Options: DENY\r\n/);
    }
  });

  it("asks the store for the digest on every request (no stale file)", async () => {
    const store = memoryStore(new Map([["x.txt", utf8Encode("x")]]));
    const handler = serveStore(store);
    for (let i = 0; i < 3; i++) await handler(request("GET", "/x.txt"));
    assert.equal(store.digests, 3);
  });
});

describe("http serializer: frozen header lists", () => {
  const fields: [string, string][] = [
    ["Content-Type", "text/plain"],
    ["ETag", '"abc"'],
    ["X-Frame-Options", "DENY"],
  ];

  it("writes a frozen list exactly as the same list unfrozen, on first and later use", () => {
    const frozen = freezeHeaders(fields);
    const plain = headText({ status: 200, headers: fields, body: "hi" });
    assert.equal(headText({ status: 200, headers: frozen, body: "hi" }), plain);
    assert.equal(headText({ status: 200, headers: frozen, body: "hi" }), plain);
    assert.equal(
      headText({ status: 404, headers: frozen, body: "hi" }),
      plain.replace("200 OK", "404 Not Found"),
    );
    assert.throws(() => frozen.push(["X", "y"]), TypeError);
  });

  it("still rejects a bad value, and handles managed fields in a frozen list as in any list", () => {
    const bad = freezeHeaders([["X-Evil", "a\r\nSet-Cookie: x=1"]]);
    assert.throws(() => serializeResponse({ status: 200, headers: bad }), TypeError);
    assert.throws(() => serializeResponse({ status: 200, headers: bad }), TypeError);
    const managed: [string, string][] = [
      ["Connection", "close"],
      ["Content-Length", "99"],
      ["Date", "Sun, 06 Nov 1994 08:49:37 GMT"],
    ];
    for (let i = 0; i < 2; i++) {
      const out = serializeResponse(
        { status: 200, headers: freezeHeaders(managed), body: "hi" },
        { dateMs: 0 },
      );
      const text = latin1Decode(out.head);
      assert.equal(out.close, true);
      assert.match(text, /\r\nContent-Length: 2\r\n/);
      assert.doesNotMatch(text, /Content-Length: 99/);
      assert.equal(text.match(/\r\nDate: /g)?.length, 1);
    }
  });
});
