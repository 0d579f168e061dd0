#!/usr/bin/env node
// The layer check: every import points down the arrows of docs/architecture.md,
//   stack <- runtime <- tool <- {language-server, debugger, emulator} <- extension,
// and stack/devices/ imports nothing but itself (device interfaces know no protocol).
// Scans the import and export-from specifiers (static, and dynamic `import("...")` with a
// literal) of every .ts/.mts/.mjs/.js file of those folders, skipping comments, strings and
// template literals (generated code in templates is not an import of the tool itself).
//
//   node scripts/check-layers.mjs [root]     exits 1 and prints file:line: rule per violation
//
// Plain Node, no dependencies: it must run before anything is installed or built.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Top-level folders that are layers, lowest first. */
export const LAYERS = [
  "stack",
  "runtime",
  "tool",
  "language-server",
  "debugger",
  "emulator",
  "extension",
];
const SKIP_DIRS = new Set(["node_modules", "dist", ".morgana", ".git"]);
const SOURCE = /\.(?:ts|mts|cts|mjs|cjs|js)$/;
const BUILTINS = new Set(builtinModules);

/**
 * What each layer may import, besides Node built-ins where noted and its own package's npm
 * dependencies where noted. `internal`: layers whose folders may be reached only through their
 * `@morgana/...` package name, never by a relative path.
 */
const RULES = {
  stack: {
    layers: ["stack"],
    node: false,
    npm: (name) => name.startsWith("@noble/"),
    text: "stack/ may import only stack/ and @noble/*",
  },
  runtime: {
    layers: ["stack", "runtime"],
    node: true,
    // A target's host-side build steps (runtime/<target>/build/) run in the tool's process and
    // may use the tool's npm dependencies (esbuild); code that goes into unikernels may not.
    npm: (name, deps) => deps.own.has(name) || (deps.hostBuild && deps.tool.has(name)),
    text: "runtime/ may import only stack/, runtime/, node: built-ins and its package's npm dependencies (runtime/<target>/build/: also the tool's)",
  },
  tool: {
    layers: ["stack", "runtime", "tool"],
    node: true,
    npm: (name, deps) => deps.own.has(name),
    text: "tool/ may import only stack/, runtime/, tool/, node: built-ins and its npm dependencies",
  },
  "language-server": editorRule("language-server"),
  debugger: editorRule("debugger"),
  emulator: editorRule("emulator"),
  extension: {
    layers: LAYERS,
    node: true,
    npm: () => true,
    internal: ["debugger", "emulator"],
    text: "extension/ may reach debugger/ and emulator/ only through their packages (@morgana/...), not their files",
  },
};

function editorRule(own) {
  return {
    layers: ["stack", "runtime", "tool", own],
    node: true,
    npm: (name, deps) => deps.own.has(name),
    text: `${own}/ may import only stack/, runtime/, tool/, ${own}/, node: built-ins and its npm dependencies`,
  };
}

/** Checks the tree at `root`; answers the violations and what was scanned. */
export function checkLayers(root) {
  const packages = workspacePackages(root);
  const violations = [];
  let files = 0;
  let imports = 0;
  for (const layer of LAYERS) {
    const dir = join(root, layer);
    if (!isDir(dir)) continue;
    for (const file of sourceFiles(dir)) {
      files++;
      const text = readFileSync(file, "utf8");
      for (const { spec, line } of importSpecifiers(text)) {
        imports++;
        const rel = relative(root, file).split(sep).join("/");
        const broken = judge(root, rel, layer, spec, packages);
        if (broken !== null) violations.push({ file: rel, line, spec, rule: broken });
      }
    }
  }
  return { files, imports, violations };
}

/** The rule `spec`, imported by `file` (in `layer`), breaks; null if none. */
function judge(root, file, layer, spec, packages) {
  const rule = RULES[layer];
  const target = classify(root, file, spec, packages);
  // Device interfaces stand alone: no protocol library, no bytes helpers reached by path.
  if (file.startsWith("stack/devices/")) {
    const inDevices = target.kind === "path" && target.path.startsWith("stack/devices/");
    if (!inDevices) return "stack/devices/ may import only stack/devices/";
  }
  switch (target.kind) {
    case "path":
    case "package": {
      if (target.layer === null || !rule.layers.includes(target.layer)) {
        return `${rule.text}, not ${target.layer === null ? "files outside the layers" : `${target.layer}/`}`;
      }
      if (
        target.kind === "path" &&
        target.layer !== layer &&
        rule.internal?.includes(target.layer)
      ) {
        return rule.text;
      }
      return null;
    }
    case "node":
      return rule.node ? null : `${rule.text}, not Node built-ins`;
    case "npm": {
      const deps = {
        own: ownDependencies(root, layer, file),
        tool: ownDependencies(root, "tool", "tool/package.json"),
        hostBuild: /^runtime\/[^/]+\/build\//.test(file),
      };
      const ok = rule.npm(target.name, deps);
      return ok ? null : `${rule.text}, not the npm package ${target.name}`;
    }
    default:
      return `${rule.text}, not ${spec}`;
  }
}

/** What a specifier names: a file in a layer, a workspace package, a Node built-in, npm. */
function classify(root, file, spec, packages) {
  if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..") {
    const path = relative(root, resolve(root, dirname(file), spec))
      .split(sep)
      .join("/");
    return { kind: "path", path, layer: layerOf(path) };
  }
  if (spec.startsWith("node:") || BUILTINS.has(spec.split("/")[0])) return { kind: "node" };
  const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
  if (name.startsWith("@morgana/")) {
    const dir = packages.get(name);
    const layer = dir === undefined ? morganaPackageLayer(name) : layerOf(dir);
    return { kind: "package", name, layer };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return { kind: "other" }; // a URL or virtual module
  return { kind: "npm", name };
}

