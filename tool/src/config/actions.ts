/**
 * Quick fixes for the diagnostics of a `unikernel.yaml`: take the did-you-mean, remove an
 * unknown key, add the device a dependency is missing. Each fix is a list of text edits, so the
 * language server only converts positions. Pure and ES2022-only; 1-based, exclusive ends.
 */
import { isMap, type Node, type Pair } from "yaml";
import type { Diagnostic, SourceSpan } from "./diagnostics.ts";
import { DEVICE_SCHEMA, type DeviceType } from "./schema.ts";
import { deviceTypeOf, keyOf, parseYaml } from "./tree.ts";

export interface TextEdit {
  span: SourceSpan;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor may apply on its own (the one did-you-mean). */
  preferred: boolean;
}

const sameStart = (a: SourceSpan, b: SourceSpan) => a.line === b.line && a.col === b.col;

/** Every pair of every mapping, depth first, with the mapping that holds it. */
function* pairs(node: unknown): Generator<{ pair: Pair; flow: boolean; siblings: Pair[] }> {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    yield { pair, flow: node.flow === true, siblings: node.items };
    yield* pairs(pair.value);
  }
}

/** The offsets of the text to delete to remove `pair` cleanly from its mapping. */
function removalRange(
  text: string,
  pair: Pair,
  flow: boolean,
  siblings: Pair[],
): [number, number] | null {
  const k = (pair.key as Node | null)?.range;
  if (!k) return null;
  const v = (pair.value as Node | null)?.range;
  let start = k[0];
  let end = v ? v[1] : k[1];
  if (flow) {
    // `{ a: 1, bad: 2 }`: take the separator before it, or after it when it is the first.
    const index = siblings.indexOf(pair);
    if (index > 0) {
      const before = text.lastIndexOf(",", start);
      if (before >= 0) start = before;
    } else {
      const after = /^\s*,\s*/.exec(text.slice(end));
      if (after) end += after[0].length;
    }
    return [start, end];
  }
  // A block entry: its whole lines, including a trailing comment and the newline.
  start = text.lastIndexOf("\n", start - 1) + 1;
  const nl = text.indexOf("\n", end);
  end = nl < 0 ? text.length : nl + 1;
  return [start, end];
}

/** A device to add for a missing dependency: the first accepted type needing no other field. */
function deviceToAdd(accepts: readonly DeviceType[]): DeviceType | undefined {
  return accepts.find((t) =>
    Object.values(DEVICE_SCHEMA[t].fields).every((f) => !f.required || f.kind === "device"),
  );
}

/** The fixes for one diagnostic of `text` (none when there is no safe one). */
export function quickFixes(text: string, d: Diagnostic): QuickFix[] {
  if (d.span === undefined) return [];
  const { doc, pos } = parseYaml(text);
  const fixes: QuickFix[] = [];
  if (d.suggestion !== undefined) {
    fixes.push({
      title: `Change to "${d.suggestion}"`,
      edits: [{ span: d.span, newText: d.suggestion }],
      preferred: true,
    });
  }
  if (d.code === "unknown-key" || d.code === "duplicate-key") {
    for (const { pair, flow, siblings } of pairs(doc.contents)) {
      const keySpan = pos.node(pair.key as Node);
      if (!keySpan || !sameStart(keySpan, d.span)) continue;
      const range = removalRange(text, pair, flow, siblings);
      if (range) {
        fixes.push({
          title: `Remove ${d.code === "unknown-key" ? "unknown" : "duplicate"} key "${keyOf(pair)}"`,
          edits: [{ span: pos.span(range[0], range[1]), newText: "" }],
          preferred: false,
        });
      }
      break;
    }
  }
  if (d.code === "missing-dependency" && d.suggestion === undefined && d.path !== undefined) {
    const [, deviceName, field] = d.path.split(".");
    const devices = isMap(doc.contents) ? doc.contents.get("devices", true) : undefined;
    const device = isMap(devices) ? devices.items.find((p) => keyOf(p) === deviceName) : undefined;
    const type = device ? deviceTypeOf(deviceName ?? "", device.value) : undefined;
    const spec = type && field ? DEVICE_SCHEMA[type].fields[field] : undefined;
    const add = spec?.accepts ? deviceToAdd(spec.accepts) : undefined;
    const last = isMap(devices) ? devices.items[devices.items.length - 1] : undefined;
    const lastEnd =
      (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node | null)?.range?.[1];
    const firstKey = (devices as { items?: Pair[] } | undefined)?.items?.[0]?.key as
      | Node
      | undefined;
    if (add && isMap(devices) && !devices.flow && lastEnd !== undefined && firstKey?.range) {
      // A new line under the last device, indented as the devices are.
      const lineStart = text.lastIndexOf("\n", firstKey.range[0] - 1) + 1;
      const indent = text.slice(lineStart, firstKey.range[0]);
      const nl = text.indexOf("\n", lastEnd);
      const at = nl < 0 ? text.length : nl + 1;
      const newText = `${nl < 0 ? "\n" : ""}${indent}${add}: {}\n`;
      fixes.push({
        title: `Add a ${add} device`,
        edits: [{ span: pos.span(at, at), newText }],
        preferred: false,
      });
    }
  }
  return fixes;
}
