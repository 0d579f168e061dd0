/**
 * `import type { Devices } from "morgana:devices"` resolves through .morgana/devices.d.ts,
 * which configure writes. A project fresh from git has no .morgana (it is generated), so
 * every app file would open with "Cannot find module" until the first build: on activation,
 * each such project is configured for the current target, quietly. A config with errors
 * stays unconfigured; the language server already shows why in unikernel.yaml.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runJson } from "./cli.ts";
import { cliContext, findProjects } from "./workspace.ts";

export async function declareDevices(target: string): Promise<string[]> {
  const ctx = cliContext();
  if (!ctx) return [];
  const configured: string[] = [];
  for (const project of await findProjects()) {
    if (existsSync(join(project, ".morgana", "devices.d.ts"))) continue;
    const r = await runJson(ctx, ["configure", "-t", target], project);
    if (r.ok) configured.push(project);
  }
  return configured;
}
