/**
 * The YAML tree of a unikernel.yaml, parsed once per text, and small readers of it shared by
 * validation and the editor helpers (completion, hover, outline, fixes).
 *
 * An editor sends the whole file after every keystroke, and parsing 1,000 lines of YAML costs
 * about the 20 ms an editor may take to answer. So a text is parsed in blocks: each top-level
 * section, and each device of a block `devices:` mapping, is parsed alone and kept by its text;
 * the next version of the file re-parses only the blocks whose text changed, and the tree is
 * stitched from the blocks with their offsets moved into place. A device with a key missing its
 * colon (as typing a new key leaves it) is parsed together with the next device, the others with
 * a syntax error together with all the devices after them; a top-level section with an error,
 * together with everything after it.
 *
 * The result must be the tree (every range), the errors and the line positions a parse of the
 * whole text gives: test/unit/config/incremental.test.ts compares the two over thousands of
 * random edits, valid YAML or not. Where that is not sure the whole text is parsed, as before:
 * a line the cut does not understand at a block's indentation, tabs, anchors and aliases, an
 * error next to a quote, bracket or block scalar (they run on past a block), an empty value
 * next to a comment (the whole parse ends it by the comments' indentation).
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
  type YAMLError,
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

/**
 * A block's text parsed alone: its one key-value pair, or for the rest of a section from a
 * block with a syntax error on, its pairs and errors; ranges moved by `at` so far.
 */
interface Block {
  /** The block's own mapping: its end is the end of the whole parse's mapping it ends. */
  map: YAMLMap;
  pairs: Pair[];
  /** Syntax errors and warnings (only in a rest), their `pos` moved with the ranges. */
  errors: YAMLError[];
  warnings: YAMLError[];
  /** Its text: its key in the cache. */
  source: string;
  /** Parsed as a rest: errors allowed. */
  rest: boolean;
  /** Whether it has an empty value (`key:` with nothing after it). */
  hollow: boolean;
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

/**
 * After a syntax error, a quote, bracket, block scalar, tag or directive may run on past the
 * section into the next lines in the whole parse: a rest with an error and one of these is
 * parsed whole.
 */
const FAR_REACHING = /["'[\]{}|>!%?@`]/;

/**
 * The errors a key being typed leaves (no colon yet: alone on its line, or run into the next
 * key's line), which stay within their device.
 */
const TYPING = new Set(["MISSING_CHAR", "MULTILINE_IMPLICIT_KEY"]);

/**
 * Parses a block's text alone; undefined unless it is one clean `key: value` pair, or for a
 * rest, a mapping whose errors cannot reach past it.
 */
function parseBlock(text: string, rest: boolean): Block | undefined {
  if (text.includes("&") || text.includes("*")) return; // anchors and aliases span blocks
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...OPTIONS, lineCounter: lines });
  const problems = doc.errors.length + doc.warnings.length;
  if (problems > 0 && (!rest || FAR_REACHING.test(text))) return;
  const map = doc.contents;
  if (!isMap(map) || map.items.length === 0 || (!rest && map.items.length !== 1)) return;
  return {
    map,
    pairs: map.items as Pair[],
    errors: doc.errors,
    warnings: doc.warnings,
    source: text,
    rest,
    hollow: hasEmptyValue(map),
    lineStarts: lines.lineStarts,
    at: 0,
  };
}

