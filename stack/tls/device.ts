/**
 * The `tls` device: a `Stack` that speaks TLS over another stack, so an HTTP server (or any
 * app) listens on it as on plain TCP. Its certificate chain and key come from a `KvRo` (the
 * device's `keys`), read once on first use; `trust` names a CA bundle in the same store for
 * client connections. Only bytes move here: the engine (client.ts, server.ts) decides.
 */
import { utf8Decode } from "../bytes/index.ts";
import type { CryptoProvider } from "../crypto/index.ts";
import type { Clock } from "../devices/clock.ts";
import type { KvRo } from "../devices/kv.ts";
import { type Endpoint, type Flow, type Stack, StackError } from "../devices/stack.ts";
import type { Tracer } from "../trace/index.ts";
import { type Certificate, parseCertificatesPem, parseCredentials } from "../x509/index.ts";
import type { ServerConfig } from "./config.ts";
import { TlsFlow, TlsFlowError } from "./flow.ts";
import { credentialsFromKey } from "./server.ts";
import { x509Verifier } from "./verify.ts";

export interface TlsStackOptions {
  /** The store holding the certificate chain, the key and, optionally, trusted CAs (PEM). */
  keys: KvRo;
  /** File names inside `keys`. */
  certificate: string;
  key: string;
  /** A CA bundle inside `keys` that client connections verify servers against. */
  trust?: string;
  crypto: CryptoProvider;
  clock: Clock;
  /** Protocols offered (server: accepted) by ALPN, e.g. ["http/1.1"]. */
  alpn?: string[];
  /** A client that has not finished its handshake after this long is dropped. Default 10000. */
  handshakeTimeoutMs?: number;
  tracer?: Tracer;
  /** SSLKEYLOGFILE lines, for decrypting captures in Wireshark. Never on by default. */
  keyLog?: (line: string) => void;
}

/** Why a TLS device cannot serve: its files, said with their names. */
async function loadServerConfig(o: TlsStackOptions): Promise<ServerConfig> {
  const read = async (name: string) => {
    const bytes = await o.keys.get(name);
    if (bytes === null) {
      throw new StackError("other", `tls: no ${name} in the device's keys store`);
    }
    return utf8Decode(bytes);
  };
  const [chainPem, keyPem] = await Promise.all([read(o.certificate), read(o.key)]);
  const parsed = parseCredentials(chainPem, keyPem, o.crypto);
  if (!parsed.ok) {
    throw new StackError("other", `tls: ${o.certificate} and ${o.key}: ${parsed.error.message}`);
  }
  const chain = parsed.value.chain.map((c) => c.der);
  return {
    ...common(o),
    credentials: credentialsFromKey(o.crypto, chain, parsed.value.privateKey),
  };
}

function common(o: TlsStackOptions) {
  return {
    crypto: o.crypto,
    now: () => o.clock.monotonicNs(),
    wallMs: () => o.clock.wallMs(),
    random: (buf: Uint8Array) => o.crypto.randomFill(buf),
    ...(o.alpn ? { alpn: o.alpn } : {}),
    ...(o.tracer ? { tracer: o.tracer } : {}),
    ...(o.keyLog ? { keyLog: o.keyLog } : {}),
  };
}

/** A TLS stack over `inner`: TCP flows are TLS sessions, UDP passes through untouched. */
export function createTlsStack(inner: Stack, options: TlsStackOptions): Stack {
  let server: Promise<ServerConfig> | undefined;
  let roots: Promise<Certificate[]> | undefined;
  // TlsFlow's own timeout: a session that takes too long is closed, and traced as such.
  const limit = { ms: options.handshakeTimeoutMs ?? 10_000, clock: options.clock };
  /** Client sessions started, for their trace ids. */
  let connected = 0;
  const serverConfig = () => {
    server ??= loadServerConfig(options);
    return server;
  };
  const trustRoots = () => {
    roots ??= (async () => {
      if (options.trust === undefined) {
        throw new StackError(
          "other",
          "tls: this device has no trust store (`trust:`), so it cannot verify servers",
        );
      }
      const pem = await options.keys.get(options.trust);
      const parsed = pem === null ? null : parseCertificatesPem(utf8Decode(pem));
      if (parsed === null || !parsed.ok) {
        throw new StackError(
          "other",
          `tls: ${options.trust} is not a PEM bundle of CA certificates`,
        );
      }
      return parsed.value;
    })();
    return roots;
  };
  return {
    udp: inner.udp,
    addresses: () => inner.addresses(),
    close: () => Promise.resolve(),
    tcp: {
      async listen(port, onFlow) {
        // Credentials are checked before the port opens: a bad key fails `listen`, loudly.
        const config = await serverConfig();
        let accepted = 0;
        return inner.tcp.listen(port, (flow) => {
          // Traced, a session is named after its connection, as HTTP's are, so a viewer can
          // tell which peer it is and put it beside its TCP connection.
          const n = accepted++;
          const session =
            options.tracer === undefined
              ? config
              : {
                  ...config,
                  traceId: `tls:${port}#${n}-${flow.remote.address}:${flow.remote.port}`,
                };
          TlsFlow.server(flow, session, { handshakeTimeout: limit }).then(onFlow, () => {
            // A failed or abandoned handshake: the engine has sent its alert; free the flow.
            flow.close().catch(() => {});
          });
        });
      },
      async connect(remote: Endpoint, serverName?: string): Promise<Flow> {
        const verifier = x509Verifier({
          roots: await trustRoots(),
          crypto: options.crypto,
          wallMs: () => options.clock.wallMs(),
        });
        const flow = await inner.tcp.connect(remote);
        try {
          return await TlsFlow.client(
            flow,
            {
              ...common(options),
              verifier,
              serverName: serverName ?? remote.address,
              ...(options.tracer === undefined
                ? {}
                : { traceId: `tls:client#${connected++}-${remote.address}:${remote.port}` }),
            },
            { handshakeTimeout: limit },
          );
        } catch (err) {
          await flow.close().catch(() => {});
          if (err instanceof StackError) throw err;
          if (err instanceof TlsFlowError && err.failure === "timeout") {
            throw new StackError("timeout", "tls: handshake not finished in time");
          }
          throw new StackError("other", `tls: ${(err as Error).message}`);
        }
      },
    },
  };
}
