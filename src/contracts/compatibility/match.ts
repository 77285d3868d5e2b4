/**
 * Pairs list items across two versions by identity (a column's name, an
 * expectation's `expect` + columns), never by index: moving an item is a
 * reordering, not a removal plus an addition.
 */
import { same } from './change';

export interface Matched<T> {
  pairs: Array<{ base: T; head: T; baseIndex: number; headIndex: number }>;
  removed: T[];
  added: T[];
  /** True when the matched items appear in a different relative order. */
  reordered: boolean;
}

/**
 * Items sharing a key are paired exact-match first, then in order of appearance, so
 * two `between` checks on the same column (a warn and a reject) stay distinguishable.
 */
export function matchByKey<T>(base: readonly T[], head: readonly T[], key: (item: T) => string): Matched<T> {
  const headLeft = new Map<string, number[]>();
  head.forEach((item, i) => push(headLeft, key(item), i));
  const pairs: Matched<T>['pairs'] = [];
  const baseUnpaired: number[] = [];
  // Pass 1: identical items.
  base.forEach((item, i) => {
    const candidates = headLeft.get(key(item)) ?? [];
    const exact = candidates.findIndex((j) => same(head[j], item));
    if (exact < 0) return baseUnpaired.push(i);
    pairs.push({ base: item, head: head[candidates[exact]!]!, baseIndex: i, headIndex: candidates[exact]! });
    candidates.splice(exact, 1);
  });
  // Pass 2: same identity, different content, in order.
  const removed: T[] = [];
  for (const i of baseUnpaired) {
    const item = base[i]!;
    const j = headLeft.get(key(item))?.shift();
    if (j === undefined) removed.push(item);
    else pairs.push({ base: item, head: head[j]!, baseIndex: i, headIndex: j });
  }
  const pairedHead = new Set(pairs.map((p) => p.headIndex));
  const added = head.filter((_, j) => !pairedHead.has(j));
  return { pairs, removed, added, reordered: isReordered(pairs) };
}

function push(map: Map<string, number[]>, k: string, i: number): void {
  const list = map.get(k);
  if (list) list.push(i);
  else map.set(k, [i]);
}

function isReordered(pairs: Array<{ baseIndex: number; headIndex: number }>): boolean {
  const byHead = [...pairs].sort((a, b) => a.headIndex - b.headIndex);
  return byHead.some((p, i) => i > 0 && p.baseIndex < byHead[i - 1]!.baseIndex);
}
