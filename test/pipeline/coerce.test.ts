import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/domain/contract';
import { coerceMessage, coercerFor, formatTemporal, INVALID } from '../../src/pipeline/coerce';

const read = (type: ColumnType, raw: unknown) => coercerFor(type)(raw);
const DAY = 86_400_000;

describe('integer', () => {
  it.each([
    ['42', 42],
    ['-7', -7],
    ['+3', 3],
    ['007', 7],
    [12, 12],
    ['9007199254740991', 9007199254740991],
  ])('reads %j', (raw, want) => expect(read('integer', raw)).toBe(want));

  it.each(['1.5', '1.0', '1e3', '1,000', '0x10', 'abc', ' ', '9007199254740992', 1.5, true, {}, [1]])(
    'refuses %j',
    (raw) => expect(read('integer', raw)).toBe(INVALID),
  );
});

describe('number', () => {
  it.each([
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    [3.25, 3.25],
  ])('reads %j', (raw, want) => expect(read('number', raw)).toBe(want));

  it.each([
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '1,5',
    '0x10',
    '',
    'abc',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    false,
  ])('refuses %j', (raw) => expect(read('number', raw)).toBe(INVALID));
});

describe('boolean', () => {
  it.each([
    ['true', true],
    ['FALSE', false],
    ['Yes', true],
    ['no', false],
    ['1', true],
    ['0', false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
  ])('reads %j', (raw, want) => expect(read('boolean', raw)).toBe(want));

  it.each(['t', 'y', '2', 'maybe', 'on', 2])('refuses %j', (raw) =>
    expect(read('boolean', raw)).toBe(INVALID),
  );
});

describe('date', () => {
  it('reads YYYY-MM-DD as UTC midnight', () => {
    expect(read('date', '2021-03-01')).toBe(Date.UTC(2021, 2, 1));
    expect(read('date', '2020-02-29')).toBe(Date.UTC(2020, 1, 29));
    expect(read('date', '1970-01-01')).toBe(0);
    expect(read('date', '1969-12-31')).toBe(-DAY);
  });

  it('handles years below 100 (Date.UTC would map them to 19xx)', () => {
    expect(formatTemporal(read('date', '0050-06-01') as number, 'date')).toBe('0050-06-01');
  });

  it('accepts a UTC-midnight epoch number (a stored date coming back)', () => {
    expect(read('date', 18_000 * DAY)).toBe(18_000 * DAY);
    expect(read('date', 18_000 * DAY + 1)).toBe(INVALID);
  });

  it.each([
    '2021-02-30',
    '2021-02-29',
    '1900-02-29',
    '2021-13-01',
    '2021-00-10',
    '2021-1-5',
    '2021-01-01T00:00:00Z',
    '01/02/2021',
    '',
  ])('refuses %j', (raw) => expect(read('date', raw)).toBe(INVALID));
});

describe('timestamp', () => {
  it.each([
    ['2021-03-01T12:34:56Z', Date.UTC(2021, 2, 1, 12, 34, 56)],
    ['2021-03-01T12:34:56.789Z', Date.UTC(2021, 2, 1, 12, 34, 56, 789)],
    ['2021-03-01T12:34:56.7891234Z', Date.UTC(2021, 2, 1, 12, 34, 56, 789)],
    ['2021-03-01T12:34:56.5Z', Date.UTC(2021, 2, 1, 12, 34, 56, 500)],
    ['2021-03-01T12:34:56+02:00', Date.UTC(2021, 2, 1, 10, 34, 56)],
    ['2021-03-01T12:34:56-0530', Date.UTC(2021, 2, 1, 18, 4, 56)],
    ['2021-03-01T12:34+01', Date.UTC(2021, 2, 1, 11, 34)],
    ['2021-03-01 12:34:56', Date.UTC(2021, 2, 1, 12, 34, 56)],
    ['2021-03-01T00:30:00+01:00', Date.UTC(2021, 1, 28, 23, 30)],
    ['2021-03-01', Date.UTC(2021, 2, 1)],
    [1_614_600_000_123, 1_614_600_000_123],
  ])('reads %j', (raw, want) => expect(read('timestamp', raw)).toBe(want));

  it('treats a timestamp without zone as UTC', () => {
    expect(read('timestamp', '2021-06-01T08:00:00')).toBe(Date.UTC(2021, 5, 1, 8));
  });

  it.each([
    '2021-03-01T24:00:00Z',
    '2021-03-01T12:60:00Z',
    '2021-03-01T12:00:60Z',
    '2021-02-30T12:00:00Z',
    '2021-03-01T12:00:00+25:00',
    '2021-03-01T12Z',
    '2021-03-01Z',
    '1614600000123',
    'yesterday',
    1.5,
  ])('refuses %j', (raw) => expect(read('timestamp', raw)).toBe(INVALID));

  it('reads YYYY-MM-DDTHH:MM:SS[.sss]Z (its own fast path) as the calendar says, refusing impossible fields', () => {
    const two = fc.integer({ min: 0, max: 99 });
    fc.assert(
      fc.property(
        fc.record({
          y: fc.integer({ min: 1000, max: 9999 }),
          mo: two,
          d: two,
          h: two,
          mi: two,
          s: two,
          ms: fc.option(fc.integer({ min: 0, max: 999 })),
          t: fc.constantFrom('T', 't', ' '),
          z: fc.constantFrom('Z', 'z'),
          dot: fc.constantFrom('.', ','),
        }),
        ({ y, mo, d, h, mi, s, ms, t, z, dot }) => {
          const p = (n: number, w = 2) => String(n).padStart(w, '0');
          const text = `${y}-${p(mo)}-${p(d)}${t}${p(h)}:${p(mi)}:${p(s)}${ms === null ? '' : dot + p(ms, 3)}${z}`;
          const want = Date.UTC(y, mo - 1, d, h, mi, s, ms ?? 0);
          const check = new Date(Date.UTC(y, mo - 1, d));
          const valid =
            mo >= 1 &&
            mo <= 12 &&
            check.getUTCMonth() === mo - 1 &&
            check.getUTCDate() === d &&
            h < 24 &&
            mi < 60 &&
            s < 60;
          expect(read('timestamp', text)).toBe(valid ? want : INVALID);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('string', () => {
  it('reads text only', () => {
    expect(read('string', 'US')).toBe('US');
    expect(read('string', 123)).toBe(INVALID);
    expect(read('string', true)).toBe(INVALID);
    expect(read('string', { a: 1 })).toBe(INVALID);
  });
});

describe('coerceMessage', () => {
  it('quotes strings and shows other values as JSON', () => {
    expect(coerceMessage('abc', 'integer')).toBe("cannot read 'abc' as integer");
    expect(coerceMessage(1.5, 'integer')).toBe('cannot read 1.5 as integer');
    expect(coerceMessage({ a: 1 }, 'date')).toBe('cannot read {"a":1} as date');
  });
});

describe('range', () => {
  it('keeps dates and timestamps within 0001-01-01..9999-12-31, naming the range when refused', () => {
    expect(read('timestamp', '0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000);
    expect(read('timestamp', '9999-12-31T23:59:59.999Z')).toBe(253_402_300_799_999);
    expect(read('timestamp', 253_402_300_800_000)).toBe(INVALID);
    expect(read('timestamp', 9007199254740991)).toBe(INVALID);
    expect(read('timestamp', '9999-12-31T23:30:00-01:00')).toBe(INVALID);
    expect(read('date', '0000-12-31')).toBe(INVALID);
    expect(coerceMessage(9007199254740991, 'timestamp')).toBe(
      'cannot read 9007199254740991 as timestamp: outside 0001-01-01..9999-12-31',
    );
    expect(coerceMessage('0000-12-31', 'date')).toBe(
      "cannot read '0000-12-31' as date: outside 0001-01-01..9999-12-31",
    );
    expect(coerceMessage('2021-02-30', 'date')).toBe("cannot read '2021-02-30' as date");
  });

  it('gives a number beyond the finite range one reason, whether it came as text or as JSON', () => {
    const reason = 'cannot read a number beyond ±1.8e308 as number: not a finite number';
    expect(read('number', '1e309')).toBe(INVALID);
    expect(coerceMessage('1e309', 'number')).toBe(reason);
    expect(coerceMessage(Infinity, 'number')).toBe(reason);
    expect(coerceMessage(-Infinity, 'integer')).toBe(reason.replace('as number', 'as integer'));
  });
});
