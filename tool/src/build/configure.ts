import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CHECKOUT } from "../checkout.ts";
import { CONFIG_FILE, type Project } from "../project.ts";
import type { Target } from "../targets/index.ts";
import { devicesDeclaration, wiring } from "./codegen.ts";

/** Where generated files for a target go: `<project>/.morgana/<target>/`. */
export const generatedDir = (project: Project, target: string) =>
  join(project.root, ".morgana", target);

/**
 * The TypeScript settings the app is checked with: the project's own tsconfig, with
 * `@morgana/*` resolved in the checkout this CLI runs from (projects may live anywhere).
 */
function typecheckConfig(project: Project): object {
  const own = join(project.root, "tsconfig.json");
  const rel = (p: string) => relative(join(project.root, ".morgana", "t"), p);
  return {
    ...(existsSync(own) ? { extends: "../../tsconfig.json" } : {}),
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      lib: ["ES2022"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      paths: {
        "@morgana/stack/*": [join(CHECKOUT, "stack", "*")],
      },
    },
    include: [rel(join(project.root, "src", "**", "*")), "devices.d.ts"],
  };
}

/**
 * Writes the wiring, `devices.d.ts` and a tsconfig for one target, and returns the files
 * written (relative to the project root). The project was checked for this target first
 * (check.ts), so every device has an implementation. Pure generation: fast.
 */
export function writeWiring(project: Project, target: Target): string[] {
  const dir = generatedDir(project, target.name);
  mkdirSync(dir, { recursive: true });
  // Generated text names the config as the project sees it, wherever configure ran from.
  const config = { ...project.config, file: CONFIG_FILE };
  const entry = relative(dir, join(project.root, project.config.main)).replaceAll("\\", "/");
  const declaration = devicesDeclaration(config, target.name);
  const files: Record<string, string> = {
    [join(dir, "main.ts")]: wiring(config, target, entry.startsWith(".") ? entry : `./${entry}`),
    [join(dir, "devices.d.ts")]: declaration,
    [join(dir, "tsconfig.json")]: `${JSON.stringify(typecheckConfig(project), null, 2)}\n`,
    // The editor's copy: the project's tsconfig includes .morgana/devices.d.ts, which
    // follows the target configured last.
    [join(project.root, ".morgana", "devices.d.ts")]: declaration,
  };
  for (const [path, text] of Object.entries(files)) writeFileSync(path, text);
  return Object.keys(files).map((p) => relative(project.root, p));
}
