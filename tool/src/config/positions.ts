/**
 * Source positions from the `yaml` parser's own offsets (node `range`, error `pos`) through a
 * `LineCounter`: never by searching the text.
 */
import type { LineCounter } from "yaml";
import type { SourceSpan } from "./diagnostics.ts";

/** Turns parser offsets into 1-based spans for one document. */
export class Positions {
  constructor(
    private readonly lines: LineCounter,
    private readonly length: number,
  ) {}

  /** The span from offset `start` (inclusive) to `end` (exclusive). */
  span(start: number, end: number): SourceSpan {
    const s = this.lines.linePos(Math.min(Math.max(start, 0), this.length));
    const e = this.lines.linePos(Math.min(Math.max(end, start), this.length));
    return { line: s.line, col: s.col, endLine: e.line, endCol: e.col };
  }

  /** The span of a node's value (without trailing comments), or undefined if it has none. */
  node(node: { range?: readonly [number, number, number] | null } | null | undefined) {
    const range = node?.range;
    return range ? this.span(range[0], range[1]) : undefined;
  }

  /** Whether a node covers no text at all, as the null value of `key:` does. */
  isEmpty(node: { range?: readonly [number, number, number] | null } | null | undefined) {
    const range = node?.range;
    return !range || range[1] <= range[0];
  }

  /** The span at the very start of the text, for problems with no better place. */
  start(): SourceSpan {
    return this.span(0, 0);
  }
}
