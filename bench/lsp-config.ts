/** The editor benchmark's big unikernel.yaml, shared with the tests of the block parse. */

/** A valid config of about `lines` lines: many devices, in block and flow style, commented. */
export function bigConfig(lines = 1000): string {
  const out = [
    "# A big unikernel.yaml for the editor benchmark.",
    "name: big",
    "main: src/unikernel.ts",
    "devices:",
  ];
  out.push(
    "  console: {}",
    "  clock: {}",
    "  net: { type: net, ipv4: 10.0.0.2/24, gateway: 10.0.0.1 }",
  );
  let i = 0;
  while (out.length < lines - 8) {
    out.push(`  # store ${i}: one folder of the site`);
    out.push(`  site${i}:`, "    type: kv_ro", `    path: htdocs/part${i}`);
    out.push(
      `  web${i}:`,
      "    type: http",
      `    port: ${1000 + i}`,
      "    stack: net",
      "    idle_timeout: 5s",
    );
    i++;
  }
  out.push("targets:", "  unix:", '    ports: ["8080:1000"]', "  cubieboard2:", "    memory: 256M");
  return `${out.join("\n")}\n`;
}
