import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseDocument } from "yaml";
import { CHECKOUT, TEMPLATES_DIR } from "../../checkout.ts";
import { closest } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";

/** Generated and installed folders are never copied into a new project. */
const SKIP = new Set(["node_modules", "dist", ".morgana"]);

export function templateNames(): string[] {
  return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(TEMPLATES_DIR, e.name, "unikernel.yaml")))
    .map((e) => e.name)
    .sort();
}

/** Points the new project's tsconfig at this checkout's stack, wherever the project lives. */
function rewriteTsconfig(dir: string): void {
  const path = join(dir, "tsconfig.json");
  if (!existsSync(path)) return;
  const tsconfig = JSON.parse(readFileSync(path, "utf8"));
  tsconfig.compilerOptions ??= {};
  tsconfig.compilerOptions.paths = { "@morgana/stack/*": [join(CHECKOUT, "stack", "*")] };
  writeFileSync(path, `${JSON.stringify(tsconfig, null, 2)}\n`);
}

/** A unikernel name from a folder name (`My Site` -> `my-site`), or null if none can be made. */
export function unikernelName(folder: string): string | null {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return name === "" ? null : name;
}

/** Names the unikernel after its folder, keeping the rest of the file (comments too). */
function renameUnikernel(dir: string, name: string): void {
  const path = join(dir, "unikernel.yaml");
  const doc = parseDocument(readFileSync(path, "utf8"));
  doc.set("name", name);
  writeFileSync(path, doc.toString());
}

function writePackageJson(dir: string, name: string): void {
  const morgana = `node ${JSON.stringify(join(CHECKOUT, "tool", "bin", "morgana.js"))}`;
  const pkg = {
    name,
    private: true,
    type: "module",
    description: `A Morgana unikernel, built against the Morgana checkout at ${CHECKOUT}`,
    scripts: {
      configure: `${morgana} configure -t unix`,
      build: `${morgana} build -t unix`,
      start: `${morgana} run -t unix`,
      describe: `${morgana} describe`,
      clean: `${morgana} clean`,
    },
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
}

export const newCommand: Command = {
  spec: {
    name: "new",
    usage: "new TEMPLATE DIR",
    summary: "Creates a unikernel project in DIR from a template (hello, static-website).",
    details:
      "The templates are the samples. The project builds against this Morgana checkout,\n" +
      "wherever it lives: its package.json scripts call this checkout's CLI.",
    positionals: [2, 2],
    options: {},
    examples: ["morgana new static-website ~/my-site", "morgana new hello /tmp/hello"],
  },
  async run(args, out) {
    const [template, target] = args.positionals as [string, string];
    const templates = templateNames();
    if (!templates.includes(template)) {
      const guess = closest(template, templates);
      throw new UsageError(
        `unknown template "${template}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
        `Templates: ${templates.join(", ")}.`,
      );
    }
    const dir = resolve(target);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new CliError(`${dir} exists and is not empty: choose a new folder`, EXIT.failed);
    }
    cpSync(join(TEMPLATES_DIR, template), dir, {
      recursive: true,
      filter: (src) => !SKIP.has(basename(src)),
    });
    rewriteTsconfig(dir);
    const name = unikernelName(basename(dir)) ?? template;
    renameUnikernel(dir, name);
    writePackageJson(dir, name);
    writePackageJson(
      dir,
      basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-"),
    );
    const rel = relative(process.cwd(), dir);
    const shown = rel === "" ? "." : rel.startsWith("..") ? dir : rel;
    const cd = /[^\w./-]/.test(shown) ? `'${shown.replaceAll("'", "'\\''")}'` : shown;
    out.print(`created unikernel ${name} from the ${template} template in ${dir}`);
    out.print("");
    out.print("next:");
    out.print(`  cd ${cd}`);
    out.print(
      `  ${join(CHECKOUT, "node_modules", ".bin", "morgana")} run -t unix    (or: npm start)`,
    );
    out.result({ ok: true, template, dir, name });
    return EXIT.ok;
  },
};
