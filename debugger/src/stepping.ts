/**
 * Steps over `await`. XS marks the frames that exist when a step is sent; an async function
 * that awaits leaves its frame, and resumes later in a new one that is not marked, so XS's
 * `step` alone would run on to the next breakpoint. For such a step the adapter also puts
 * breakpoints, for that step only, on the lines of code of the function it is in: whichever
 * comes first, XS's step or one of those lines once the await has resolved, is the stop.
 *
 * The function is found in the bundle's text, which esbuild prints one statement a line with
 * blocks indented two spaces more than their opener: the nearest opener above with less
 * indentation that starts a function (a declaration, a method, an arrow with a block), and
 * the `}` at its indentation below. Functions nested in it are left out: stepping over a line
 * that makes a callback does not stop in the callback.
 */

const indentOf = (s: string) => s.length - s.trimStart().length;

const CONTROL = /^(?:if|for|while|switch|catch|with|else|do|try|finally)\b/;
const FUNCTION_OPENER = /\bfunction\b[^=]*\(.*\)\s*\{$|=>\s*\{$/;
const METHOD_OPENER = /^(?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?\*?[#\w$]+\s*\(.*\)\s*\{$/;

/** Whether a bundle line opens a function's body. */
export function opensFunction(line: string): boolean {
  const t = line.trim();
  if (!t.endsWith("{") || CONTROL.test(t) || t.startsWith("}")) return false;
  return FUNCTION_OPENER.test(t) || METHOD_OPENER.test(t);
}

/** The line (1-based) of the `}` closing the block `open` (1-based) opens; undefined if none. */
function closingLine(lines: readonly string[], open: number): number | undefined {
  const indent = indentOf(lines[open - 1] ?? "");
  for (let j = open + 1; j <= lines.length; j++) {
    const l = lines[j - 1] as string;
    if (l.trim() !== "" && indentOf(l) === indent && l.trimStart().startsWith("}")) return j;
    if (l.trim() !== "" && indentOf(l) < indent) return undefined;
  }
  return undefined;
}

/**
 * The lines (1-based) of the function holding bundle line `at`, without those of functions
 * nested in it; undefined when `at` is in no function the bundle's layout shows.
 */
export function functionLines(lines: readonly string[], at: number): number[] | undefined {
  const here = lines[at - 1];
  if (here === undefined) return undefined;
  let indent = indentOf(here);
  let opener: number | undefined;
  for (let i = at - 1; i >= 1 && indent > 0; i--) {
    const l = lines[i - 1] as string;
    if (l.trim() === "" || indentOf(l) >= indent) continue;
    indent = indentOf(l);
    if (opensFunction(l)) {
      opener = i;
      break;
    }
  }
  if (opener === undefined) return undefined;
  const end = closingLine(lines, opener);
  if (end === undefined || end < at) return undefined;
  const out: number[] = [];
  for (let j = opener + 1; j < end; j++) {
    // A line that makes a function is a statement of this one; the body it opens is not.
    out.push(j);
    if (opensFunction(lines[j - 1] as string)) {
      const nestedEnd = closingLine(lines, j);
      if (nestedEnd !== undefined && nestedEnd < end) j = nestedEnd;
    }
  }
  return out;
}

/** Whether a bundle line holds an `await` (or a `yield`) a step would not see through. */
export const suspends = (line: string | undefined): boolean =>
  line !== undefined && /\b(?:await|yield)\b/.test(line);
