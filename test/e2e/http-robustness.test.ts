import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { exec, freePort, morgana, Running, removeDir, tempDir } from "./lib/morgana.ts";

/** Everything a raw client receives until the server closes (or `ms` pass). */
function readAll(sock: Socket, ms: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((done) => {
    let text = "";
    const timer = setTimeout(() => done({ text, closed: false }), ms);
    sock.on("data", (d) => {
      text += d.toString("latin1");
    });
    sock.on("close", () => {
      clearTimeout(timer);
      done({ text, closed: true });
    });
  });
}

/**
 * The unikernel's HTTP server over real host sockets, against clients that misbehave: the
 * server must answer with the right status or close, and keep serving everyone else.
 */
describe("e2e: HTTP on unix against misbehaving clients", function () {
  this.timeout(90_000);
  let dir: string;
  let run: Running;
  let port: number;
  const big = randomBytes(8 << 20);

  before(async () => {
    dir = tempDir("robust");
    removeDir(dir);
    assert.equal((await morgana(["new", "static-website", dir])).code, 0);
    port = await freePort();
    const yaml = join(dir, "unikernel.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8")
        .replace('"8080:80"', `"${port}:80"`)
        .replace(
          "{ type: http, port: 80 }",
          "{ type: http, port: 80, header_timeout: 400ms, idle_timeout: 1s }",
        ),
    );
    writeFileSync(join(dir, "htdocs", "big.bin"), big);
    run = new Running(["run", "-t", "unix"], dir);
    await run.waitFor(/listening on http:/);
  });

  after(() => {
    run?.kill();
    removeDir(dir);
  });

  const get = (path: string) =>
    exec("curl", [
      "-s",
      "-f",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      `http://127.0.0.1:${port}${path}`,
    ]);

  it("answers a request that stalls halfway with 408 and closes, within the request timeout", async () => {
    const sock = connect(port, "127.0.0.1");
    sock.write("GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Ag");
    const started = Date.now();
    const { text, closed } = await readAll(sock, 5000);
    assert.ok(closed, "the server closed the stalled connection");
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 3000, "closed promptly");
  });

  it("closes an idle kept-alive connection after the idle timeout", async () => {
    const sock = connect(port, "127.0.0.1");
    sock.write("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n");
    const { text, closed } = await readAll(sock, 5000);
    assert.ok(closed);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.equal(
      text.match(/HTTP\/1\.1/g)?.length,
      1,
      "no 408 on an idle connection: it just closes",
    );
  });

  it("refuses a smuggling attempt (Content-Length with Transfer-Encoding) with 400 and close", async () => {
    const sock = connect(port, "127.0.0.1");
    sock.write(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const { text, closed } = await readAll(sock, 5000);
    assert.ok(closed);
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.equal(text.match(/HTTP\/1\.1 /g)?.length, 1, "the smuggled request is never answered");
  });

  it("answers pipelined requests in order", async () => {
    const sock = connect(port, "127.0.0.1");
    sock.write(
      "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const { text } = await readAll(sock, 5000);
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "404", "200"]);
  });

  it("keeps serving others while clients vanish in the middle of a large response", async () => {
    for (let i = 0; i < 10; i++) {
      const sock = connect(port, "127.0.0.1");
      sock.write("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
      await new Promise<void>((done) => sock.once("data", () => done()));
      sock.destroy(); // gone, with megabytes still to send
      assert.equal((await get("/index.html")).stdout, "200");
    }
    const copy = join(dir, "big.copy");
    const whole = await exec("curl", ["-sS", "-f", "-o", copy, `http://127.0.0.1:${port}/big.bin`]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.ok(readFileSync(copy).equals(big), "the large file arrives intact");
    assert.equal(run.child.exitCode, null, "the unikernel is still running");
  });
});
