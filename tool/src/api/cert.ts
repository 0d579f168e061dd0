import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_HOSTS, makeDevCertificates } from "../cert/index.ts";
import type { Diagnostic } from "../config/index.ts";
import { findProjectRoot, openProject, type Project } from "../project.ts";
import { failure, type Outcome } from "./result.ts";

export interface CertOptions {
  /** A project folder: its tls device says where the certificate and key go. */
  projectDir?: string;
  /** Or the folder to write server.pem and server.key into, project or not. */
  out?: string;
  /** Names and addresses the certificate is for. Default: localhost, 127.0.0.1, ::1. */
  hosts?: string[];
  /** Lifetime in days (1 to 825). Default 365. */
  days?: number;
  /** Where the dev CA lives. Default $MORGANA_CA_DIR, else ~/.local/share/morgana/dev-ca. */
  caDir?: string;
}

export interface CertResult extends Outcome {
  /** The dev CA: reused when there is one, else made. */
  ca?: { certificate: string; created: boolean; subject: string; sha256: string; notAfter: string };
  /** The server certificate and key written (absolute). */
  certificate?: string;
  key?: string;
  hosts?: string[];
  notAfter?: string;
  /** How to make curl, Node, Chromium, Firefox and Debian trust the dev CA. */
  trust?: string;
}

/** The folder of the dev CA: one per user, outside every project, so no image ever packs it. */
export function devCaDir(): string {
  return process.env.MORGANA_CA_DIR || join(homedir(), ".local", "share", "morgana", "dev-ca");
}

/** Where a project's tls device reads its certificate and key: its keys folder and file names. */
function tlsDestination(
  projectDir: string,
): { dir: string; certificate: string; key: string } | { diagnostics: Diagnostic[] } {
  const noTls: Diagnostic = {
    severity: "error",
    code: "cert-failed",
    message: "no tls device in unikernel.yaml to make a certificate for",
    hint: "Add a tls device (its keys kv_ro folder receives the files), or pass --out DIR.",
  };
  if (findProjectRoot(projectDir) === null)
    return { diagnostics: [{ ...noTls, message: "not in a unikernel project" }] };
  const { project, diagnostics } = openProject(projectDir);
  if (!project) return { diagnostics };
  const tls = project.config.devices.find((d) => d.type === "tls");
  if (tls?.type !== "tls") return { diagnostics: [noTls] };
  const keys = project.config.devices.find((d) => d.name === tls.deps.keys);
  if (keys?.type !== "kv_ro") return { diagnostics: [noTls] };
  return {
    dir: resolve(project.root, keys.options.path),
    certificate: tls.options.certificate,
    key: tls.options.key,
  };
}

/**
 * Makes a development certificate for a unikernel: a dev CA per user (made once, reused), and
 * a server certificate and key signed by it, written where the project's tls device reads them
 * (or into `out`). Prints nothing: the result carries the how-to-trust text.
 */
export function cert(options: CertOptions): CertResult {
  const where = options.out
    ? { dir: resolve(options.out), certificate: "server.pem", key: "server.key" }
    : tlsDestination(options.projectDir ?? process.cwd());
  if ("diagnostics" in where) return failure(where.diagnostics);
  const made = makeDevCertificates({
    dir: options.caDir ?? devCaDir(),
    serverDir: where.dir,
    certificateName: where.certificate,
    keyName: where.key,
    hosts: options.hosts ?? [...DEFAULT_HOSTS],
    ...(options.days === undefined ? {} : { days: options.days }),
  });
  if (!made.ok) {
    return failure([{ severity: "error", code: "cert-failed", message: made.error.message }]);
  }
  const v = made.value;
  return {
    ok: true,
    diagnostics: [],
    ca: {
      certificate: v.ca.cert.path,
      created: v.ca.cert.written,
      subject: v.ca.subject,
      sha256: v.ca.sha256,
      notAfter: v.ca.notAfter,
    },
    certificate: v.server.cert.path,
    key: v.server.key.path,
    hosts: [...v.server.hosts],
    notAfter: v.server.notAfter,
    trust: v.trust.text,
  };
}

/**
 * At build time, for each tls device with `dev_certificate: true` whose keys store lacks its
 * certificate or key: make them (signed by the dev CA), as `morgana cert` would. Files that
 * are there are never replaced. Answers what was made, and any failure as a diagnostic.
 */
export function ensureDevCertificates(project: Project): {
  made: string[];
  diagnostics: Diagnostic[];
} {
  const made: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const tls of project.config.devices) {
    if (tls.type !== "tls" || !tls.options.dev_certificate) continue;
    const keys = project.config.devices.find((d) => d.name === tls.deps.keys);
    if (keys?.type !== "kv_ro") continue;
    const dir = resolve(project.root, keys.options.path);
    const certificate = join(dir, tls.options.certificate);
    const key = join(dir, tls.options.key);
    if (existsSync(certificate) && existsSync(key)) continue;
    const result = makeDevCertificates({
      dir: devCaDir(),
      serverDir: dir,
      certificateName: tls.options.certificate,
      keyName: tls.options.key,
      hosts: [...DEFAULT_HOSTS],
    });
    if (result.ok) made.push(certificate);
    else {
      diagnostics.push({
        severity: "error",
        code: "cert-failed",
        file: project.config.file,
        span: tls.fieldSpans.dev_certificate ?? tls.span,
        path: `devices.${tls.name}.dev_certificate`,
        message: `could not make a development certificate: ${result.error.message}`,
      });
    }
  }
  return { made, diagnostics };
}
