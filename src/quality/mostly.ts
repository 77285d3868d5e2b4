/**
 * `mostly`, as in Great Expectations: the fraction of looked-at rows that must be as
 * expected for a row-counting expectation to succeed.
 */

export const DEFAULT_MOSTLY = 1;

/**
 * Compared as a success ratio (expected / elementCount >= mostly) rather than
 * unexpected / elementCount <= 1 - mostly: `1 - 0.9` is 0.09999999999999998, which
 * would fail 1 unexpected in 10 rows at mostly 0.9. The epsilon absorbs the rounding of
 * the division itself. An empty column holds vacuously (as in GE).
 */
export function mostlyHolds(unexpected: number, elementCount: number, mostly = DEFAULT_MOSTLY): boolean {
  if (elementCount === 0) return true;
  if (unexpected === 0) return true;
  return (elementCount - unexpected) / elementCount >= mostly - 1e-12;
}

export function unexpectedPercent(unexpected: number, elementCount: number): number {
  return elementCount === 0 ? 0 : (100 * unexpected) / elementCount;
}
