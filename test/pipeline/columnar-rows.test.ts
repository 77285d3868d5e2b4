/**
 * The read stage keeps cleansed rows in columns; tests and small callers hand rows as
 * objects. Both forms must validate and transform to exactly the same result: the
 * columnar store is a faster layout of the same rows, never a different answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contract, ExpectationSpec } from '../../src/domain/contract';
import { ColumnarRowsBuilder } from '../../src/pipeline/columnar-rows';
import { toArray, type CleanRows } from '../../src/domain/clean-rows';
import { compileTransform } from '../../src/pipeline/transform';
import type { CleanRow, HistoryPoint } from '../../src/domain/rows';
import type { TypedRow } from '../../src/domain/value';
import { compileChecks } from '../../src/quality/compile';
import { validateBatch } from '../../src/quality/validate';
import { DAY, SCHEMA, T0, contract, ctxOf } from '../quality/fixtures';

const SPECS: ExpectationSpec[] = [
  { expect: 'not_null', column: 'deaths', severity: 'reject', mostly: 0.5 },
  { expect: 'between', column: 'confirmed', min: 0, severity: 'reject' },
  { expect: 'in_set', column: 'code', values: ['a', 'b'], severity: 'warn' },
  { expect: 'non_decreasing', column: 'confirmed', severity: 'reject' },
  { expect: 'increasing', column: 'deaths', severity: 'warn' },
  { expect: 'compound_unique', severity: 'reject' },
  { expect: 'compound_unique', columns: ['date', 'country'], severity: 'warn' },
  { expect: 'compound_unique', columns: ['code', 'active'], severity: 'warn' },
  { expect: 'unique', column: 'code', severity: 'warn' },
  { expect: 'mean_between', column: 'ratio', min: 0, max: 0.5, severity: 'warn' },
  { expect: 'median_between', column: 'confirmed', min: 0, severity: 'warn' },
  { expect: 'distinct_values_in_set', column: 'code', values: ['a', 'b'], severity: 'warn' },
  { expect: 'unique_proportion_between', column: 'country', min: 0.5, severity: 'warn' },
  { expect: 'fresh_within', maxAge: 'P3D', severity: 'warn' },
  { expect: 'row_count_between', min: 1, severity: 'warn' },
];

const FEATURES: Contract['features'] = [
  { name: 'confirmed', column: 'confirmed' },
  { name: 'code', column: 'code' },
  { name: 'active', column: 'active' },
  { name: 'per_death', expr: 'confirmed / (deaths + 1)' },
  { name: 'sum_3', window: { op: 'sum', column: 'confirmed', rows: 3 } },
  { name: 'prev', window: { op: 'lag', column: 'confirmed' } },
];

const arbRows: fc.Arbitrary<CleanRow[]> = fc
  .array(
    fc.record({
      country: fc.constantFrom('fr', 'de', 'it', 'a-long-country-name-to-slice'),
      day: fc.integer({ min: 0, max: 12 }),
      batch: fc.constantFrom('raw_1', 'raw_2'),
      confirmed: fc.option(fc.integer({ min: -3, max: 20 })),
      deaths: fc.option(fc.integer({ min: 0, max: 5 })),
      code: fc.option(fc.constantFrom('a', 'b', 'c', '')),
      ratio: fc.option(fc.double({ min: -1, max: 1, noNaN: true })),
      active: fc.option(fc.boolean()),
      seen: fc.option(fc.integer({ min: 0, max: 10 * DAY })),
    }),
    { maxLength: 60 },
  )
  .map((recs) =>
    recs.map((r, i) => {
      const values: TypedRow = {
        country: r.country,
        date: T0 + r.day * DAY,
        confirmed: r.confirmed,
        deaths: r.deaths,
        code: r.code,
        ratio: r.ratio,
        active: r.active,
        seen_at: r.seen === null ? null : T0 + r.seen,
      };
      return {
        rowNumber: i + 1,
        rawBatchId: r.batch,
        values,
        entityKey: JSON.stringify(r.country),
        eventTime: T0 + r.day * DAY,
      };
    }),
  );

function columnar(rows: CleanRow[]): CleanRows {
  const b = new ColumnarRowsBuilder({
    columns: SCHEMA,
    eventTime: 'date',
    keyColumns: ['country'],
    entityKey: (values) => JSON.stringify(values.country),
  });
  for (const r of rows) b.append(r.values, r.rowNumber, r.rawBatchId);
  return b.finish();
}

const history = new Map<string, HistoryPoint[]>([
  ['"fr"', [{ eventTime: T0 - DAY, values: { confirmed: 4 } }]],
]);

describe('columnar rows', () => {
  it('give back every row as it was appended', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const back = toArray(columnar(rows));
        expect(back).toEqual(rows);
      }),
    );
  });

  it('number entities by their encoded key, whatever the key columns', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const encode = (v: TypedRow) => JSON.stringify([v.country, v.date]);
        const b = new ColumnarRowsBuilder({
          columns: SCHEMA,
          eventTime: 'date',
          keyColumns: ['country', 'date'],
          entityKey: encode,
        });
        for (const r of rows) b.append(r.values, r.rowNumber, r.rawBatchId);
        const built = b.finish();
        const keys = rows.map((r) => encode(r.values));
        expect(rows.map((_, i) => built.entityKey(i))).toEqual(keys);
        // Ids in order of first appearance, one per distinct key.
        expect(built.entityKeys).toEqual([...new Set(keys)]);
        expect(rows.map((_, i) => built.entityKeys[built.entityId(i)])).toEqual(keys);
      }),
    );
  });

  it('validate exactly as the same rows given as objects', () => {
    const checks = compileChecks(contract(SPECS));
    fc.assert(
      fc.property(arbRows, (rows) => {
        const ctx = ctxOf({
          now: T0 + 5 * DAY,
          previous: new Map([['"de"', { eventTime: T0 - DAY, values: { confirmed: 7 } }]]),
        });
        const a = validateBatch(checks, rows, ctx);
        const b = validateBatch(checks, columnar(rows), ctx);
        expect(b.report).toEqual(a.report);
        expect(b.rejected).toEqual(a.rejected);
        expect(toArray(b.accepted)).toEqual(toArray(a.accepted));
        // Text columns are profiled from dictionary codes here, cell by cell there: the same profiles.
        expect(b.profiles).toEqual(a.profiles);
      }),
      { numRuns: 200 },
    );
  });

  it('transform exactly as the same rows given as objects', () => {
    const transform = compileTransform({ ...contract([]), features: FEATURES });
    fc.assert(
      fc.property(arbRows, (rows) => {
        expect(transform(columnar(rows), history)).toEqual(transform(rows, history));
      }),
      { numRuns: 200 },
    );
  });
});
