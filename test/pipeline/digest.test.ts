import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalLine,
  canonicalValuesJson,
  compareFeatureRows,
  createDigester,
  outputDigest,
} from '../../src/pipeline/digest';
import type { FeatureRow } from '../../src/domain/rows';
import type { Value } from '../../src/domain/value';

const fr = (
  entityKey: string,
  eventTime: number,
  values: Record<string, Value>,
  lineage = 1,
): FeatureRow => ({
  entityKey,
  eventTime,
  values,
  rowNumber: lineage,
  rawBatchId: `batch-${lineage}`,
});

const ROWS = [
  fr('"US"', 2, { a: 1, b: 'x' }),
  fr('"FR"', 1, { a: 0.5, b: null }),
  fr('"US"', 1, { a: -3, b: true }),
];

describe('outputDigest', () => {
  it('is a sha256 hex string', () => {
    expect(outputDigest(ROWS)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on row order', () => {
    const rows = fc.uniqueArray(
      fc.record({
        key: fc.constantFrom('"A"', '"B"', '"a"', '10', '9', '["x",1]'),
        t: fc.integer({ min: 0, max: 20 }),
        v: fc.oneof(
          fc.constant(null),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.string(),
          fc.boolean(),
        ),
      }),
      { selector: (r) => `${r.key}@${r.t}`, maxLength: 30 },
    );
    fc.assert(
      fc.property(rows, fc.infiniteStream(fc.nat()), (rs, seeds) => {
        const featureRows = rs.map((r) => fr(r.key, r.t, { v: r.v }));
        const shuffled = featureRows
          .map((r) => ({ r, k: seeds.next().value }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.r);
        expect(outputDigest(shuffled)).toBe(outputDigest(featureRows));
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on value key order or lineage', () => {
    const a = [fr('"US"', 1, { x: 1, y: 2 }, 1)];
    const b = [fr('"US"', 1, { y: 2, x: 1 }, 7)];
    expect(outputDigest(a)).toBe(outputDigest(b));
  });

  it('changes when any value, key or time changes', () => {
    const base = outputDigest(ROWS);
    expect(outputDigest([...ROWS.slice(0, 2), fr('"US"', 1, { a: -3, b: false })])).not.toBe(base);
    expect(outputDigest([...ROWS.slice(0, 2), fr('"US"', 1, { a: '-3', b: true })])).not.toBe(base);
    expect(outputDigest([...ROWS.slice(0, 2), fr('"US"', 3, { a: -3, b: true })])).not.toBe(base);
    expect(outputDigest([...ROWS.slice(0, 2), fr('"UK"', 1, { a: -3, b: true })])).not.toBe(base);
    expect(outputDigest(ROWS.slice(0, 2))).not.toBe(base);
  });

  it('writes numbers stably (-0 as 0) and a missing value as null', () => {
    expect(canonicalLine(fr('1', 5, { b: -0, a: 1e21, c: 0.1 }))).toBe('["1",5,{"a":1e+21,"b":0,"c":0.1}]\n');
    expect(outputDigest([fr('1', 5, { a: -0 })])).toBe(outputDigest([fr('1', 5, { a: 0 })]));
  });

  it('refuses values that have no stable form', () => {
    expect(() => outputDigest([fr('1', 5, { a: Number.NaN })])).toThrow(TypeError);
  });
});

describe('createDigester', () => {
  it('matches outputDigest when fed in canonical order, holding no rows', () => {
    const digester = createDigester();
    for (const row of [...ROWS].sort(compareFeatureRows)) digester.add(row);
    expect(digester.digest()).toBe(outputDigest(ROWS));
  });

  it('orders entity keys by code unit, not by locale or number', () => {
    const sorted = [fr('9', 1, {}), fr('10', 1, {}), fr('"a"', 1, {}), fr('"B"', 1, {})].sort(
      compareFeatureRows,
    );
    expect(sorted.map((r) => r.entityKey)).toEqual(['"B"', '"a"', '10', '9']);
  });

  it('throws on rows out of order or repeated', () => {
    const d = createDigester();
    d.add(fr('"US"', 2, {}));
    expect(() => d.add(fr('"US"', 1, {}))).toThrow(/order/);
    expect(() => d.add(fr('"US"', 2, {}))).toThrow(/without duplicates/);
    expect(() => d.add(fr('"FR"', 9, {}))).toThrow(/order/);
  });
});

describe('digest stability', () => {
  it('is byte-for-byte the digest of earlier releases (stored digests stay comparable)', () => {
    const rows = [
      fr('"US"', 1, { z: 1.5, a: 'x"y', m: null, b: true }),
      fr('"US"', 2, { z: -0, a: 'é', m: 1e21, b: false }),
      fr('["a",1]', 3, { z: 0.1, a: '', m: 123456789.123, b: null }),
      fr('"ZZ"', 9, { z: 2, a: 'q', m: -5 }),
    ];
    expect(outputDigest(rows)).toBe('4ccb536572eb47c7aa2e60c6e14c7a3a3ba78b5539a17f763dd616acab416cb0');
  });

  it('add() returns the canonical JSON of the values it hashed, which parses back to them', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          // Letter keys: JSON.stringify would put integer-like keys first, whatever the sort.
          fc.stringMatching(/^[a-z_]{1,6}$/),
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.string(),
            fc.boolean(),
            fc.constant(null),
          ),
        ),
        (values) => {
          const json = createDigester().add(fr('"k"', 1, values));
          expect(json).toBe(canonicalValuesJson(values));
          const sorted = Object.fromEntries(
            Object.keys(values)
              .sort()
              .map((k) => [k, values[k]]),
          );
          expect(json).toBe(JSON.stringify(sorted));
          expect(canonicalLine(fr('"k"', 1, values))).toBe(`["\\"k\\"",1,${json}]\n`);
        },
      ),
    );
  });

  it('rows whose keys are already sorted (the engine writes them) hash and serialise exactly as any other order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/),
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.string(),
            fc.boolean(),
            fc.constant(null),
          ),
        ),
        (values) => {
          const keys = Object.keys(values);
          const sorted = Object.fromEntries([...keys].sort().map((k) => [k, values[k]!]));
          const reversed = Object.fromEntries(
            [...keys]
              .sort()
              .reverse()
              .map((k) => [k, values[k]!]),
          );
          const a = createDigester();
          const b = createDigester();
          expect(a.add(fr('"k"', 1, sorted))).toBe(b.add(fr('"k"', 1, reversed)));
          expect(a.add(fr('"k"', 2, sorted))).toBe(canonicalValuesJson(values));
          b.add(fr('"k"', 2, reversed));
          expect(a.digest()).toBe(b.digest());
        },
      ),
    );
  });

  it('sorted rows with a non-finite number still refuse, and an undefined value still reads null', () => {
    expect(() => createDigester().add(fr('"k"', 1, { a: 1, b: Number.POSITIVE_INFINITY }))).toThrow(
      TypeError,
    );
    expect(createDigester().add(fr('"k"', 1, { a: 1, b: undefined as unknown as Value }))).toBe(
      '{"a":1,"b":null}',
    );
  });
});
