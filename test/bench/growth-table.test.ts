/**
 * bench/growth-table.ts: each measurement per unit of work at each scale, and the
 * largest size's cost per unit over the smallest's (1.00×: linear).
 */
import { describe, expect, it } from 'vitest';
import { growthTable } from '../../bench/growth-table';
import { measure, row, type CaseResult } from '../../bench/lib/result';

function report(scale: number, ingestRowsPerS: number, trainingMs: number, p99Ms: number, reqPerS: number) {
  const results: CaseResult[] = [
    {
      case: 'ingest',
      // One measurement against two baselines, as the bench reports the ingest.
      rows: ['sqlite3 .import', 'DuckDB'].map((name) =>
        row('ingest', `${scale}M-row CSV`, measure([ingestRowsPerS], 'rows/s', 'higher'), {
          name,
          m: measure([ingestRowsPerS * 4], 'rows/s', 'higher'),
        }),
      ),
      details: {},
    },
    {
      case: 'training',
      rows: [row('training', 'PIT join', measure([trainingMs], 'ms', 'lower'))],
      details: {},
    },
    {
      case: 'online',
      rows: [
        row('online', 'throughput', measure([reqPerS], 'req/s', 'higher')),
        row('online', 'p99 latency', measure([p99Ms], 'ms', 'lower')),
      ],
      details: {},
    },
  ];
  return { options: { scale }, results };
}

const cells = (table: string, name: string) =>
  table
    .split('\n')
    .find((l) => l.includes(`| ${name} |`))!
    .split('|')
    .map((c) => c.trim())
    .filter(Boolean);

describe('growth table', () => {
  // Ingest linear (10× the rows at the same rate), training set worse than linear
  // (3× the spine at 4× the time, 10× at 20×), online flat, in any order of the files.
  const table = growthTable([
    report(1, 150_000, 2_000, 1.0, 5_000),
    report(0.1, 150_000, 100, 1.0, 5_000),
    report(0.3, 150_000, 400, 2.0, 2_500),
  ]);

  it('shows a measurement reported against two baselines once', () => {
    expect(table.split('\n').filter((l) => l.startsWith('| ingest |'))).toHaveLength(1);
  });

  it('turns a rate into time per unit and finds linear growth at 1.00×', () => {
    expect(cells(table, 'ingest')).toEqual([
      'ingest',
      '1M-row CSV',
      'µs/row',
      '6.67',
      '6.67',
      '6.67',
      '1.00×',
    ]);
  });

  it('spreads a case time over its work (spine rows) and shows growth worse than linear', () => {
    // 100 ms / 10,000 rows, 400 / 30,000, 2,000 / 100,000.
    expect(cells(table, 'training')).toEqual([
      'training',
      'PIT join',
      'µs/spine row',
      '10.0',
      '13.3',
      '20.0',
      '2.00×',
    ]);
  });

  it('keeps per-request figures as they are, a throughput as time per request', () => {
    expect(cells(table, 'online').slice(2)).toEqual(['µs/req', '200', '400', '200', '1.00×']);
    const p99 = table.split('\n').find((l) => l.includes('| p99 latency |'))!;
    expect(p99).toContain('| ms | 1.00 | 2.00 | 1.00 | 1.00× |');
  });

  it('orders the columns by scale and says how many times the data the last is', () => {
    expect(table.split('\n')[0]).toContain(
      '| scale 0.1 | scale 0.3 | scale 1 | largest ÷ smallest (10× the data) |',
    );
  });
});
