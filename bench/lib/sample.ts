import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, parseDocument } from "yaml";
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

function readYaml(yamlPath: string): Record<string, unknown> {
  try {
    return (parse(readFileSync(yamlPath, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new BenchSetupError(`cannot read ${yamlPath}: ${(e as Error).message}`);
  }
}

/** The guest port of the unikernel's `http` device, if it has one. */
export function httpGuestPort(yamlPath: string): number | undefined {
  const devices = (readYaml(yamlPath).devices ?? {}) as Record<string, unknown>;
  for (const [name, d] of Object.entries(devices)) {
    const dev = (d ?? {}) as Record<string, unknown>;
    if ((dev.type === "http" || name === "http") && typeof dev.port === "number") return dev.port;
  }
  return undefined;
}

/**
 * The host port a unikernel's HTTP server is reachable on for `target`: the forward whose
 * guest port is the `http` device's port, else the only TCP forward, else the device port.
 */
export function httpHostPort(yamlPath: string, target: string): number {
  const guestPort = httpGuestPort(yamlPath);
  const targets = (readYaml(yamlPath).targets ?? {}) as Record<string, unknown>;
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

/**
 * Copies a sample project (without its build output) to `dest` and forwards `hostPort` to
 * its http device on `target`, so the bench's build cannot collide with a copy of the
 * sample someone else is running on its usual port. The sources are the sample's own.
 */
export function copySampleOnPort(
  sampleDir: string,
  dest: string,
  target: string,
  hostPort: number,
): void {
  const yamlPath = join(sampleDir, "unikernel.yaml");
  if (!existsSync(yamlPath)) throw new BenchSetupError(`${yamlPath} is missing`);
  const guest = httpGuestPort(yamlPath);
  if (guest === undefined) throw new BenchSetupError(`${yamlPath} has no http device with a port`);
  rmSync(dest, { recursive: true, force: true });
  const skip = new Set(["dist", ".morgana", "node_modules"]);
  cpSync(sampleDir, dest, {
    recursive: true,
    filter: (src) => !skip.has(relative(sampleDir, src)),
  });
  const doc = parseDocument(readFileSync(yamlPath, "utf8"));
  doc.setIn(["targets", target, "ports"], [`${hostPort}:${guest}`]);
  writeFileSync(join(dest, "unikernel.yaml"), doc.toString());
}
