/**
 * Finding one's way in a `unikernel.yaml`: the outline of its devices and targets (document
 * symbols) and where a name leads (go to definition: `main` to the entry module, a device
 * reference to the device). Pure and ES2022-only; 1-based positions, exclusive ends.
 */
import { isMap, isScalar, type Node, type Pair } from "yaml";
import type { SourceSpan } from "./diagnostics.ts";
import { offsetAt } from "./editor.ts";
import type { Positions } from "./positions.ts";
import { DEVICE_SCHEMA } from "./schema.ts";
import { deviceTypeOf, keyOf, parseYaml } from "./tree.ts";

export interface ConfigSymbol {
  name: string;
  kind: "name" | "main" | "devices" | "device" | "targets" | "target";
  /** One line shown beside the name: a device's type, the unikernel's name... */
  detail: string;
  /** The whole entry, key and value. */
  span: SourceSpan;
  /** The key alone: what the editor selects. */
  selection: SourceSpan;
  children: ConfigSymbol[];
}

export type Definition =
  /** A file or folder, relative to the folder of unikernel.yaml. */
  | { kind: "path"; path: string }
  /** A place in this file. */
  | { kind: "span"; span: SourceSpan };

/** The span of a pair from its key to the end of its value (without the blank after it). */
function pairSpan(text: string, pos: Positions, pair: Pair): SourceSpan | undefined {
  const k = (pair.key as Node | null)?.range;
  if (!k) return undefined;
  const v = (pair.value as Node | null)?.range;
  let end = v ? v[1] : k[1];
  // A block mapping's range runs to the start of the next line: stop at its last character.
  while (end > k[1] && /\s/.test(text[end - 1] ?? "")) end--;
  return pos.span(k[0], end);
}

/** The outline: name, main, each device (with its type) and each target. */
export function documentSymbols(text: string): ConfigSymbol[] {
  const { doc, pos } = parseYaml(text);
  if (!isMap(doc.contents)) return [];
  const out: ConfigSymbol[] = [];
  for (const pair of doc.contents.items) {
    const key = keyOf(pair);
    const span = pairSpan(text, pos, pair);
    const selection = pos.node(pair.key as Node);
    if (key === undefined || !span || !selection) continue;
    const value = pair.value as Node | null;
    const scalar = isScalar(value) ? String(value.value ?? "") : "";
    const symbol = (kind: ConfigSymbol["kind"], detail: string, children: ConfigSymbol[] = []) =>
      out.push({ name: key, kind, detail, span, selection, children });
    if (key === "name" || key === "main") symbol(key, scalar);
    else if (key === "devices" || key === "targets") {
      const children: ConfigSymbol[] = [];
      if (isMap(value)) {
        for (const item of value.items) {
          const name = keyOf(item);
          const itemSpan = pairSpan(text, pos, item);
          const itemSel = pos.node(item.key as Node);
          if (name === undefined || !itemSpan || !itemSel) continue;
          const detail =
            key === "devices" ? (deviceTypeOf(name, item.value) ?? "unknown type") : "target";
          const kind = key === "devices" ? "device" : "target";
          children.push({ name, kind, detail, span: itemSpan, selection: itemSel, children: [] });
        }
      }
      symbol(
        key,
        `${children.length} ${key === "devices" ? "device" : "target"}${children.length === 1 ? "" : "s"}`,
        children,
      );
    }
  }
  return out;
}

/**
 * Where the value under `line`:`col` leads: `main`'s module, a `path` field's file or folder,
 * or the device a dependency field names. Null over anything else.
 */
export function definitionAt(text: string, line: number, col: number): Definition | null {
  const { doc, pos } = parseYaml(text);
  if (!isMap(doc.contents)) return null;
  const offset = offsetAt(text, line, col);
  const inside = (node: Node | null | undefined) =>
    !!node?.range && offset >= node.range[0] && offset <= node.range[1];
  for (const pair of doc.contents.items) {
    const key = keyOf(pair);
    const value = pair.value as Node | null;
    if (key === "main" && isScalar(value) && inside(value) && typeof value.value === "string") {
      return { kind: "path", path: value.value };
    }
    if (key !== "devices" || !isMap(value)) continue;
    for (const device of value.items) {
      const name = keyOf(device);
      const fields = device.value as Node | null;
      if (name === undefined || !isMap(fields)) continue;
      const type = deviceTypeOf(name, fields);
      for (const f of fields.items) {
        const field = keyOf(f);
        const v = f.value as Node | null;
        if (field === undefined || !isScalar(v) || !inside(v) || typeof v.value !== "string")
          continue;
        const spec = type ? DEVICE_SCHEMA[type].fields[field] : undefined;
        if (spec?.kind === "path" && spec.pathTo !== undefined)
          return { kind: "path", path: v.value };
        if (spec?.kind === "device") {
          const target = value.items.find((d) => keyOf(d) === v.value);
          const span = target ? pos.node(target.key as Node) : undefined;
          return span ? { kind: "span", span } : null;
        }
      }
    }
  }
  return null;
}
