/**
 * What an editor asks of the config model while a person types: where the cursor is in the
 * key structure, what may be written there (completion) and what the key under the cursor
 * means (hover). Built from the same schema tables as validation, so the two never disagree.
 * Pure and ES2022-only, like the rest of the model; positions are 1-based lines and columns.
 */
import { type Document, isMap, isScalar, type Node, type YAMLMap } from "yaml";
import {
  DEVICE_SCHEMA,
  DEVICE_TYPE_FIELD,
  DEVICE_TYPES,
  type DeviceType,
  type FieldSpec,
  TARGET_DOCS,
  TARGET_FIELDS,
  TARGET_NAMES,
  type TargetName,
  TOP_LEVEL_FIELDS,
} from "./schema.ts";
import { deviceTypeOf, keyOf, parseYaml } from "./tree.ts";

/** Where the cursor is: inside which mapping, and on a key or on a key's value. */
export interface Place {
  /** Keys from the root to the mapping the cursor is in: `["devices", "http"]`. */
  path: string[];
  role: "key" | "value";
  /** The key under the cursor (role "key"), or whose value the cursor is on (role "value"). */
  key?: string;
  /** The word typed so far at the cursor, for filtering. */
  prefix: string;
}

export interface Completion {
  label: string;
  kind: "field" | "device-type" | "device" | "target" | "keyword" | "file" | "folder" | "snippet";
  /** One line: what it is. */
  detail: string;
  /** Markdown, for the documentation pane. */
  documentation?: string;
  /** Text to insert instead of the label; for "snippet", in LSP snippet syntax (`${1:name}`). */
  insertText?: string;
}

/** An entry of a folder, for completing paths. */
export interface DirEntry {
  name: string;
  folder: boolean;
}

export interface CompletionContext {
  /**
   * Lists a folder given relative to unikernel.yaml's ("" for its own), or null when it does
   * not exist. The model reads no file system itself: the caller (the language server) does.
   */
  listDir?: (relativeFolder: string) => DirEntry[] | null;
}

/**
 * Whole devices in one go, offered where device names are typed. The lines after the first are
 * indented by the editor like the first (VS Code and other LSP clients adjust snippet lines).
 */
/** A snippet tab stop with a default, `${n:text}` in LSP snippet syntax. */
const slot = (n: number, text: string) => `\${${n}:${text}}`;

const SNIPPETS: readonly Completion[] = [
  {
    label: "http-site",
    kind: "snippet",
    detail: "A static website: console, clock, net, a kv_ro folder and an http server",
    insertText: [
      "console: {}",
      "clock: {}",
      `net: { type: net, ipv4: ${slot(1, "dhcp")} }`,
      `${slot(2, "htdocs")}: { type: kv_ro, path: ${slot(3, "htdocs")} }`,
      `http: { type: http, port: ${slot(4, "80")} }`,
    ].join("\n"),
  },
  {
    label: "https-site",
    kind: "snippet",
    detail: "An HTTPS website: net + kv_ro + tls + http, with the keys in their own kv_ro",
    insertText: [
      "console: {}",
      "clock: {}",
      `net: { type: net, ipv4: ${slot(1, "dhcp")} }`,
      `${slot(2, "htdocs")}: { type: kv_ro, path: ${slot(3, "htdocs")} }`,
      `keys: { type: kv_ro, path: ${slot(4, "keys")} }`,
      `tls: { type: tls, stack: net, keys: keys, certificate: ${slot(5, "server.pem")}, key: ${slot(6, "server.key")} }`,
      `http: { type: http, port: ${slot(7, "443")}, stack: tls }`,
    ].join("\n"),
  },
  {
    label: "net-static",
    kind: "snippet",
    detail: "A network interface with a static IPv4 address and a gateway",
    insertText: `net: { type: net, ipv4: ${slot(1, "10.0.0.2/24")}, gateway: ${slot(2, "10.0.0.1")} }`,
  },
];

/** Module files the entry may be: what a `main:` path completes to, besides folders. */
const MODULE = /\.(ts|mts|js|mjs)$/;

