/**
 * Among feature rows at one (view, entity, event time), which one a read sees: the
 * greater precedence (a reprocess keeps its original's), then the later committed run,
 * then the later row. Every read that picks one row per event time orders by this.
 */
export const winnerOrder = (f: string, r: string): string =>
  `COALESCE(${r}.precedence, ${r}.committed_at) DESC, ${r}.committed_at DESC, ${f}.id DESC`;
