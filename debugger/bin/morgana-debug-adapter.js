#!/usr/bin/env node
// The debug adapter for board images: DAP on stdin/stdout, xsbug to XS in QEMU. Editors start
// it (the VS Code extension with `node debugger/bin/morgana-debug-adapter.js`). Bundled on
// change from the TypeScript sources, like the morgana CLI and the language server; npm
// packages (esbuild, @vscode/debugadapter) stay imports, resolved in the checkout.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleOnChange } from "../../tool/bin/bundle-on-change.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const checkout = join(root, "..");
const { startAdapter } = await bundleOnChange({
  name: "morgana-debug-adapter",
  entry: join(root, "src", "main.ts"),
  bundle: join(root, "dist", "adapter.mjs"),
  // The adapter boots boards through the tool, which bundles the runtimes and the stack.
  srcDirs: [
    join(root, "src"),
    join(checkout, "tool", "src"),
    join(checkout, "runtime"),
    join(checkout, "stack"),
  ],
});
startAdapter();
