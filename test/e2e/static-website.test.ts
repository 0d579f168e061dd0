import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec, freePort, morgana, Running, removeDir, tempDir } from "./lib/morgana.ts";

/** curl's view of one exchange: status, headers (lower-cased names) and body bytes. */
async function curl(
  args: string[],
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const r = await exec("curl", ["-s", "-i", "--http1.1", ...args]);
  assert.equal(r.code, 0, `curl failed: ${r.stderr}`);
  const split = r.stdout.indexOf("\r\n\r\n");
  const head = r.stdout.slice(0, split).split("\r\n");
  const status = Number(head[0]?.split(" ")[1]);
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers, body: r.stdout.slice(split + 4) };
}

describe("e2e: static-website on unix, from `morgana new`", function () {
  this.timeout(90_000);
  let dir: string;
  let run: Running | undefined;
  let base: string;
  let name: string;

  before(async () => {
    dir = tempDir("site");
    removeDir(dir); // `new` wants a fresh folder
    const created = await morgana(["new", "static-website", dir, "--json"]);
    assert.equal(created.code, 0, created.stderr);
    name = JSON.parse(created.stdout).name;
    assert.match(name, /^morgana-site-/, "the unikernel is named after its folder");
    // The template forwards 8080; pick a port free on this machine instead.
    const port = await freePort();
    const yaml = join(dir, "unikernel.yaml");
    writeFileSync(yaml, readFileSync(yaml, "utf8").replace('"8080:80"', `"${port}:80"`));
    base = `http://127.0.0.1:${port}`;
  });

  after(() => {
    run?.kill();
    removeDir(dir);
  });

  it("configures for unix, writing the wiring and devices.d.ts", async () => {
    const r = await morgana(["configure", "-t", "unix"], dir);
    assert.equal(r.code, 0, r.stderr);
    const decl = readFileSync(join(dir, ".morgana", "unix", "devices.d.ts"), "utf8");
    assert.match(decl, /readonly htdocs: KvRo;/);
    assert.match(decl, /readonly http: HttpServerDevice;/);
  });

  it("builds for unix", async () => {
    const r = await morgana(["build", "-t", "unix", "--json"], dir);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.ok, true);
    assert.equal(result.output, join("dist", "unix", `${name}.mjs`));
    assert.ok(result.bytes > 1000);
  });

  it("runs and serves the folder: 200 with the exact bytes and an ETag", async () => {
    run = new Running(["run", "-t", "unix"], dir);
    await run.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+\//);
    const r = await curl([`${base}/index.html`]);
    assert.equal(r.status, 200);
    assert.equal(r.body, readFileSync(join(dir, "htdocs", "index.html"), "latin1"));
    assert.match(r.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(r.headers.get("etag") ?? "", /^"[0-9a-f]+"$/);
    const root = await curl([`${base}/`]);
    assert.equal(root.status, 200);
    assert.equal(root.body, r.body);
  });

  it("answers 304 to If-None-Match with the current ETag, 200 to a stale one", async () => {
    const first = await curl([`${base}/style.css`]);
    const etag = first.headers.get("etag") ?? "";
    const again = await curl(["-H", `If-None-Match: ${etag}`, `${base}/style.css`]);
    assert.equal(again.status, 304);
    assert.equal(again.body, "");
    assert.equal(again.headers.get("etag"), etag);
    const stale = await curl(["-H", 'If-None-Match: "0000"', `${base}/style.css`]);
    assert.equal(stale.status, 200);
  });

  it("answers HEAD with the GET's headers and no body", async () => {
    const head = await curl(["-I", `${base}/index.html`]);
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    const size = readFileSync(join(dir, "htdocs", "index.html")).length;
    assert.equal(head.headers.get("content-length"), String(size));
    assert.match(head.headers.get("etag") ?? "", /^"[0-9a-f]+"$/);
  });

  it("answers 404 for a missing path and 405 for POST", async () => {
    assert.equal((await curl([`${base}/no/such/file.html`])).status, 404);
    const post = await curl(["-X", "POST", "-d", "x=1", `${base}/index.html`]);
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });

  it("sees an edited file on the next request (kv_ro on unix reads the folder live)", async () => {
    writeFileSync(join(dir, "htdocs", "new.txt"), "fresh\n");
    const r = await curl([`${base}/new.txt`]);
    assert.equal(r.status, 200);
    assert.equal(r.body, "fresh\n");
  });

  it("stops cleanly on Ctrl-C with exit code 130 and frees the port", async () => {
    assert.ok(run);
    run.interrupt();
    const { code } = await run.exited;
    assert.equal(code, 130);
    const after = await exec("curl", ["-s", "-o", "/dev/null", `${base}/`]);
    assert.equal(after.code, 7, "curl should fail to connect once the unikernel is gone");
  });
});