/** Entries of the folder a partly typed path is in, as completions of its last part. */
function pathCompletions(
  typed: string,
  pathTo: "folder" | "file" | "module",
  listDir: (relativeFolder: string) => DirEntry[] | null,
): Completion[] {
  const cut = typed.lastIndexOf("/");
  const folder = cut < 0 ? "" : typed.slice(0, cut);
  const entries = listDir(folder) ?? [];
  return entries
    .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules" && e.name !== "dist")
    .filter((e) => e.folder || pathTo === "file" || (pathTo === "module" && MODULE.test(e.name)))
    .map((e) => ({
      label: `${folder === "" ? "" : `${folder}/`}${e.name}${e.folder && pathTo !== "folder" ? "/" : ""}`,
      kind: e.folder ? "folder" : "file",
      detail: e.folder ? "folder" : "file",
    }));
}

export interface Hover {
  /** Markdown. */
  contents: string;
}

/** 1-based line and column to a 0-based offset into `text` (clamped to the text). */
export function offsetAt(text: string, line: number, col: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  const lineEnd = text.indexOf("\n", offset);
  const end = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + Math.max(col - 1, 0), end);
}

const WORD = /[A-Za-z0-9_$.\-/]*$/;

function lineBefore(text: string, offset: number): string {
  return text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset);
}

