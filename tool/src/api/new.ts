import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { CHECKOUT, TEMPLATES_DIR } from "../checkout.ts";
import { suggest } from "../config/index.ts";
import { failure, type Outcome } from "./result.ts";

/**
 * Generated and installed folders are never copied into a new project, nor a template's
 * `keys/` (a private key made for one project must not become another's).
 */
const SKIP = new Set(["node_modules", "dist", ".morgana", "keys"]);

/** A template with what it is: the first comment line of its unikernel.yaml. */
export interface TemplateInfo {
  name: string;
  description: string;
}

/** The templates with their descriptions, for pickers (the extension's New Unikernel). */
export function templateInfos(): TemplateInfo[] {
  return templates().map((name) => {
    const first =
      readFileSync(join(TEMPLATES_DIR, name, "unikernel.yaml"), "utf8").split("\n")[0] ?? "";
    return { name, description: first.startsWith("#") ? first.replace(/^#\s*/, "") : "" };
  });
}

/** The templates `new` offers: the samples. */
export function templates(): string[] {
  return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(TEMPLATES_DIR, e.name, "unikernel.yaml")))
    .map((e) => e.name)
    .sort();
}

/**
 * The one slug rule: a unikernel name (and npm package name) from a folder name
 * (`My Site` -> `my-site`), or null if none can be made.
 */
export function unikernelName(folder: string): string | null {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return name === "" ? null : name;
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

export interface NewProjectResult extends Outcome {
  template?: string;
  /** The project folder (absolute). */
  dir?: string;
  /** The unikernel's name, made from the folder's. */
  name?: string;
}

/** Creates a unikernel project in `dir` (new or empty) from a template. */
export function newProject(options: { template: string; dir: string }): NewProjectResult {
  const { template } = options;
  const names = templates();
  if (!names.includes(template)) {
    const guess = suggest(template, names);
    return failure([
      {
        severity: "error",
        code: "unknown-template",
        message: `unknown template "${template}"`,
        ...(guess ? { suggestion: guess } : {}),
        hint: `Templates: ${names.join(", ")}.`,
      },
    ]);
  }
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    return failure([
      {
        severity: "error",
        code: "project-exists",
        message: `${dir} exists and is not empty: choose a new folder`,
      },
    ]);
  }
  cpSync(join(TEMPLATES_DIR, template), dir, {
    recursive: true,
    filter: (src) => !SKIP.has(basename(src)),
  });
  rewriteTsconfig(dir);
  const name = unikernelName(basename(dir)) ?? template;
  renameUnikernel(dir, name);
  writePackageJson(dir, name);
  return { ok: true, diagnostics: [], template, dir, name };
}
