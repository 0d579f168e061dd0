/**
 * Did-you-mean: the closest candidate by optimal-string-alignment (restricted
 * Damerau-Levenshtein) distance of at most 2, else a candidate that the word is a prefix of
 * (or that is a prefix of the word). Comparison ignores case.
 */

/** Edit distance with insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The best near miss of `word` among `candidates`, or undefined when none is close. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  if (w === "") return undefined;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    let score = editDistance(w, c);
    // A distance as large as the word itself means "replace everything": not a near miss.
    if (score > 2 || score >= w.length) score = Number.POSITIVE_INFINITY;
    // A prefix either way ("cons" for "console") counts as one edit.
    if (w.length >= 2 && (c.startsWith(w) || w.startsWith(c))) score = Math.min(score, 1);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
