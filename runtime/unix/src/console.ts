import type { Console } from "@morgana/stack/devices";

/** The unix console: the process's stdout, waiting for the pipe when it is full. */
export function createConsole(out: NodeJS.WritableStream = process.stdout): Console {
  const write = (chunk: string | Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      out.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  return {
    log: (line) => write(`${line}\n`),
    write: (data) => write(data),
  };
}
