import { appendFileSync } from "node:fs";

/**
 * The TLS key log asked for with SSLKEYLOGFILE, as curl, Firefox and Node honour it: each
 * line (NSS key log format) is appended to that file, which Wireshark reads to decrypt a
 * capture. Undefined when the variable is unset: keys never leave a unikernel by default.
 */
export function keyLogFromEnv(
  env: Record<string, string | undefined> = process.env,
): ((line: string) => void) | undefined {
  const file = env.SSLKEYLOGFILE;
  if (!file) return undefined;
  process.stderr.write(
    `tls: writing session keys to ${file} (SSLKEYLOGFILE): for debugging only\n`,
  );
  return (line) => appendFileSync(file, `${line}\n`, { mode: 0o600 });
}
