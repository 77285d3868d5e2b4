/**
 * Duplicate mapping keys, found in one pass. yaml's own `uniqueKeys` check compares
 * each key with every earlier key of its mapping: a 650 KB contract holding one
 * mapping of 40,000 keys took 76 s to parse, blocking the server that read it. Here
 * each mapping keeps a set of its scalar keys (yaml's rule too: scalar keys equal by
 * value, other keys never), so parsing stays linear in the text.
 */
import { type Document, isMap, isScalar, visit } from 'yaml';

export interface DuplicateKey {
  /** The key as written. */
  key: string;
  /** Where the repeated key starts in the text. */
  offset: number;
}

/** Every key that repeats an earlier key of the same mapping, in document order. */
export function duplicateKeys(doc: Document): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value))
          out.push({ key: pair.key.source ?? String(pair.key.value), offset: pair.key.range?.[0] ?? 0 });
        else seen.add(pair.key.value);
      }
    },
  });
  return out;
}