function layerOf(path) {
  const top = path.split("/")[0];
  return LAYERS.includes(top) ? top : null;
}

/** `@morgana/runtime-unix` -> runtime, for packages not (yet) in the workspaces. */
function morganaPackageLayer(name) {
  const base = name.slice("@morgana/".length);
  if (base.startsWith("runtime")) return "runtime";
  return LAYERS.includes(base) ? base : null;
}

/** Workspace package names -> their folder (relative to root). */
function workspacePackages(root) {
  const map = new Map();
  const rootPkg = readJson(join(root, "package.json"));
  for (const ws of rootPkg?.workspaces ?? []) {
    const pkg = readJson(join(root, ws, "package.json"));
    if (typeof pkg?.name === "string") map.set(pkg.name, ws);
  }
  return map;
}

const depsCache = new Map();

/** npm dependencies of the package a file belongs to (nearest package.json inside its layer). */
function ownDependencies(root, layer, file) {
  let dir = dirname(file);
  while (dir !== "." && dir !== "" && !isFile(join(root, dir, "package.json"))) {
    if (dir === layer) break;
    dir = dirname(dir);
  }
  const key = join(root, dir);
  let deps = depsCache.get(key);
  if (deps === undefined) {
    const pkg = readJson(join(key, "package.json")) ?? {};
    deps = new Set();
    for (const field of [
      "dependencies",
      "devDependencies",
      "peerDependencies",
      "optionalDependencies",
    ]) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        deps.add(name);
        // Type-only packages: "@types/vscode" provides "vscode".
        if (name.startsWith("@types/")) deps.add(name.slice(7).replace(/^(.*)__/, "@$1/"));
      }
    }
    depsCache.set(key, deps);
  }
  return deps;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

/**
 * The module specifiers of `text`, with their 1-based line: `import ... from "x"`,
 * `import "x"`, `export ... from "x"`, `import("x")`. Comments, strings, template literals and
 * regular expressions are skipped, so text that only looks like an import is not one.
 */
export function importSpecifiers(text) {
  const found = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  // The last significant token, to tell a regex `/` from a division.
  let prev = "";
  /** Brace depth at which each open template literal's `${` began. */
  const templates = [];
  let depth = 0;

  const skipString = (quote) => {
    i++;
    while (i < n && text[i] !== quote) {
      if (text[i] === "\\") i++;
      else if (text[i] === "\n") line++;
      i++;
    }
    i++;
  };
  /** Scans template text up to its end (returns false) or up to a `${` (returns true). */
  const skipTemplate = () => {
    while (i < n) {
      const c = text[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "\n") line++;
      if (c === "`") {
        i++;
        return false;
      }
      if (c === "$" && text[i + 1] === "{") {
        i += 2;
        return true;
      }
      i++;
    }
    return false;
  };

  while (i < n) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === "\n") line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      skipString(c);
      prev = "str";
      continue;
    }
    if (c === "`") {
      i++;
      if (skipTemplate()) {
        templates.push(depth);
        depth++;
      }
      prev = "str";
      continue;
    }
    if (c === "/" && startsRegex(prev)) {
      i++;
      let inClass = false;
      while (i < n && text[i] !== "\n") {
        const r = text[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(text[i])) i++;
      prev = "str";
      continue;
    }
    if (c === "{") {
      depth++;
      i++;
      prev = c;
      continue;
    }
    if (c === "}") {
      depth--;
      i++;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        if (skipTemplate()) {
          templates.push(depth);
          depth++;
        }
        prev = "str";
      } else {
        prev = c;
      }
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j])) j++;
      const word = text.slice(i, j);
      const before = i > 0 ? text[i - 1] : "";
      if ((word === "import" || word === "export") && before !== "." && prev !== ".") {
        const spec = specifierAt(text, i, word);
        if (spec !== null) found.push({ spec, line });
      }
      i = j;
      prev = word;
      continue;
    }
    prev = c;
    i++;
  }
  return found;
}

const STATIC_IMPORT =
  /^(?:import|export)\s+(?:type\s+)?(?:(?:[\w$*{}\s,]|\/\*[\s\S]*?\*\/)+?\s*from\s*)?(["'])([^"'\n]+)\1/;
const DYNAMIC_IMPORT = /^import\s*\(\s*(["'])([^"'\n]+)\1\s*[,)]/;

/** The specifier of the import or export statement starting at `at`, if it has one. */
function specifierAt(text, at, word) {
  const rest = text.slice(at, at + 2000);
  if (word === "import") {
    const dynamic = DYNAMIC_IMPORT.exec(rest);
    if (dynamic !== null) return dynamic[2];
  }
  const m = STATIC_IMPORT.exec(rest);
  if (m === null) return null;
  // `export const from = "x"` and the like are not module exports.
  if (
    word === "export" &&
    !/\bfrom\s*["']$/.test(rest.slice(0, m.index + m[0].length - m[2].length - 1))
  ) {
    return null;
  }
  return m[2];
}

const REGEX_AFTER_WORDS = new Set([
  "",
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
  "instanceof",
]);

function startsRegex(prev) {
  if (prev.length === 1 && "(,=:[!&|?{};+-*%<>~^".includes(prev)) return true;
  return REGEX_AFTER_WORDS.has(prev);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

function isDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const { files, imports, violations } = checkLayers(root);
  for (const v of violations) {
    process.stderr.write(`${v.file}:${v.line}: imports "${v.spec}": ${v.rule}\n`);
  }
  if (violations.length > 0) {
    process.stderr.write(
      `layers: ${violations.length} import(s) point the wrong way (docs/architecture.md)\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`layers: ${files} files, ${imports} imports, all arrows point down\n`);
}
