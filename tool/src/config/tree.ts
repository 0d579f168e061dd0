/**
 * The YAML tree of a unikernel.yaml, parsed once per text, and small readers of it shared by
 * validation and the editor helpers (completion, hover, outline, fixes).
 */
import {
  type Document,
  isMap,
  isScalar,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
} from "yaml";
import { Positions } from "./positions.ts";
import { DEVICE_TYPES, type DeviceType } from "./schema.ts";

/** A parsed text with its positions. Read it, never change it: it is shared. */
export interface ParsedYaml {
  text: string;
  doc: Document.Parsed;
  pos: Positions;
}

let last: ParsedYaml | undefined;

/**
 * Parses `text` with positions, or answers the tree of the previous call when the text is the
 * same: an editor asks for diagnostics, completion and hover of one version of a file in a row,
 * and each answer then costs one parse, not three. Duplicate keys are left to our walker.
 */
export function parseYaml(text: string): ParsedYaml {
  if (last !== undefined && last.text === text) return last;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  last = { text, doc, pos: new Positions(lines, text.length) };
  return last;
}

/** A pair's key as text, when it is a plain scalar. */
export function keyOf(pair: Pair): string | undefined {
  const k = pair.key as Node | null;
  return isScalar(k) && (typeof k.value === "string" || typeof k.value === "number")
    ? String(k.value)
    : undefined;
}

/** A device's type as written in its mapping, or its name when that is a type; else undefined. */
export function deviceTypeOf(name: string, value: unknown): DeviceType | undefined {
  const written = isMap(value) ? value.get("type") : isScalar(value) ? value.value : undefined;
  const type = typeof written === "string" ? written : name;
  return (DEVICE_TYPES as readonly string[]).includes(type) ? (type as DeviceType) : undefined;
}
