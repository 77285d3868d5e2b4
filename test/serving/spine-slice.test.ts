/**
 * SpineSlice and KeyColumn: a key column gives each row its distinct value as the
 * column's contract type reads it (null where it does not), remembers each distinct value
 * only while the slices come from one spine, and SpineLog hands out slices as views of
 * its arrays.
 */
import { describe, expect, it } from 'vitest';
import { KeyColumn, spineSlice, type SpineSlice } from '../../src/serving/spine-slice';
import { SpineLog } from '../../src/serving/spine-log';

describe('KeyColumn', () => {
  it('reads each row through its distinct value, coerced by the column type', () => {
    const values = [{ n: '7' }, { n: 'x' }, { n: null }];
    const slice: SpineSlice = {
      length: 5,
      ids: Int32Array.from([0, 1, 0, 2, 0]),
      values,
      times: new Float64Array(5),
    };
    const key = new KeyColumn('n', 'integer');
    expect(key.values(slice)).toEqual([7, null, 7, null, 7]);
    // A later slice of the same spine reuses what was read.
    expect(key.values({ ...slice, length: 2, ids: Int32Array.from([2, 1]) })).toEqual([null, null]);
  });

  it('forgets the values of one spine when a slice of another comes', () => {
    const key = new KeyColumn('country', 'string');
    expect(key.values(spineSlice([{ entity: { country: 'FRA' }, at: 1 }]))).toEqual(['FRA']);
    // Same id 0, another spine's value.
    expect(key.values(spineSlice([{ entity: { country: 'DEU' }, at: 2 }]))).toEqual(['DEU']);
  });
});

describe('SpineLog.slice', () => {
  it('hands out rows [start, end) as views of the log, and nothing once released', () => {
    const log = new SpineLog(['country']);
    const fra = log.add({ country: 'FRA' });
    const deu = log.add({ country: 'DEU' });
    [fra, deu, fra, deu].forEach((d, i) => log.push(d, 100 + i));
    const s = log.slice(1, 3);
    expect(s.length).toBe(2);
    expect([...s.ids].map((id) => s.values[id])).toEqual([{ country: 'DEU' }, { country: 'FRA' }]);
    expect([...s.times]).toEqual([101, 102]);
    log.release();
    expect(log.length).toBe(0);
    expect(s.times.length).toBe(0);
  });
});
