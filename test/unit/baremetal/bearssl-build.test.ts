import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BEARSSL_DEBIAN_VERSION,
  BEARSSL_SOURCES,
  ensureBearsslLibrary,
  ensureBearsslSources,
} from "../../../runtime/baremetal/build/bearssl.ts";
import { run } from "../../../runtime/baremetal/build/toolchain.ts";

describe("baremetal: BearSSL's build (Debian's source package, compiled for the host)", () => {
  it("without root, fetching fails with the exact commands to run and leaves nothing behind", async () => {
    const cache = mkdtempSync(join(tmpdir(), "morgana-bearssl-"));
    const saved = { cache: process.env.MORGANA_CACHE, getuid: process.getuid };
    process.env.MORGANA_CACHE = cache;
    process.getuid = () => 1000;
    try {
      await assert.rejects(ensureBearsslSources(), (e: Error) => {
        assert.equal(e.name, "ToolchainError");
        assert.match(e.message, /needs root/);
        assert.match(e.message, /deb-src http:\/\/deb\.debian\.org\/debian bookworm main/);
        assert.ok(e.message.includes(`source bearssl=${BEARSSL_DEBIAN_VERSION}`), e.message);
        assert.match(e.message, /Dir::Etc::SourceList=.*Dir::State::Lists=/);
        return true;
      });
      assert.deepEqual(readdirSync(cache), []);
    } finally {
      process.getuid = saved.getuid;
      if (saved.cache === undefined) delete process.env.MORGANA_CACHE;
      else process.env.MORGANA_CACHE = saved.cache;
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("compiles exactly the listed sources into one archive", async function () {
    // The first run on a machine fetches (apt-get source) and compiles; then it is cached.
    this.timeout(10 * 60_000);
    const root = await ensureBearsslSources();
    for (const src of BEARSSL_SOURCES) assert.ok(existsSync(join(root, "src", src)), src);
    const { library, include } = await ensureBearsslLibrary("host");
    assert.ok(existsSync(join(include, "bearssl.h")));
    const members = (await run("ar", ["t", library])).trim().split("\n");
    assert.equal(members.length, BEARSSL_SOURCES.length);
    assert.equal(new Set(members).size, members.length);
  });
});
