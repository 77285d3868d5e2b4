import { describe, expect, it } from 'vitest';
import { StringPool } from '../../src/pipeline/string-pool';

describe('StringPool', () => {
  it('hands back the first copy of a text it has seen', () => {
    const pool = new StringPool();
    const first = ['dev', '001'].join('-');
    const again = ['dev', '001'].join('-');
    expect(pool.intern(first)).toBe(first);
    expect(pool.intern(again)).toBe(first);
    expect(pool.size).toBe(1);
  });

  it('stops growing at its capacity and never pools long texts, yet always returns the same text', () => {
    const pool = new StringPool(2, 5);
    for (const t of ['a', 'b', 'c', 'c', 'longer than five']) expect(pool.intern(t)).toBe(t);
    expect(pool.size).toBe(2);
  });
});
