/**
 * Runs the real OpenSSL (Debian `openssl`) to make keys, certificates, chains and CSRs in a
 * temporary folder, and to check what Morgana makes. Nothing here is stored: each test run
 * makes fresh material.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type KeyKind = "rsa2048" | "p256" | "p384" | "ed25519";

export class OpenSsl {
  readonly dir = mkdtempSync(join(tmpdir(), "morgana-pki-"));

  run(args: string[], input?: string): string {
    return execFileSync("openssl", args, {
      cwd: this.dir,
      input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  /** Runs openssl and returns its exit status and both outputs, for commands expected to fail. */
  tryRun(args: string[]): { status: number; out: string } {
    const r = spawnSync("openssl", args, { cwd: this.dir, encoding: "utf8" });
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }

  readBytes(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }

  write(name: string, text: string | Uint8Array): void {
    writeFileSync(this.path(name), text);
  }

  key(name: string, kind: KeyKind): string {
    const args: Record<KeyKind, string[]> = {
      rsa2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
      p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
      p384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
      ed25519: ["-algorithm", "ED25519"],
    };
    this.run(["genpkey", ...args[kind], "-out", `${name}.key`]);
    return `${name}.key`;
  }

  /** A self-signed certificate; `ext` lines go to -addext. */
  selfSigned(
    name: string,
    kind: KeyKind,
    subject: string,
    ext: string[],
    extra: string[] = [],
  ): string {
    this.key(name, kind);
    const addext = ext.flatMap((e) => ["-addext", e]);
    this.run([
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-subj",
      subject,
      "-days",
      "30",
      ...addext,
      ...extra,
      "-out",
      `${name}.pem`,
    ]);
    return `${name}.pem`;
  }

  /** A certificate for a new key, signed by `ca` (files ca.pem, ca.key) with an extensions file. */
  signed(
    name: string,
    kind: KeyKind,
    subject: string,
    ca: string,
    ext: string[],
    extra: string[] = [],
  ): string {
    this.key(name, kind);
    this.run(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
    this.write(`${name}.ext`, `${ext.join("\n")}\n`);
    this.run([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${ca}.pem`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
      ...(extra.length > 0 ? extra : ["-days", "30"]),
    ]);
    return `${name}.pem`;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
