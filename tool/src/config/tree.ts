/**
 * The YAML tree of a unikernel.yaml, parsed once per text, and small readers of it shared by
 * validation and the editor helpers (completion, hover, outline, fixes).
 *
 * An editor sends the whole file after every keystroke, and parsing 1,000 lines of YAML costs
 * more than the 20 ms an editor may take to answer. So a text is parsed in blocks: each
 * top-level section, and each device of a block `devices:` mapping, is parsed alone and kept by
 * its text; the next version of the file re-parses only the blocks whose text changed, and the
 * tree is stitched from the blocks with their offsets moved into place. This is used only when
 * the result is the tree a parse of the whole text gives (test/unit/config/incremental.test.ts
 * compares the two over random edits): the file must split cleanly at block keys, and every
 * block must parse with no error or warning, no anchor and no alias; otherwise the whole text
 * is parsed, as before.
 */
import {
  Document,
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  Pair,
  parseDocument,
  YAMLMap,
} from "yaml";
import { Positions } from "./positions.ts";
import { DEVICE_TYPES, type DeviceType } from "./schema.ts";

/** A parsed text with its positions. Read it, never change it: it is shared. */
export interface ParsedYaml {
  text: string;
  doc: Document.Parsed;
  pos: Positions;
  /** With a parse in blocks: how many blocks this text parsed anew (the others were kept). */
  blocksParsed?: number;
}

/** The options of every parse: duplicate keys are left to our walker, with our code. */
const OPTIONS = { prettyErrors: false, uniqueKeys: false } as const;

let last: ParsedYaml | undefined;

/**
 * Parses `text` with positions, or answers the tree of the previous call when the text is the
 * same: an editor asks for diagnostics, completion and hover of one version of a file in a row,
 * and each answer then costs one parse, not three. Parses in blocks when it can (above); the
 * tree of a text is valid until `parseYaml` is called with another text (blocks are reused).
 */
export function parseYaml(text: string): ParsedYaml {
  if (last !== undefined && last.text === text) return last;
  last = parseInBlocks(text) ?? parseWhole(text);
  return last;
}

/** One parse of the whole text: the reference the block parse must equal. Not cached. */
export function parseWhole(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...OPTIONS, lineCounter: lines });
  return { text, doc, pos: new Positions(lines, text.length) };
}

/** A block's text parsed alone: its one key-value pair, ranges moved by `at` so far. */
interface Block {
  pair: Pair;
  /** The block's own line starts, relative to its start. */
  lineStarts: readonly number[];
  /** Where the block's nodes' ranges currently start from (they are moved in place). */
  at: number;
}

/** The blocks of the last text parsed in blocks, by their text. */
let blocks = new Map<string, Block>();

/** Where a block starts and ends in the text (end exclusive: the next block's start). */
interface Cut {
  start: number;
  end: number;
  /** A device cut short by a comment less indented than the devices (see `cut`). */
  beforeShallowComment?: boolean;
}

/** A top-level section, with its devices cut out when it is a block `devices:` mapping. */
interface Section extends Cut {
  /** The section's own lines (`devices:` and the comments before the first device). */
  head: Cut;
  devices?: Cut[];
}

/** `key:` at the start of a line (after the indentation): the only lines a block starts at. */
const KEY_LINE = /^[A-Za-z_][A-Za-z0-9_-]*[ ]*:(?: |$)/;
/** `devices:` alone on its line (a comment may follow): its devices can be parsed one by one. */
const BLOCK_DEVICES = /^devices[ ]*:[ ]*(?:#.*)?$/;

/**
 * Cuts the text into sections and devices, or answers undefined when the cuts might not be the
 * whole parse's: a line the cut does not understand at a block's indentation, a tab or a
 * carriage return, a byte-order mark. Blank and comment lines go with the block before them,
 * but for comments less indented than the devices, which go with the block after them.
 */
function cut(text: string): { prefix: number; sections: Section[] } | undefined {
  if (text.includes("\r") || text.includes("\t") || text.charCodeAt(0) === 0xfeff) return;
  const sections: Section[] = [];
  let prefix = -1;
  let deviceIndent = -1; // in a block `devices:` section: the indentation of its keys
  // The first comment line since the last content line that is less indented than the
  // devices: the whole parse ends the device before it, so the next block starts there.
  let shallow = -1;
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(start, nl < 0 ? text.length : nl);
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    const current = sections[sections.length - 1];
    if (indent === line.length) {
      // a blank line: with the block before it
    } else if (line.charCodeAt(indent) === 35) {
      const inDevices = current?.devices && deviceIndent !== Number.POSITIVE_INFINITY;
      if (shallow < 0 && inDevices && indent < deviceIndent) shallow = start;
    } else if (indent === 0) {
      if (!KEY_LINE.test(line)) return;
      const at = shallow < 0 ? start : shallow;
      if (current) closeSection(current, at, shallow >= 0);
      else prefix = start;
      const devices = BLOCK_DEVICES.test(line);
      sections.push({
        start: at,
        end: -1,
        head: { start: at, end: -1 },
        ...(devices ? { devices: [] } : {}),
      });
      deviceIndent = devices ? Number.POSITIVE_INFINITY : -1;
    } else if (current?.devices) {
      if (deviceIndent === Number.POSITIVE_INFINITY) deviceIndent = indent; // set by the first
      if (indent < deviceIndent) return;
      if (indent === deviceIndent) {
        if (!KEY_LINE.test(line.slice(indent))) return;
        const at = shallow < 0 ? start : shallow;
        const open = current.devices[current.devices.length - 1];
        if (open) {
          open.end = at;
          if (shallow >= 0) open.beforeShallowComment = true;
        } else current.head.end = at;
        current.devices.push({ start: at, end: -1 });
      }
    } else if (!current) {
      return; // indented content before the first key
    }
    if (indent < line.length && line.charCodeAt(indent) !== 35) shallow = -1;
    start = end;
  }
  const final = sections[sections.length - 1];
  if (!final) return;
  closeSection(final, text.length);
  return { prefix, sections };
}

