import { copyFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { ensureNativeAead, NATIVE_AEAD_FILE } from "../../../runtime/unix/build/aead.ts";
import type { DeviceConfig, DeviceConfigOf, PortForward } from "../config/index.ts";
import type { BuildContext, LinkResult, Target, WiringContext } from "./types.ts";

const lit = (v: unknown) => JSON.stringify(v);

/** guest -> host port table for one protocol, as an object literal. */
function portTable(ports: readonly PortForward[], protocol: "tcp" | "udp"): string {
  const entries = ports.filter((p) => p.protocol === protocol).map((p) => `${p.guest}: ${p.host}`);
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

/**
 * The wiring of a tls device, the same on every target but for what its runtime supplies:
 * the crypto provider, the clock, and any extra fields (a key log on unix). ALPN offers
 * http/1.1 when an http device serves over it.
 */
export function tlsStackCall(
  d: DeviceConfigOf<"tls">,
  ctx: WiringContext,
  runtime: { crypto: string; clock: string; extra?: string[] },
): string {
  const o = d.options;
  const serves = ctx.devices.some((x) => x.type === "http" && x.deps.stack === d.name);
  const fields = [
    `keys: ${ctx.ref(d.deps.keys)}`,
    `certificate: ${lit(o.certificate)}`,
    `key: ${lit(o.key)}`,
    ...(o.trust === undefined ? [] : [`trust: ${lit(o.trust)}`]),
    `crypto: ${runtime.crypto}`,
    `clock: ${runtime.clock}`,
    ...(serves ? ['alpn: ["http/1.1"]'] : []),
    ...(ctx.tracer === undefined ? [] : [`tracer: ${ctx.tracer}`]),
    ...(runtime.extra ?? []),
  ];
  return `createTlsStack(${ctx.ref(d.deps.stack)}, { ${fields.join(", ")} })`;
}

/**
 * The HTTP ports served over this stack, so the runtime can print their URLs: "http" for an
 * http device on the stack itself, "https" for one on a tls device over it.
 */
export function httpPorts(stack: DeviceConfig, ctx: WiringContext): string {
  const tlsOver = new Set(
    ctx.devices.filter((d) => d.type === "tls" && d.deps.stack === stack.name).map((d) => d.name),
  );
  const ports = ctx.devices.flatMap((d) => {
    if (d.type !== "http") return [];
    if (d.deps.stack === stack.name) return [`${d.options.port}: "http"`];
    return tlsOver.has(d.deps.stack) ? [`${d.options.port}: "https"`] : [];
  });
  return ports.length === 0 ? "{}" : `{ ${ports.join(", ")} }`;
}

/**
 * Node targets' link step: with a tls device on node:crypto, the record AEAD addon
 * (runtime/unix/native/aead.c, compiled once into the cache) goes beside the bundle, where
 * the unikernel loads it. Without a C compiler the build still succeeds, with a warning:
 * records then go through a node:crypto Cipher each, correct and slower.
 */
export async function placeNativeAead(ctx: BuildContext): Promise<LinkResult> {
  const native = ctx.config.devices.some(
    (d) => d.type === "tls" && (d as DeviceConfigOf<"tls">).options.crypto !== "portable",
  );
  if (!native) return { diagnostics: [], artifact: ctx.bundle };
  const built = await ctx.step(
    "native TLS record AEAD (node:crypto's OpenSSL)",
    async () => ensureNativeAead(),
    (b) => !("path" in b),
  );
  const placed = join(dirname(ctx.bundle), NATIVE_AEAD_FILE);
  if ("path" in built) {
    copyFileSync(built.path, placed);
    return { diagnostics: [], artifact: ctx.bundle };
  }
  // An addon from an earlier build would contradict the warning (and may not match this Node).
  rmSync(placed, { force: true });
  return {
    artifact: ctx.bundle,
    diagnostics: [
      {
        severity: "warning",
        code: "tool-failed",
        message: `the native TLS record AEAD was not built (${built.error}); TLS records use a node:crypto Cipher each, correct but slower`,
        ...(built.hint ? { hint: built.hint } : {}),
      },
    ],
  };
}

export const unixTarget: Target = {
  name: "unix",
  summary: "a Node process; the network is the host's sockets (fastest dev loop)",
  unavailable: null,
  // `--trace`: the runtime's trace channel (runtime/unix/src/trace.ts); TLS and HTTP report to it.
  flags: ["trace"],
  wiring: {
    boot: "unix.boot",
    tracer: "unix.tracer()",
    imports: {
      "@morgana/runtime-unix": "* as unix",
      "@morgana/stack/http": "{ createHttpServer }",
      "@morgana/stack/tls": "{ createTlsStack }",
      "node:path": "{ resolve }",
      "node:url": "{ fileURLToPath }",
    },
    prelude: [
      "// The project root: the bundle lives in <root>/dist/unix/.",
      'const root = resolve(fileURLToPath(import.meta.url), "..", "..", "..");',
    ],
  },
  bundle: { platform: "node", format: "esm", target: "node20", file: (name) => `${name}.mjs` },
  artifact: (name) => `${name}.mjs`,
  link: placeNativeAead,
  // runtime/unix/src/boot.ts: 1 when start() fails or a device cannot be built.
  exitMeaning: (code) =>
    code === 1
      ? "the unikernel failed: start() threw or rejected, or a device was refused (its error is above)"
      : undefined,
  async launch({ root, artifact }) {
    return { command: process.execPath, args: ["--enable-source-maps", artifact], cwd: root };
  },
  devices: {
    console: { summary: "the process's stdout", construct: () => "unix.createConsole()" },
    clock: {
      summary: "process.hrtime (monotonic) and Date (wall)",
      construct: () => "unix.createClock()",
    },
    random: {
      summary: "the host's CSPRNG (crypto.getRandomValues)",
      construct: () => "unix.createRandom()",
    },
    kv_ro: {
      summary: "a host folder, read live",
      construct: (d) => `unix.createKvRo(resolve(root, ${lit(d.options.path)}))`,
    },
    net: {
      summary: "the host's TCP/UDP sockets on 127.0.0.1; ipv4 and gateway are ignored",
      construct: (d, ctx) =>
        `unix.createHostStack({ tcpPorts: ${portTable(ctx.options.ports, "tcp")}, udpPorts: ${portTable(ctx.options.ports, "udp")}, announce: ${httpPorts(d, ctx)} })`,
    },
    tls: {
      summary:
        "Morgana's TLS 1.3 over the stack (node:crypto, or @noble with crypto: portable), credentials from its keys store",
      construct: (d, ctx) =>
        tlsStackCall(d, ctx, {
          crypto:
            d.options.crypto === "portable"
              ? "unix.createPortableCryptoProvider()"
              : "unix.createNodeCryptoProvider({ aead: unix.loadNativeAead(import.meta.url) })",
          clock: "unix.createClock()",
          extra: ["keyLog: unix.keyLogFromEnv()"],
        }),
    },
    http: {
      summary: "Morgana's HTTP/1.1 server over the stack",
      construct: (d, ctx) => {
        const o = d.options;
        const tracer = ctx.tracer === undefined ? "" : `, tracer: ${ctx.tracer}`;
        const options = `{ headersTimeoutMs: ${o.header_timeout}, requestTimeoutMs: ${o.request_timeout}, idleTimeoutMs: ${o.idle_timeout}, sendTimeoutMs: ${o.send_timeout}${tracer} }`;
        return `createHttpServer(${ctx.ref(d.deps.stack)}, ${ctx.ref(d.deps.clock)}, ${o.port}, ${options})`;
      },
    },
  },
};
