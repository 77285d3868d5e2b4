/**
 * "Did you mean …?" for a misspelt name: the closest candidate within a typo's reach
 * (one or two edits, fewer for short names: 'a' is not a typo of 'sla'), compared
 * without regard to case.
 */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.max(1, Math.floor(word.length / 3))) + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** " — did you mean 'x'?" for a likely typo of a candidate, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = nearestName(word, candidates);
  return best === undefined ? '' : ` — did you mean '${best}'?`;
}

function editDistance(a: string, b: string): number {
  // Names are identifiers of at most 63 characters; anything longer is not a typo.
  if (Math.abs(a.length - b.length) > 2 || a.length > 100) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}
