/**
 * The bundle's source map, read both ways: a TypeScript line to the bundle lines that hold its
 * code (breakpoints), and a bundle line to the TypeScript position it came from (stack frames).
 * XS knows only the bundle: it records one path for it (the bundle's file name) and counts
 * lines; it reads no source map of ours.
 *
 * The decoder is ours (Source Map revision 3, `mappings` in base64 VLQ): no source-map library
 * is installed in the checkout, Node's built-in `module.SourceMap` answers only bundle ->
 * source (findEntry), and the format's part we need is a page of code. The unit test checks
 * every decoded segment against Node's SourceMap.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** One mapping: a bundle position and the source position it came from (all 0-based). */
export interface Segment {
  generatedLine: number;
  generatedColumn: number;
  source: number;
  originalLine: number;
  originalColumn: number;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/**
 * Decodes a `mappings` string into segments with a source, in bundle order. Segments of one
 * field (a bundle column with no source) are skipped: nothing maps there.
 */
export function decodeMappings(mappings: string): Segment[] {
  const out: Segment[] = [];
  let line = 0;
  let column = 0;
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  let i = 0;
  const fields: number[] = [];
  const vlq = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const c = mappings[i];
      const digit = c === undefined ? undefined : DIGIT.get(c);
      if (digit === undefined) throw new Error(`source map: a bad VLQ digit at ${i}`);
      i++;
      value += (digit & 31) * 2 ** shift;
      shift += 5;
      if ((digit & 32) === 0) break;
    }
    // The lowest bit is the sign.
    return value % 2 === 1 ? -(value - 1) / 2 : value / 2;
  };
  while (i < mappings.length) {
    const c = mappings[i];
    if (c === ";") {
      line++;
      column = 0;
      i++;
      continue;
    }
    if (c === ",") {
      i++;
      continue;
    }
    fields.length = 0;
    while (i < mappings.length && mappings[i] !== "," && mappings[i] !== ";") fields.push(vlq());
    column += fields[0] ?? 0;
    // A fifth field (an index into `names`) is not needed here.
    if (fields.length >= 4) {
      source += fields[1] as number;
      originalLine += fields[2] as number;
      originalColumn += fields[3] as number;
      out.push({
        generatedLine: line,
        generatedColumn: column,
        source,
        originalLine,
        originalColumn,
      });
    }
  }
  return out;
}

/** A path as the map's keys hold it: absolute, symbolic links resolved when it exists. */
export function canonicalPath(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    return abs;
  }
}

/** A TypeScript (or other source) position, 1-based line and column. */
export interface SourcePosition {
  path: string;
  line: number;
  column: number;
}

export class BundleMap {
  /** Absolute source paths, by the map's source index. */
  readonly sources: string[];
  /** Per bundle line (0-based): the first segment on it. */
  private readonly firstOnLine = new Map<number, Segment>();
  /** Per source path, per source line (0-based): the bundle lines (0-based) holding its code. */
  private readonly bySource = new Map<string, Map<number, number[]>>();

  constructor(
    /** The bundle's path (absolute). */
    readonly bundle: string,
    map: { sources: string[]; sourceRoot?: string; mappings: string },
    mapDir: string,
  ) {
    this.sources = map.sources.map((s) => canonicalPath(resolve(mapDir, map.sourceRoot ?? "", s)));
    for (const seg of decodeMappings(map.mappings)) {
      if (!this.firstOnLine.has(seg.generatedLine)) this.firstOnLine.set(seg.generatedLine, seg);
      const path = this.sources[seg.source];
      if (path === undefined) continue;
      let lines = this.bySource.get(path);
      if (!lines) {
        lines = new Map();
        this.bySource.set(path, lines);
      }
      const at = lines.get(seg.originalLine);
      if (!at) lines.set(seg.originalLine, [seg.generatedLine]);
      else if (!at.includes(seg.generatedLine)) at.push(seg.generatedLine);
    }
  }

  /**
   * The map of a bundle: the file its `//# sourceMappingURL=` names, else `BUNDLE.map`;
   * undefined when there is none.
   */
  static load(bundle: string): BundleMap | undefined {
    const text = readFileSync(bundle, "utf8");
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    const candidates = [
      ...(url && !url.startsWith("data:") ? [join(dirname(bundle), decodeURI(url))] : []),
      `${bundle}.map`,
    ];
    const path = candidates.find((p) => existsSync(p));
    if (!path) return undefined;
    return new BundleMap(resolve(bundle), JSON.parse(readFileSync(path, "utf8")), dirname(path));
  }

  /** Whether `path` (any spelling) is one of the map's sources. */
  has(path: string): boolean {
    return this.bySource.has(canonicalPath(path));
  }

  /** The bundle lines (1-based, ascending) holding code of `path`'s `line` (1-based). */
  bundleLines(path: string, line: number): number[] {
    const at = this.bySource.get(canonicalPath(path))?.get(line - 1) ?? [];
    return at.map((l) => l + 1).sort((a, b) => a - b);
  }

  /** The first line at or after `line` (1-based) of `path` that has code, within `span` lines. */
  nextLineWithCode(path: string, line: number, span = 50): number | undefined {
    const lines = this.bySource.get(canonicalPath(path));
    if (!lines) return undefined;
    for (let l = line; l < line + span; l++) if (lines.has(l - 1)) return l;
    return undefined;
  }

  /** Where bundle line `line` (1-based) came from; undefined when nothing maps there. */
  original(line: number): SourcePosition | undefined {
    const seg = this.firstOnLine.get(line - 1);
    const path = seg && this.sources[seg.source];
    if (!seg || path === undefined) return undefined;
    return { path, line: seg.originalLine + 1, column: seg.originalColumn + 1 };
  }
}
