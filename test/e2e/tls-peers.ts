/** Helpers for the TLS interop tests: real peers as child processes, Morgana on host sockets. */
import { type ChildProcess, spawn } from "node:child_process";
import { createHostStack } from "../../runtime/unix/src/stack.ts";
import { utf8Decode, utf8Encode } from "../../stack/bytes/index.ts";
import type { CryptoProvider } from "../../stack/crypto/provider.ts";
import type { ClientConfig, ServerConfig, TlsSummary } from "../../stack/tls/config.ts";
import { TlsFlow } from "../../stack/tls/flow.ts";
import { credentialsFromKey } from "../../stack/tls/server.ts";
import { nodeWithNativeAead } from "../unit/crypto/providers.ts";
import { testPki, verifierFor } from "../unit/tls/helpers.ts";
import { freePort } from "./lib/morgana.ts";

/** The node:crypto provider as the unix and direct targets build it (with the native AEAD). */
export const nodeCrypto = nodeWithNativeAead;

export const SUITES = [
  { id: 0x1301, name: "TLS_AES_128_GCM_SHA256", gnutls: "AES-128-GCM" },
  { id: 0x1302, name: "TLS_AES_256_GCM_SHA384", gnutls: "AES-256-GCM" },
  { id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", gnutls: "CHACHA20-POLY1305" },
] as const;

/** The TLS 1.2 suites both roles are tested over, by certificate kind, in each tool's spelling. */
export const SUITES12 = [
  {
    kind: "p256",
    id: 0xc02b,
    openssl: "ECDHE-ECDSA-AES128-GCM-SHA256",
    name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    gnutls: "AES-128-GCM",
  },
  {
    kind: "p256",
    id: 0xc02c,
    openssl: "ECDHE-ECDSA-AES256-GCM-SHA384",
    name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    gnutls: "AES-256-GCM",
  },
  {
    kind: "p256",
    id: 0xcca9,
    openssl: "ECDHE-ECDSA-CHACHA20-POLY1305",
    name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    gnutls: "CHACHA20-POLY1305",
  },
  {
    kind: "rsa",
    id: 0xc02f,
    openssl: "ECDHE-RSA-AES128-GCM-SHA256",
    name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    gnutls: "AES-128-GCM",
  },
  {
    kind: "rsa",
    id: 0xc030,
    openssl: "ECDHE-RSA-AES256-GCM-SHA384",
    name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    gnutls: "AES-256-GCM",
  },
  {
    kind: "rsa",
    id: 0xcca8,
    openssl: "ECDHE-RSA-CHACHA20-POLY1305",
    name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    gnutls: "CHACHA20-POLY1305",
  },
] as const;

export const GROUPS = [
  { id: 0x001d, name: "x25519", openssl: "X25519", gnutls: "GROUP-X25519", nss: "x25519" },
  { id: 0x0017, name: "secp256r1", openssl: "P-256", gnutls: "GROUP-SECP256R1", nss: "P256" },
  { id: 0x0018, name: "secp384r1", openssl: "P-384", gnutls: "GROUP-SECP384R1", nss: "P384" },
] as const;

export interface Peer {
  out: string;
  err: string;
  code: number | null;
}

/**
 * Runs a client tool with `input` on stdin (kept open) until `done` matches its output or it
 * exits; then ends it.
 */
export function runClient(
  cmd: string,
  args: string[],
  input: string | string[],
  done: RegExp,
  ms = 15000,
): Promise<Peer> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const r: Peer = { out: "", err: "", code: null };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      p.kill();
      resolve(r);
    };
    const timer = setTimeout(finish, ms);
    p.stdout.on("data", (d) => {
      r.out += d.toString();
      if (done.test(r.out)) setTimeout(finish, 50);
    });
    p.stderr.on("data", (d) => {
      r.err += d.toString();
    });
    p.on("exit", (code) => {
      r.code = code;
      setTimeout(finish, 20);
    });
    p.stdin.on("error", () => {});
    // Several inputs go 300 ms apart (s_client reads a command from one read's start).
    const parts = typeof input === "string" ? [input] : input;
    parts.forEach((part, i) => {
      setTimeout(() => p.stdin.writable && p.stdin.write(part), i * 300);
    });
  });
}