function closeSection(section: Section, end: number, beforeShallowComment = false): void {
  section.end = end;
  const devices = section.devices;
  const open = devices?.[devices.length - 1];
  if (open) {
    open.end = end;
    if (beforeShallowComment) open.beforeShallowComment = true;
  } else section.head.end = end;
  if (devices?.length === 0) delete section.devices; // `devices:` with nothing in it
}

/** Parses a block's text alone; undefined unless it is one clean `key: value` pair. */
function parseBlock(text: string): Block | undefined {
  if (text.includes("&") || text.includes("*")) return; // anchors and aliases span blocks
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return;
  const map = doc.contents;
  if (!isMap(map) || map.items.length !== 1) return;
  return { pair: map.items[0] as Pair, lineStarts: lines.lineStarts, at: 0 };
}

/** Moves every range under `node` by `by` characters. */
function move(node: unknown, by: number): void {
  if (isPair(node)) {
    move(node.key, by);
    move(node.value, by);
    return;
  }
  const range = (node as Node | null)?.range;
  if (range) {
    range[0] += by;
    range[1] += by;
    range[2] += by;
  }
  if (isCollection(node)) for (const item of node.items) move(item, by);
}

/** A block mapping of `pairs` (one at least), with the range the whole parse gives it. */
function mappingOf(pairs: Pair[]): YAMLMap {
  const map = new YAMLMap();
  map.items = pairs;
  const first = pairs[0] as Pair;
  const last = pairs[pairs.length - 1] as Pair;
  const start = (first.key as Node).range?.[0] ?? 0;
  // resolve-block-map.js: a block mapping ends where its last value ends, comments included.
  const end = ((last.value ?? last.key) as Node).range?.[2] ?? start;
  map.range = [start, end, end];
  return map;
}

/** The tree of `text` from its blocks, reusing those of the last text; undefined if it cannot. */
function parseInBlocks(text: string): ParsedYaml | undefined {
  const cuts = cut(text);
  if (!cuts) return;
  const kept = new Map<string, Block>();
  const lineStarts: number[] = [];
  let parsed = 0;
  // The comment lines before the first key: the whole parse counts their lines, nothing else.
  for (let at = 0; at < cuts.prefix; at = text.indexOf("\n", at) + 1) lineStarts.push(at);
  const take = (c: Cut): Block | undefined => {
    const source = text.slice(c.start, c.end);
    let block = kept.has(source) ? undefined : blocks.get(source);
    if (!block) {
      block = parseBlock(source);
      parsed++;
      if (!block) return;
    }
    if (block.at !== c.start) {
      move(block.pair, c.start - block.at);
      block.at = c.start;
    }
    if (!kept.has(source)) kept.set(source, block);
    for (const s of block.lineStarts) {
      const at = s + c.start;
      if (at !== lineStarts[lineStarts.length - 1]) lineStarts.push(at);
    }
    return block;
  };
  const top: Pair[] = [];
  for (const section of cuts.sections) {
    if (!section.devices) {
      const block = take(section);
      if (!block) return;
      top.push(block.pair);
      continue;
    }
    const head = take(section.head); // `devices:`, its value empty: the devices are the value
    if (!head) return;
    const devices: Pair[] = [];
    for (const c of section.devices) {
      const block = take(c);
      if (!block) return;
      // After an empty value (`clock:`), whether the whole parse counts such a comment in the
      // value depends on its indentation: parse it whole.
      const value = block.pair.value as Node | null;
      if (c.beforeShallowComment && (value === null || (isScalar(value) && value.value === null)))
        return;
      devices.push(block.pair);
    }
    // A new pair each time: the head's pair is cached and keeps its empty value.
    top.push(new Pair(head.pair.key, mappingOf(devices)));
  }
  blocks = kept;
  const doc = new Document(undefined, OPTIONS) as unknown as Document.Parsed;
  doc.contents = mappingOf(top) as Document.Parsed["contents"];
  const lines = new LineCounter();
  for (const s of lineStarts) lines.addNewLine(s);
  return { text, doc, pos: new Positions(lines, text.length), blocksParsed: parsed };
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
