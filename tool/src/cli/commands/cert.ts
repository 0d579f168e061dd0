import { cert } from "../../api/index.ts";
import { type Command, projectDir } from "../command.ts";
import { UsageError } from "../errors.ts";

export const certCommand: Command = {
  spec: {
    name: "cert",
    usage: "cert [--out DIR] [--hosts H1,H2] [--days N]",
    summary: "Makes a development TLS certificate, signed by a local dev CA, for a unikernel.",
    details:
      "The dev CA is made once per user (in $MORGANA_CA_DIR, default ~/.local/share/morgana/dev-ca)\n" +
      "and reused; trust it once in your browser and curl. The server certificate and key go where\n" +
      "the project's tls device reads them (its keys folder, its certificate and key names), or\n" +
      "into --out DIR as server.pem and server.key.",
    positionals: [0, 0],
    options: {
      out: { type: "string", value: "DIR", help: "write server.pem and server.key into DIR" },
      hosts: {
        type: "string",
        value: "LIST",
        help: "comma-separated names and addresses (default localhost,127.0.0.1,::1)",
      },
      days: { type: "string", value: "N", help: "lifetime in days, 1 to 825 (default 365)" },
    },
    examples: ["morgana cert", "morgana cert --out keys --hosts localhost,site.test --days 30"],
  },
  async run(args, out) {
    const days = args.values.days === undefined ? undefined : Number(args.values.days);
    if (days !== undefined && !Number.isInteger(days)) {
      throw new UsageError(`--days takes a whole number of days, not "${args.values.days}"`);
    }
    const hosts =
      args.values.hosts === undefined
        ? undefined
        : String(args.values.hosts)
            .split(",")
            .map((h) => h.trim())
            .filter((h) => h !== "");
    const result = cert({
      projectDir: projectDir(args),
      ...(args.values.out === undefined ? {} : { out: String(args.values.out) }),
      ...(hosts === undefined ? {} : { hosts }),
      ...(days === undefined ? {} : { days }),
    });
    if (result.ok) {
      out.print(`wrote ${result.certificate} and ${result.key} for ${result.hosts?.join(", ")}`);
      out.print("");
      out.print(result.trust ?? "");
    }
    return out.finish(result);
  },
};