/** Whether there is an empty value (`key:` with nothing after it) under `node`. */
function hasEmptyValue(node: unknown): boolean {
  if (isPair(node)) return hasEmptyValue(node.key) || hasEmptyValue(node.value);
  if (node === null) return true;
  if (isScalar(node)) return node.value === null && node.range?.[0] === node.range?.[1];
  return isCollection(node) && node.items.some(hasEmptyValue);
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

/**
 * A block mapping of `pairs` (one at least) from its first key to `end` (the end of its last
 * value, then of its trailing comments, as resolve-block-map.js counts them).
 */
function mappingOf(pairs: Pair[], end: readonly number[]): YAMLMap {
  const map = new YAMLMap();
  map.items = pairs;
  const start = ((pairs[0] as Pair).key as Node).range?.[0] ?? 0;
  const [, last = start, after = last] = end;
  map.range = [start, last, after];
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
  const errors: YAMLError[] = [];
  const warnings: YAMLError[] = [];
  /** The block of a cut: the last text's, moved into place, or parsed now. */
  const get = (c: Cut, rest = false): Block | undefined => {
    const source = text.slice(c.start, c.end);
    let block = kept.has(source) ? undefined : blocks.get(source);
    if (block?.rest !== rest) block = undefined;
    if (!block) {
      block = parseBlock(source, rest);
      parsed++;
      if (!block) return;
    }
    if (block.at !== c.start) {
      const by = c.start - block.at;
      move(block.map, by);
      for (const e of [...block.errors, ...block.warnings]) e.pos = [e.pos[0] + by, e.pos[1] + by];
      block.at = c.start;
    }
    return block;
  };
  /** Takes a block into this text's tree: its lines, its errors; kept for the next text. */
  const use = (c: Cut, block: Block): Block => {
    if (!kept.has(block.source)) kept.set(block.source, block);
    for (const s of block.lineStarts) {
      const at = s + c.start;
      if (at !== lineStarts[lineStarts.length - 1]) lineStarts.push(at);
    }
    errors.push(...block.errors);
    warnings.push(...block.warnings);
    return block;
  };
  const take = (c: Cut, rest = false): Block | undefined => {
    const block = get(c, rest);
    return block && use(c, block);
  };
  // After an empty value (`clock:`), the whole parse counts the comments after it in the value
  // or not depending on their indentation and what follows; so it does a comment less
  // indented than the devices after a syntax error: parse those whole.
  const unsure = (c: Cut, block: Block) =>
    (block.hollow && text.slice(c.start, c.end).includes("#")) ||
    (c.beforeShallowComment === true && (block.hollow || block.errors.length > 0));
  const top: Pair[] = [];
  let end: readonly number[] = []; // the end of the last section: of the top-level mapping
  for (const section of cuts.sections) {
    if (!section.devices) {
      const block = take(section);
      if (block && unsure(section, block)) return;
      if (block) {
        top.push(...block.pairs);
        end = block.map.range ?? [];
        continue;
      }
      // A section with a syntax error: it and everything after it in one piece.
      const rest = take({ start: section.start, end: text.length }, true);
      if (!rest) return;
      top.push(...rest.pairs);
      end = rest.map.range ?? [];
      break;
    }
    const head = take(section.head); // `devices:`, its value empty: the devices are the value
    if (!head) return;
    const devices: Pair[] = [];
    let devicesEnd: readonly number[] = [];
    const cuts = section.devices;
    for (let k = 0; k < cuts.length; k++) {
      const c = cuts[k] as Cut;
      const block = get(c);
      if (block && !unsure(c, block)) {
        devices.push(...use(c, block).pairs);
        devicesEnd = block.map.range ?? [];
        continue;
      }
      if (block) return;
      // A device with a syntax error: parsed together with the devices after it, up to one
      // that none of its errors reach, so the next block starts where the whole parse's would.
      let j = k + 1;
      let window: Cut;
      let rest: Block | undefined;
      for (;;) {
        if (j >= cuts.length || j - k > 8) j = cuts.length - 1;
        const last = cuts[j] as Cut;
        window = { start: c.start, end: last.end };
        if (last.beforeShallowComment) window.beforeShallowComment = true;
        rest = get(window, true);
        if (!rest) return;
        // Only a key without its colon (what typing a new key makes) is known to stay in its
        // device; other errors may nest the devices after it: then take them all.
        const local = rest.warnings.length === 0 && rest.errors.every((e) => TYPING.has(e.code));
        const reach = Math.max(...rest.errors.map((e) => e.pos[1]));
        if (j === cuts.length - 1 || (local && reach < last.start)) break;
        j++;
      }
      if (unsure(window, rest)) return;
      devices.push(...use(window, rest).pairs);
      devicesEnd = rest.map.range ?? [];
      k = j;
    }
    // A new pair each time: the head's pair is cached and keeps its empty value.
    const map = mappingOf(devices, devicesEnd);
    top.push(new Pair((head.pairs[0] as Pair).key, map));
    const after = map.range?.[2] ?? 0;
    end = [0, after, after];
  }
  blocks = kept;
  const doc = new Document(undefined, OPTIONS) as unknown as Document.Parsed;
  doc.contents = mappingOf(top, end) as Document.Parsed["contents"];
  doc.errors.push(...errors);
  doc.warnings.push(...warnings);
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
