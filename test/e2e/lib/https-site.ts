/**
 * samples/https-site as a user meets it, for the tests that talk to it over TLS: `morgana new`
 * in a temp folder, free host ports for its HTTPS and HTTP devices (the config's forwards and
 * the app's redirect), a dev CA of its own (MORGANA_CA_DIR, restored by `cleanup`), and
 * `morgana run -t unix` until it listens.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, morgana, Running, removeDir, tempDir } from "./morgana.ts";

export interface HttpsSite {
  /** The project folder. */
  dir: string;
  /** The dev CA's folder: `ca.pem` is what clients trust. */
  caDir: string;
  https: number;
  http: number;
  /** The running unikernel (replaceable: a test may restart it). */
  run: Running;
  /** Stops the unikernel, removes the folders, restores MORGANA_CA_DIR. */
  cleanup(): void;
}

export async function startHttpsSite(label: string): Promise<HttpsSite> {
  const savedCa = process.env.MORGANA_CA_DIR;
  const dir = join(tempDir(label), "site");
  const caDir = join(tempDir("ca"), "dev-ca");
  process.env.MORGANA_CA_DIR = caDir;
  const made = await morgana(["new", "https-site", dir]);
  assert.equal(made.code, 0, made.stderr);
  const [https, http] = [await freePort(), await freePort()];
  const yaml = join(dir, "unikernel.yaml");
  writeFileSync(
    yaml,
    readFileSync(yaml, "utf8").replace('"8443:443", "8080:80"', `"${https}:443", "${http}:80"`),
  );
  const src = join(dir, "src", "unikernel.ts");
  writeFileSync(src, readFileSync(src, "utf8").replace('"8080": "8443"', `"${http}": "${https}"`));
  const site: HttpsSite = {
    dir,
    caDir,
    https,
    http,
    run: new Running(["run", "-t", "unix"], dir),
    cleanup() {
      site.run.kill();
      if (savedCa === undefined) delete process.env.MORGANA_CA_DIR;
      else process.env.MORGANA_CA_DIR = savedCa;
      removeDir(join(dir, ".."));
      removeDir(join(caDir, ".."));
    },
  };
  await site.run.waitFor(new RegExp(`listening on https://127\\.0\\.0\\.1:${https}/`), 60_000);
  return site;
}
