import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { BenchSetupError } from "./process.ts";

export interface TcpForward {
  host: number;
  guest: number;
}

/** "host:guest[/tcp|/udp]" or one number for both, as `targets.<t>.ports` takes them. */
function parseForward(v: unknown): (TcpForward & { protocol: string }) | null {
  if (typeof v === "number") return { host: v, guest: v, protocol: "tcp" };
  if (typeof v !== "string") return null;
  const m = /^(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/.exec(v.trim());
  if (!m) return null;
  return { host: Number(m[1]), guest: Number(m[2]), protocol: m[3] ?? "tcp" };
}

/**
 * The host port a unikernel's HTTP server is reachable on for `target`: the forward whose
 * guest port is the `http` device's port, else the only TCP forward, else the device port.
 */
export function httpHostPort(yamlPath: string, target: string): number {
  let doc: unknown;
  try {
    doc = parse(readFileSync(yamlPath, "utf8"));
  } catch (e) {
    throw new BenchSetupError(`cannot read ${yamlPath}: ${(e as Error).message}`);
  }
  const root = (doc ?? {}) as Record<string, unknown>;
  const devices = (root.devices ?? {}) as Record<string, unknown>;
  let guestPort: number | undefined;
  for (const [name, d] of Object.entries(devices)) {
    const dev = (d ?? {}) as Record<string, unknown>;
    if ((dev.type === "http" || name === "http") && typeof dev.port === "number") {
      guestPort = dev.port;
      break;
    }
  }
  const targets = (root.targets ?? {}) as Record<string, unknown>;
  const t = (targets[target] ?? {}) as Record<string, unknown>;
  const forwards = (Array.isArray(t.ports) ? t.ports : [])
    .map(parseForward)
    .filter((f) => f !== null && f.protocol === "tcp") as TcpForward[];
  const match = forwards.find((f) => f.guest === guestPort);
  if (match) return match.host;
  if (forwards.length === 1 && forwards[0]) return forwards[0].host;
  if (guestPort !== undefined) return guestPort;
  throw new BenchSetupError(
    `cannot tell which host port the HTTP server of ${yamlPath} listens on for target ${target} ` +
      `(no http device port, and ${forwards.length} TCP forwards in targets.${target}.ports)`,
  );
}
