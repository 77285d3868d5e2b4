import { describe, expect, it } from 'vitest';
import { isoDurationProblem, parseIsoDuration, positiveDurationProblem } from '../../src/lib/duration';
import { InputError } from '../../src/errors';

const S = 1000;
const H = 3600 * S;
const D = 24 * H;

describe('parseIsoDuration', () => {
  it.each([
    ['P2D', 2 * D],
    ['PT6H', 6 * H],
    ['P1W', 7 * D],
    ['P1Y', 365 * D],
    ['P1M', 30 * D],
    ['PT1M', 60 * S],
    ['PT90S', 90 * S],
    ['PT0.5S', 500],
    ['P1DT12H', 36 * H],
    ['P1Y2M3W4DT5H6M7S', 365 * D + 60 * D + 21 * D + 4 * D + 5 * H + 6 * 60 * S + 7 * S],
    ['P0D', 0],
  ])('parses %s', (s, ms) => {
    expect(parseIsoDuration(s)).toBe(ms);
  });

  it.each([
    '',
    'P',
    'PT',
    'P1DT',
    '2D',
    'p2d',
    'P2d',
    'P-1D',
    '-P1D',
    'P1.5D',
    'PT1.5H',
    'P1D ',
    ' P1D',
    'P1S',
    'PT1D',
    'P1H',
    'P1D1Y',
    'P1W1Y',
    'PT0.1234S',
    'P1,5D',
  ])('rejects %j with an InputError', (s) => {
    expect(() => parseIsoDuration(s)).toThrow(InputError);
    expect(() => parseIsoDuration(s)).toThrow(
      `'${s}' is not an ISO-8601 duration (e.g. P2D, PT6H, P1W, P1DT12H)`,
    );
  });

  it('rejects a non-string', () => {
    expect(() => parseIsoDuration(5 as unknown as string)).toThrow(InputError);
  });

  it('rejects durations too large to count in milliseconds', () => {
    expect(() => parseIsoDuration('P99999999999999Y')).toThrow('too large');
  });

  it('isoDurationProblem returns the message or undefined', () => {
    expect(isoDurationProblem('P1D')).toBeUndefined();
    expect(isoDurationProblem('1D')).toMatch(/not an ISO-8601 duration/);
  });

  it('positiveDurationProblem also rejects zero', () => {
    expect(positiveDurationProblem('PT1S')).toBeUndefined();
    expect(positiveDurationProblem('PT0S')).toBe("duration 'PT0S' must be longer than zero");
    expect(positiveDurationProblem('soon')).toMatch(/not an ISO-8601 duration/);
  });
});