/** A certificate and key on disk, and the intermediate to send after it (if any). */
export interface ServedCertificate {
  certFile: string;
  keyFile: string;
  chainFile?: string;
}

/**
 * `openssl s_server -www` on `port` with `cert`, plus `extra` options (versions, suites,
 * groups, -verify): answers every request with a status page naming the protocol and suite.
 */
export function opensslWww(port: number, cert: ServedCertificate, extra: string[] = []) {
  const chain = cert.chainFile ? ["-cert_chain", cert.chainFile] : [];
  return startServer(
    "openssl",
    [
      "s_server",
      "-accept",
      String(port),
      "-cert",
      cert.certFile,
      "-key",
      cert.keyFile,
      ...chain,
      ...extra,
      "-www",
    ],
    /ACCEPT/,
  );
}

/**
 * `openssl s_client`'s arguments for a server on 127.0.0.1:`port`, verified against `caFile`
 * as "localhost", with `extra` options (versions, suites, groups, sessions, key log).
 */
export function sClient(port: number, caFile: string, extra: string[] = []): string[] {
  return [
    "s_client",
    "-connect",
    `127.0.0.1:${port}`,
    ...extra,
    "-CAfile",
    caFile,
    "-servername",
    "localhost",
  ];
}

/** Starts a server tool and resolves once `ready` shows in its output. */
export function startServer(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<ChildProcess & { log: () => string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let log = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${log}`)), 10000);
    const on = (d: Buffer) => {
      log += d.toString();
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve(Object.assign(p, { log: () => log }));
      }
    };
    p.stdout.on("data", on);
    p.stderr.on("data", on);
    p.on("exit", () => reject(new Error(`${cmd} exited: ${log}`)));
  });
}

export interface MorganaServer {
  port: number;
  sessions: TlsSummary[];
  failures: string[];
  close(): Promise<void>;
}

/**
 * A Morgana HTTPS responder on host sockets: answers the first request with a body naming the
 * session's suite and group, then closes with close_notify.
 */
export async function morganaServer(
  config: Partial<ServerConfig> & { kind?: "p256" | "rsa" | "p384" | "ed25519" },
  crypto: CryptoProvider = nodeCrypto,
): Promise<MorganaServer> {
  const stack = createHostStack();
  const port = await freePort();
  const leaf = testPki().leaf(config.kind ?? "p256");
  const sessions: TlsSummary[] = [];
  const failures: string[] = [];
  const listener = await stack.tcp.listen(port, (flow) => {
    (async () => {
      const tls = await TlsFlow.server(flow, {
        crypto,
        credentials: credentialsFromKey(crypto, leaf.chain, leaf.key),
        alpn: ["http/1.1"],
        ...config,
      });
      sessions.push(tls.session);
      let req = "";
      while (!req.includes("\r\n\r\n") && !req.includes("\n\n")) {
        const d = await tls.read();
        if (d === null) break;
        req += utf8Decode(d);
      }
      const s = tls.session;
      const body = `morgana says hello over ${s.suite} ${s.group}\n`;
      await tls.write(
        utf8Encode(
          `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        ),
      );
      await tls.close();
    })().catch((e: Error) => {
      failures.push(e.message);
      flow.close().catch(() => {});
    });
  });
  return {
    port,
    sessions,
    failures,
    async close() {
      await listener.close();
      await stack.close();
    },
  };
}

/** Morgana as a client: GET / over TLS, everything until the server closes. */
export async function morganaGet(
  port: number,
  config: Partial<ClientConfig> = {},
  crypto: CryptoProvider = nodeCrypto,
): Promise<{ text: string; session: TlsSummary }> {
  const stack = createHostStack();
  try {
    const flow = await stack.tcp.connect({ address: "127.0.0.1", port });
    const tls = await TlsFlow.client(flow, {
      crypto,
      serverName: "localhost",
      verifier: verifierFor(crypto),
      ...config,
    });
    await tls.write(utf8Encode("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"));
    let text = "";
    for (;;) {
      const d = await tls.read();
      if (d === null) break;
      text += utf8Decode(d);
    }
    await tls.close();
    return { text, session: tls.session };
  } finally {
    await stack.close();
  }
}
