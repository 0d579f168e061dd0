import { join, relative } from "node:path";
import { newProject, templateInfos, templates } from "../../api/index.ts";
import { CHECKOUT } from "../../checkout.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";

export const newCommand: Command = {
  spec: {
    name: "new",
    usage: "new TEMPLATE DIR | new --list",
    summary: `Creates a unikernel project in DIR from a template (${templates().join(", ")}).`,
    details:
      "The templates are the samples. The project builds against this Morgana checkout,\n" +
      "wherever it lives: its package.json scripts call this checkout's CLI.",
    positionals: [0, 2],
    options: { list: { type: "boolean", help: "list the templates (with --json: as data)" } },
    examples: [
      "morgana new static-website ~/my-site",
      "morgana new hello /tmp/hello",
      "morgana new --list --json",
    ],
  },
  async run(args, out) {
    if (args.values.list) {
      const list = templateInfos();
      for (const t of list) out.print(`${t.name.padEnd(16)} ${t.description}`);
      return out.finish({ ok: true, diagnostics: [] }, { templates: list });
    }
    if (args.positionals.length < 2) {
      throw new UsageError(
        `missing argument: usage: morgana new TEMPLATE DIR`,
        "Templates: see `morgana new --list`.",
      );
    }
    const [template, dir] = args.positionals as [string, string];
    const result = newProject({ template, dir });
    if (result.ok && result.dir !== undefined) {
      const rel = relative(process.cwd(), result.dir);
      const shown = rel === "" ? "." : rel.startsWith("..") ? result.dir : rel;
      const cd = /[^\w./-]/.test(shown) ? `'${shown.replaceAll("'", "'\\''")}'` : shown;
      out.print(`created unikernel ${result.name} from the ${template} template in ${result.dir}`);
      out.print("");
      out.print("next:");
      out.print(`  cd ${cd}`);
      out.print(
        `  ${join(CHECKOUT, "node_modules", ".bin", "morgana")} run -t unix    (or: npm start)`,
      );
    }
    return out.finish(result);
  },
};
