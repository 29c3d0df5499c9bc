/** "Did you mean" hints: the nearest known word within a small edit distance. */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions, so `credentail` is 1 away). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate, or undefined when none is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const dist = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c);
    // Short words need a tighter bound, or `id` would "mean" `ip`.
    const limit = Math.min(2, Math.floor(Math.max(word.length, c.length) / 3));
    if (dist <= limit && dist < bestDist) [best, bestDist] = [c, dist];
  }
  return best;
}

export function didYouMean(word: string, candidates: Iterable<string>, quote = '"'): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : `, did you mean ${quote}${hit}${quote}?`;
}
