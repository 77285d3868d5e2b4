/**
 * Reading one source cell before it is typed: an absent field is null, text is trimmed
 * and a null token (after trimming, case-sensitive) becomes null. Cleansing reads every
 * cell this way and entity-key input from a query reads each key part this way, so a
 * key part that a file could store is the key part a query names (entity-key.ts).
 */
import type { Contract } from '../domain/contract';
import type { Coercer } from './coerce';

export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'null', 'NULL', 'N/A'];

/** The contract's null tokens, trimmed as cells are. */
export function nullTokensOf(contract: Contract): ReadonlySet<string> {
  return new Set((contract.source.nullValues ?? DEFAULT_NULL_VALUES).map((t) => t.trim()));
}

export function readCell(
  raw: unknown,
  coerce: Coercer,
  nullTokens: ReadonlySet<string>,
): ReturnType<Coercer> {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') {
    const text = raw.trim();
    return nullTokens.has(text) ? null : coerce(text);
  }
  return coerce(raw);
}
