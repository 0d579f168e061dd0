import { join, relative } from "node:path";
import { newProject, templates } from "../../api/index.ts";
import { CHECKOUT } from "../../checkout.ts";
import type { Command } from "../command.ts";

export const newCommand: Command = {
  spec: {
    name: "new",
    usage: "new TEMPLATE DIR",
    summary: `Creates a unikernel project in DIR from a template (${templates().join(", ")}).`,
    details:
      "The templates are the samples. The project builds against this Morgana checkout,\n" +
      "wherever it lives: its package.json scripts call this checkout's CLI.",
    positionals: [2, 2],
    options: {},
    examples: ["morgana new static-website ~/my-site", "morgana new hello /tmp/hello"],
  },
  async run(args, out) {
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
