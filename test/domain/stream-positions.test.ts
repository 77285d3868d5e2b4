import { describe, expect, it } from 'vitest';
import {
  advancesStreamOffsets,
  comparePositions,
  isCommitted,
  isPosition,
  rangeOf,
} from '../../src/domain/stream-positions';

describe('broker positions', () => {
  it('orders NATS sequences and Redis entry ids numerically, past 2^53 too', () => {
    expect(comparePositions('9', '10')).toBeLessThan(0);
    expect(comparePositions('1700000000000-10', '1700000000000-9')).toBeGreaterThan(0);
    expect(comparePositions('1700000000001-0', '1700000000000-99')).toBeGreaterThan(0);
    expect(comparePositions('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(comparePositions('5-0', '5')).toBe(0);
  });

  it('knows what is committed', () => {
    expect(isCommitted('3', null)).toBe(false);
    expect(isCommitted('3', '3')).toBe(true);
    expect(isCommitted('4', '3')).toBe(false);
  });

  it('finds the range of a micro-batch whatever the order', () => {
    expect(rangeOf(['7', '3', '11'])).toEqual({ from: '3', to: '11' });
    expect(() => rangeOf([])).toThrow(/empty/);
    expect(isPosition('1-2')).toBe(true);
    expect(isPosition('x')).toBe(false);
  });

  it('moves offsets for stream runs and their retries, never for replacing runs', () => {
    expect(advancesStreamOffsets('stream', false)).toBe(true);
    expect(advancesStreamOffsets('retry', false)).toBe(true);
    expect(advancesStreamOffsets('retry', true)).toBe(false);
    expect(advancesStreamOffsets('reprocess', false)).toBe(false);
    expect(advancesStreamOffsets('backfill', false)).toBe(false);
    expect(advancesStreamOffsets('push', false)).toBe(false);
  });
});
