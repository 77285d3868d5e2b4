/**
 * How big a contract may be, in one place. Every schema column is cleansed, every
 * expectation checked and every feature computed for every row a run reads, so a run's
 * time and memory grow with their number times the rows: a 5,000-feature contract made
 * a 10,000-record ingest take over a minute at 2.5 GB, blocking the server meanwhile.
 * The bounds sit far above what a hand-written, reviewed contract needs, and low
 * enough that the largest contract allowed runs a maximum ingest in seconds while the
 * API stays responsive (test/faults/oversized-contract.fault.ts).
 *
 * Checked before anything else reads the document (meta-schema, semantic checks,
 * compiling), so an oversized contract costs one count per list.
 */
import { finding, type Finding } from './locate';

export const CONTRACT_LIMITS = {
  /**
   * YAML text, checked before it is parsed (and, for a file, before it is read).
   * Parsing costs about 1 µs a byte, on the thread that serves requests (applyContract):
   * 256 KiB is a few hundred times the largest hand-written contract, and parses in a
   * fraction of a second.
   */
  bytes: 256 * 1024,
  /** YAML aliases expanded; a low bound stops "billion laughs" long before it costs memory. */
  aliases: 10,
  schemaColumns: 500,
  expectations: 500,
  features: 500,
  filters: 100,
} as const;

/** The refusal of a text over the byte bound. */
export function bytesMessage(bytes: number): string {
  const limit = CONTRACT_LIMITS.bytes;
  return `contract file is ${bytes} bytes; the limit is ${limit} bytes (${limit / 1024} KiB)`;
}

/** The lists counted, with why each is bounded (lint says it). */
const COUNTED = [
  {
    key: 'schema',
    noun: 'schema columns',
    limit: CONTRACT_LIMITS.schemaColumns,
    why: 'every column is read and cleansed for every row',
  },
  {
    key: 'expectations',
    noun: 'expectations',
    limit: CONTRACT_LIMITS.expectations,
    why: 'every expectation is checked against every row',
  },
  {
    key: 'features',
    noun: 'features',
    limit: CONTRACT_LIMITS.features,
    why: 'every feature is computed and stored for every row',
  },
  {
    key: 'filters',
    noun: 'filters',
    limit: CONTRACT_LIMITS.filters,
    why: 'every filter is evaluated for every row',
  },
] as const;

/**
 * One finding per list over its bound, at the list's key, e.g. `/features: 5000
 * features; the limit is 500 (every feature is computed and stored for every row, so
 * a run's time and memory grow with features × rows)`. A list that is not an array is
 * left to the meta-schema.
 */
export function sizeFindings(doc: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  for (const { key, noun, limit, why } of COUNTED) {
    const value = doc[key];
    if (!Array.isArray(value) || value.length <= limit) continue;
    const message = `${value.length} ${noun}; the limit is ${limit} (${why}, so a run's time and memory grow with ${noun} × rows)`;
    out.push(finding(`/${key}`, message, 'key'));
  }
  return out;
}