/** Block-style context from indentation: the keys of the lines that enclose the cursor's. */
function pathByIndent(text: string, offset: number, indent: number): string[] {
  const lines = text.slice(0, text.lastIndexOf("\n", offset - 1) + 1).split("\n");
  const path: string[] = [];
  let bound = indent;
  for (let i = lines.length - 1; i >= 0 && bound > 0; i--) {
    const line = lines[i] as string;
    const m = /^(\s*)([^\s:#{}[\]][^:#{}[\]]*?)\s*:(\s|$)/.exec(line);
    if (!m) continue;
    const lineIndent = (m[1] as string).length;
    if (lineIndent < bound) {
      path.unshift((m[2] as string).trim());
      bound = lineIndent;
    }
  }
  return path;
}

const within = (node: Node | null | undefined, offset: number): boolean =>
  !!node?.range && offset >= node.range[0] && offset <= node.range[1];

/** The place from the parsed tree, when the cursor is on a key or a value in it. */
function placeInTree(map: YAMLMap, path: string[], offset: number, text: string): Place | null {
  for (const pair of map.items) {
    const key = keyOf(pair);
    if (key === undefined) continue;
    const keyNode = pair.key as Node;
    const value = pair.value as Node | null;
    const prefix = (WORD.exec(lineBefore(text, offset))?.[0] ?? "").replace(/^.*[:{,\s]/, "");
    if (within(keyNode, offset)) return { path, role: "key", key, prefix };
    if (!within(value, offset)) continue;
    if (isMap(value)) return placeInTree(value, [...path, key], offset, text) ?? null;
    // `http:` then `    po` on the next line parses as a scalar value, but is a key being typed.
    const keyLine = text.slice(0, keyNode.range?.[0] ?? 0).split("\n").length;
    const valueLine = text.slice(0, value?.range?.[0] ?? 0).split("\n").length;
    if (isScalar(value) && valueLine > keyLine)
      return { path: [...path, key], role: "key", prefix };
    return { path, role: "value", key, prefix };
  }
  return null;
}

/** The YAML tree an editor request works on: parsed once per request, shared by every helper. */
type Tree = Document.Parsed;
const parseTree = (text: string): Tree => parseYaml(text).doc;

/** Where the cursor at `line`:`col` is in the key structure of `text`. */
export function placeAt(text: string, line: number, col: number, doc = parseTree(text)): Place {
  const offset = offsetAt(text, line, col);
  const before = lineBefore(text, offset);
  const fromTree = isMap(doc.contents) ? placeInTree(doc.contents, [], offset, text) : null;
  // Trust the tree inside flow mappings (`{ type: http, po| }`); on a block line decide by the
  // text, which also covers lines the parser could not make sense of yet.
  const block = /^(\s*)([^\s:#{}[\],][^:#{}[\],]*?)?(\s*:\s*(.*))?$/.exec(before);
  if (fromTree && (before.includes("{") || !block)) return fromTree;
  // Inside a one-line flow mapping the tree has no node for an empty value (`{ path: | }`):
  // read the owner key and the key being written from the text.
  const flow = /^(\s*)([^\s:#{}[\],]+)\s*:\s*\{([^{}]*)$/.exec(before);
  if (flow) {
    const inner = /(?:^|,)\s*([^\s:,]+)\s*:\s*([^,]*)$/.exec(flow[3] as string);
    const path = [...pathByIndent(text, offset, (flow[1] as string).length), flow[2] as string];
    if (inner)
      return { path, role: "value", key: inner[1] as string, prefix: (inner[2] ?? "").trim() };
    const word = /(?:^|,)\s*([^\s:,]*)$/.exec(flow[3] as string);
    return { path, role: "key", prefix: word?.[1] ?? "" };
  }
  if (!block) return fromTree ?? { path: [], role: "key", prefix: "" };
  const indent = (block[1] as string).length;
  const path = pathByIndent(text, offset, indent);
  if (block[3] !== undefined) {
    const key = (block[2] ?? "").trim();
    return { path, role: "value", key, prefix: (block[4] ?? "").trim() };
  }
  return { path, role: "key", prefix: (block[2] ?? "").trim() };
}

/** name -> type of the devices declared in `text`, as far as they can be read. */
function declaredDevices(doc: Tree): Map<string, DeviceType | undefined> {
  const out = new Map<string, DeviceType | undefined>();
  const devices = isMap(doc.contents) ? doc.contents.get("devices", true) : undefined;
  if (!isMap(devices)) return out;
  for (const pair of devices.items) {
    const name = keyOf(pair);
    if (name === undefined) continue;
    out.set(name, deviceTypeOf(name, pair.value));
  }
  return out;
}

/** The keys already written in the mapping at `path`, so completion does not offer them again. */
function presentKeys(doc: Tree, path: string[]): Set<string> {
  let node: unknown = doc.contents;
  for (const key of path) node = isMap(node) ? node.get(key, true) : undefined;
  const keys = new Set<string>();
  if (isMap(node))
    for (const pair of node.items) {
      const k = keyOf(pair);
      if (k !== undefined) keys.add(k);
    }
  return keys;
}

function fieldDoc(name: string, field: FieldSpec): string {
  const parts = [`**${name}**: ${field.doc}`, "", `Expected: ${field.expected}.`];
  if (field.required) parts.push("Required.");
  else if (field.default !== undefined && typeof field.default !== "object") {
    parts.push(`Default: \`${String(field.default)}\`.`);
  }
  return parts.join("\n");
}

/** The fields a device of `type` (or of an unknown type) may have. */
function deviceFields(type: DeviceType | undefined): Record<string, FieldSpec> {
  return { type: DEVICE_TYPE_FIELD, ...(type ? DEVICE_SCHEMA[type].fields : {}) };
}

function fieldAt(
  place: Place,
  devices: Map<string, DeviceType | undefined>,
): FieldSpec | undefined {
  const [top, name] = place.path;
  const key = place.key ?? "";
  if (place.path.length === 0) return TOP_LEVEL_FIELDS[key as keyof typeof TOP_LEVEL_FIELDS];
  if (top === "devices" && name !== undefined && place.path.length === 2) {
    return deviceFields(devices.get(name))[key];
  }
  if (top === "targets" && place.path.length === 2) {
    return TARGET_FIELDS[key as keyof typeof TARGET_FIELDS];
  }
  return undefined;
}

function startsWith(label: string, prefix: string): boolean {
  return label.toLowerCase().startsWith(prefix.toLowerCase());
}

/** What may be written at `line`:`col`. */
export function completionsAt(
  text: string,
  line: number,
  col: number,
  context: CompletionContext = {},
): Completion[] {
  const doc = parseTree(text);
  const place = placeAt(text, line, col, doc);
  const devices = declaredDevices(doc);
  const present = presentKeys(doc, place.path);
  const fields = (table: Record<string, FieldSpec>): Completion[] =>
    Object.entries(table)
      .filter(([name]) => !present.has(name) || name === place.prefix)
      .map(([name, f]) => ({
        label: name,
        kind: "field",
        detail: f.doc,
        documentation: fieldDoc(name, f),
      }));
  let items: Completion[] = [];
  const [top, name] = place.path;
  if (place.role === "key") {
    if (place.path.length === 0) items = fields(TOP_LEVEL_FIELDS);
    else if (top === "devices" && place.path.length === 1) {
      // A device named after its type needs no `type:`: offer the types as names.
      items = [
        ...DEVICE_TYPES.filter((t) => !present.has(t)).map(
          (t): Completion => ({ label: t, kind: "device-type", detail: DEVICE_SCHEMA[t].doc }),
        ),
        ...SNIPPETS,
      ];
    } else if (top === "devices" && name !== undefined && place.path.length === 2) {
      items = fields(deviceFields(devices.get(name)));
    } else if (top === "targets" && place.path.length === 1) {
      items = TARGET_NAMES.filter((t) => !present.has(t)).map((t) => ({
        label: t,
        kind: "target",
        detail: TARGET_DOCS[t],
      }));
    } else if (top === "targets" && place.path.length === 2) {
      items = fields(TARGET_FIELDS);
    }
  } else {
    const field = fieldAt(place, devices);
    if (top === "devices" && place.key === "type") {
      items = DEVICE_TYPES.map((t) => ({
        label: t,
        kind: "device-type",
        detail: DEVICE_SCHEMA[t].doc,
      }));
    } else if (field?.kind === "device") {
      const accepts = field.accepts ?? [];
      items = [...devices]
        .filter(([n, t]) => n !== name && t !== undefined && accepts.includes(t))
        .map(([n, t]) => ({ label: n, kind: "device", detail: `${t} device` }));
    } else if (field?.kind === "path" && field.pathTo && context.listDir) {
      items = pathCompletions(place.prefix, field.pathTo, context.listDir);
    } else if (field) {
      const words = [...new Set([...(field.keywords ?? []), ...(field.examples ?? [])])];
      items = words.map((w) => ({ label: w, kind: "keyword", detail: field.expected }));
    }
  }
  return items.filter((i) => startsWith(i.label, place.prefix));
}

/** What the key (or device type) under `line`:`col` means, or null over anything else. */
export function hoverAt(text: string, line: number, col: number): Hover | null {
  const offset = offsetAt(text, line, col);
  // Hover over a whole word: complete the prefix with the rest of the word after the cursor.
  const rest = /^[A-Za-z0-9_$-]*/.exec(text.slice(offset))?.[0] ?? "";
  const doc = parseTree(text);
  const place = placeAt(text, line, col + rest.length, doc);
  const devices = declaredDevices(doc);
  const [top, name] = place.path;
  if (place.role === "key") {
    const key = place.key ?? place.prefix;
    if (top === "devices" && place.path.length === 1) {
      const type = devices.get(key);
      return type ? { contents: `**${key}**: ${type} device. ${DEVICE_SCHEMA[type].doc}` } : null;
    }
    if (top === "targets" && place.path.length === 1 && key in TARGET_DOCS) {
      return { contents: `**${key}** target: ${TARGET_DOCS[key as TargetName]}` };
    }
    const field = fieldAt({ ...place, key }, devices);
    return field ? { contents: fieldDoc(key, field) } : null;
  }
  if (top === "devices" && name !== undefined && place.key === "type") {
    const type = place.prefix as DeviceType;
    return DEVICE_SCHEMA[type] ? { contents: `**${type}**: ${DEVICE_SCHEMA[type].doc}` } : null;
  }
  return null;
}
