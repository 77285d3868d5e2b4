import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contract';
import { InputError } from '../../src/errors';
import { compileCleanser, type CleanseResult } from '../../src/pipeline/cleanse';
import type { CleanRow } from '../../src/domain/rows';
import type { RawRecord } from '../../src/domain/value';
import type { RejectReason } from '../../src/domain/reject';

function contract(over: Partial<Contract> = {}): Contract {
  return {
    name: 'country_daily',
    version: '1.0.0',
    owner: 'epidemiology',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'csv' },
    schema: [
      { name: 'date', type: 'date', required: true },
      { name: 'country', type: 'string', required: true, from: 'Country/Region' },
      { name: 'confirmed', type: 'integer', required: true },
      { name: 'deaths', type: 'integer' },
      { name: 'rate', type: 'number' },
      { name: 'reported', type: 'boolean' },
      { name: 'at', type: 'timestamp' },
    ],
    expectations: [],
    features: [{ name: 'confirmed', column: 'confirmed' }],
    ...over,
  };
}

const source = (raw: RawRecord, rowNumber = 1) => ({ rowNumber, rawBatchId: 'batch-1', raw });
const good = {
  date: '2021-03-01',
  'Country/Region': 'US',
  confirmed: '10',
  deaths: '1',
  rate: '0.5',
  reported: 'yes',
  at: '',
};

