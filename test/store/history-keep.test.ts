import { describe, expect, it } from 'vitest';
import { keepHistory, type HistoryRow } from '../../src/store/history-keep';

type Item = [number, number, number, number, Record<string, number | null>];
const row = (ek: string, tmin: number | string, items: Item[] | null, asText = true): HistoryRow => ({
  ek,
  tmin,
  found: items === null ? null : asText ? JSON.stringify(items) : items,
});
const opts = { maxRows: 2, maxDurationMs: null, lastNonNull: {} };
const times = (m: Map<string, Array<{ eventTime: number }>>, ek: string) =>
  m.get(ek)?.map((p) => p.eventTime);

describe('keepHistory', () => {
  it('keeps every row from `from` on and the newest maxRows before it, ascending', () => {
    const got = keepHistory(
      [
        row('a', 10, [
          [3, 1, 1, 1, {}],
          [5, 1, 1, 2, {}],
          [7, 1, 1, 3, {}],
          [10, 1, 1, 4, {}],
          [12, 1, 1, 5, {}],
        ]),
      ],
      opts,
    );
    expect(times(got, 'a')).toEqual([5, 7, 10, 12]);
  });

  it('picks one row per event time: greater precedence, then later commit, then later row', () => {
    const got = keepHistory(
      [
        row('a', 10, [
          [7, 5, 5, 1, { v: 1 }],
          [7, 9, 5, 2, { v: 2 }], // greater precedence wins over the later commit below
          [7, 5, 8, 3, { v: 3 }],
          [8, 4, 4, 4, { v: 4 }],
          [8, 4, 4, 6, { v: 6 }], // same precedence and commit: the later row
          [8, 4, 4, 5, { v: 5 }],
        ]),
      ],
      { ...opts, maxRows: 5 },
    );
    expect(got.get('a')).toEqual([
      { eventTime: 7, values: { v: 2 } },
      { eventTime: 8, values: { v: 6 } },
    ]);
  });

  it('counts maxRows in distinct event times, so a duplicate never pushes a row out', () => {
    const got = keepHistory(
      [
        row('a', 10, [
          [5, 1, 1, 1, {}],
          [7, 1, 1, 2, {}],
          [7, 2, 2, 3, {}],
          [9, 1, 1, 4, {}],
        ]),
      ],
      opts,
    );
    expect(times(got, 'a')).toEqual([7, 9]);
  });

  it('sorts rows the statement handed over out of time order', () => {
    const got = keepHistory(
      [
        row('a', 10, [
          [9, 1, 1, 1, {}],
          [2, 1, 1, 2, {}],
          [11, 1, 1, 3, {}],
          [8, 1, 1, 4, {}],
        ]),
      ],
      opts,
    );
    expect(times(got, 'a')).toEqual([8, 9, 11]);
  });

  it('reaches back past nulls for lastNonNull, and within maxDurationMs', () => {
    const items: Item[] = [
      [1, 1, 1, 1, { x: 4 }],
      [2, 1, 1, 2, { x: 5 }],
      [3, 1, 1, 3, { x: null }],
      [4, 1, 1, 4, {}],
      [5, 1, 1, 5, { x: null }],
    ];
    expect(
      times(
        keepHistory([row('a', 6, items)], { maxRows: 1, maxDurationMs: null, lastNonNull: { x: 1 } }),
        'a',
      ),
    ).toEqual([2, 5]);
    expect(
      times(keepHistory([row('a', 6, items)], { maxRows: 0, maxDurationMs: 2, lastNonNull: { x: 2 } }), 'a'),
    ).toEqual([1, 2, 4, 5]);
    expect(
      times(keepHistory([row('a', 6, items)], { maxRows: null, maxDurationMs: null, lastNonNull: {} }), 'a'),
    ).toBeUndefined();
  });

  it('takes PostgreSQL-shaped rows (parsed arrays, bigints as text) and leaves out requests with nothing', () => {
    const got = keepHistory(
      [row('a', '10', [[9, 1, 1, 1, { v: 1 }]], false), row('b', '10', null, false), row('c', 10, [])],
      opts,
    );
    expect([...got.keys()]).toEqual(['a']);
    expect(got.get('a')).toEqual([{ eventTime: 9, values: { v: 1 } }]);
  });
});
