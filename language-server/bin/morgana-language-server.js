#!/usr/bin/env node
// The language server for unikernel.yaml, over stdio (`--stdio`, as VS Code starts it).
// Bundled on change from the TypeScript sources, like the morgana CLI.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleOnChange } from "../../tool/bin/bundle-on-change.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { startServer } = await bundleOnChange({
  name: "morgana-language-server",
  entry: join(root, "src", "server.ts"),
  bundle: join(root, "dist", "server.mjs"),
  srcDirs: [join(root, "src"), join(root, "..", "tool", "src")],
  selfContained: true,
});
startServer();
