import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM } from "../../extension/test-harness/code-server.ts";
import { type HttpsSite, startHttpsSite } from "./lib/https-site.ts";
import { REPO, type Running } from "./lib/morgana.ts";

/** base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's SPKI list takes it. */
function spkiHash(certPem: string): string {
  const pub = execFileSync("openssl", ["x509", "-pubkey", "-noout"], { input: certPem });
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  return execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der }).toString("base64");
}

function launch(args: string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", ...args],
  });
}

/**
 * A real browser against https-site: Chromium's TLS (BoringSSL: GREASE values, a
 * post-quantum hybrid key share beside X25519, its own extension order) and its HTTP/1.1 (a
 * page, then its stylesheet, over kept-alive connections). Chromium is told to accept only the
 * site's own key (`--ignore-certificate-errors-spki-list`), not any certificate.
 */
describe("e2e: Chromium loads https-site over TLS 1.3", function () {
  this.timeout(120_000);
  let site: HttpsSite | undefined;
  let dir: string;

  let run: Running | undefined;
  let https: number;
  let http: number;
  let browser: Browser | undefined;

  before(async () => {
    site = await startHttpsSite("https-chromium");
    ({ dir, https, http, run } = site);
  });

  after(async () => {
    await browser?.close();
    run?.kill();
    site?.cleanup();
  });

  it("without trusting the site's key, Chromium refuses the dev certificate", async () => {
    const untrusting = await launch([]);
    try {
      const page = await untrusting.newPage();
      await assert.rejects(page.goto(`https://localhost:${https}/`), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });

  it("the page and its stylesheet arrive over TLS 1.3, with the site's headers", async () => {
    const leaf = readFileSync(join(dir, "keys", "server.pem"), "utf8");
    browser = await launch([`--ignore-certificate-errors-spki-list=${spkiHash(leaf)}`]);
    const page = await browser.newPage();
    const css = page.waitForResponse((r) => r.url().endsWith("/style.css"));
    const response = await page.goto(`https://localhost:${https}/`);
    assert.equal(response?.status(), 200);
    assert.equal((await response?.securityDetails())?.protocol, "TLS 1.3");
    assert.equal(
      (await response?.allHeaders())?.["strict-transport-security"],
      "max-age=63072000; includeSubDomains",
    );
    assert.equal(await page.title(), "Morgana HTTPS website");
    assert.equal((await css).status(), 200);
    const served = readFileSync(
      join(REPO, "samples", "https-site", "htdocs", "index.html"),
      "utf8",
    );
    const heading = /<h1>([^<]*)<\/h1>/.exec(served)?.[1];
    assert.equal(await page.locator("h1").textContent(), heading);
  });

  it("plain HTTP redirects Chromium to the same page over HTTPS", async () => {
    const page = await (browser as Browser).newPage();
    const response = await page.goto(`http://localhost:${http}/index.html`);
    assert.equal(response?.status(), 200);
    assert.equal(response?.url(), `https://localhost:${https}/index.html`);
    assert.equal((await response?.securityDetails())?.protocol, "TLS 1.3");
  });
});