function ok(result: CleanseResult): CleanRow {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.reasons)}`);
  return result.row;
}
function reasons(result: CleanseResult): RejectReason[] {
  if (result.ok) throw new Error('expected a reject');
  return result.reasons;
}

describe('compileCleanser', () => {
  it('types every column, computes entity key and event time, keeps lineage', () => {
    const row = ok(compileCleanser(contract())(source(good, 7)));
    expect(row.values).toEqual({
      date: Date.UTC(2021, 2, 1),
      country: 'US',
      confirmed: 10,
      deaths: 1,
      rate: 0.5,
      reported: true,
      at: null,
    });
    expect(row.entityKey).toBe('"US"');
    expect(row.eventTime).toBe(Date.UTC(2021, 2, 1));
    expect(row.rowNumber).toBe(7);
    expect(row.rawBatchId).toBe('batch-1');
    expect(row.raw).toBe(good);
  });

  it('maps source headers through `from` and drops fields outside the schema', () => {
    const row = ok(compileCleanser(contract())(source({ ...good, extra: 'x', country: 'ignored' })));
    expect(row.values.country).toBe('US');
    expect(row.values).not.toHaveProperty('extra');
  });

  it('trims text before reading it', () => {
    const row = ok(
      compileCleanser(contract())(source({ ...good, 'Country/Region': '  FR ', confirmed: ' 12 ' })),
    );
    expect(row.values.country).toBe('FR');
    expect(row.values.confirmed).toBe(12);
  });

  it.each(['', 'NA', 'null', 'NULL', 'N/A', '  NA  '])('reads the default null token %j as null', (token) => {
    expect(ok(compileCleanser(contract())(source({ ...good, deaths: token }))).values.deaths).toBeNull();
  });

  it('uses the contract null tokens instead of the defaults', () => {
    const clean = compileCleanser(contract({ source: { type: 'csv', nullValues: ['-'] } }));
    const row = { ...good, at: '-' };
    expect(ok(clean(source({ ...row, deaths: '-' }))).values.deaths).toBeNull();
    expect(ok(clean(source({ ...row, 'Country/Region': 'NA' }))).values.country).toBe('NA'); // Namibia
    expect(reasons(clean(source({ ...row, deaths: 'NA' })))).toEqual([
      { rule: 'coerce', column: 'deaths', message: "cannot read 'NA' as integer", value: 'NA' },
    ]);
    expect(reasons(clean(source(good)))[0]).toMatchObject({
      column: 'at',
      message: "cannot read '' as timestamp",
    });
  });

  it('treats a missing field as null', () => {
    const { deaths: _omit, ...rest } = good;
    expect(ok(compileCleanser(contract())(source(rest))).values.deaths).toBeNull();
  });

  it('rejects a null required column with rule required', () => {
    expect(reasons(compileCleanser(contract())(source({ ...good, confirmed: 'NA' })))).toEqual([
      { rule: 'required', column: 'confirmed', message: 'confirmed is required', value: 'NA' },
    ]);
  });

  it('requires key and event-time columns even when the schema does not say so', () => {
    const schema = contract().schema.map((c) => ({ ...c, required: false }));
    const clean = compileCleanser(contract({ schema }));
    expect(reasons(clean(source({ ...good, 'Country/Region': '' })))[0]).toMatchObject({
      rule: 'required',
      column: 'country',
    });
    expect(reasons(clean(source({ ...good, date: undefined })))[0]).toMatchObject({
      rule: 'required',
      column: 'date',
      value: null,
    });
  });

  it('gives one reason per failing column', () => {
    const bad = {
      ...good,
      confirmed: '1.5',
      deaths: 'abc',
      rate: 'NaN',
      reported: 'maybe',
      at: 'noon',
      date: '2021-02-30',
    };
    expect(reasons(compileCleanser(contract())(source(bad)))).toEqual([
      { rule: 'coerce', column: 'date', message: "cannot read '2021-02-30' as date", value: '2021-02-30' },
      { rule: 'coerce', column: 'confirmed', message: "cannot read '1.5' as integer", value: '1.5' },
      { rule: 'coerce', column: 'deaths', message: "cannot read 'abc' as integer", value: 'abc' },
      { rule: 'coerce', column: 'rate', message: "cannot read 'NaN' as number", value: 'NaN' },
      { rule: 'coerce', column: 'reported', message: "cannot read 'maybe' as boolean", value: 'maybe' },
      { rule: 'coerce', column: 'at', message: "cannot read 'noon' as timestamp", value: 'noon' },
    ]);
  });

  it('reads typed JSON values, holding them to the column type', () => {
    const clean = compileCleanser(contract({ source: { type: 'jsonl' } }));
    const json = {
      date: '2021-03-01',
      'Country/Region': 'US',
      confirmed: 10,
      deaths: null,
      rate: 2,
      reported: false,
      at: 1_614_600_000_000,
    };
    expect(ok(clean(source(json))).values).toMatchObject({
      confirmed: 10,
      deaths: null,
      rate: 2,
      reported: false,
      at: 1_614_600_000_000,
    });
    expect(reasons(clean(source({ ...json, confirmed: 10.5 })))[0]).toMatchObject({
      rule: 'coerce',
      column: 'confirmed',
      message: 'cannot read 10.5 as integer',
      value: 10.5,
    });
    expect(reasons(clean(source({ ...json, 'Country/Region': 840 })))[0]).toMatchObject({
      column: 'country',
    });
    expect(reasons(clean(source({ ...json, deaths: [1] })))[0]).toMatchObject({ column: 'deaths' });
  });

  it('builds composite keys from typed values in key order', () => {
    const row = ok(
      compileCleanser(contract({ entity: { name: 'cd', key: ['country', 'date'] } }))(source(good)),
    );
    expect(row.entityKey).toBe(`["US",${Date.UTC(2021, 2, 1)}]`);
  });

  it('refuses contracts whose key or event time it cannot compute', () => {
    expect(() => compileCleanser(contract({ eventTime: 'confirmed' }))).toThrow(InputError);
    expect(() => compileCleanser(contract({ entity: { name: 'x', key: ['nope'] } }))).toThrow(/nope/);
  });

  it('cleanses a large batch quickly (hot path)', () => {
    const clean = compileCleanser(contract());
    const started = performance.now();
    let kept = 0;
    for (let i = 0; i < 200_000; i++) {
      if (clean(source({ ...good, confirmed: String(i) }, i)).ok) kept++;
    }
    expect(kept).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
