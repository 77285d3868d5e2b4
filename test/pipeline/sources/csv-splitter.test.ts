import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, CsvSyntaxError } from '../../../src/pipeline/sources/csv-splitter';

type Outcome = { records: string[][] } | { error: string };

/** The reference: csv-parse with the options the CSV source used before the splitter. */
function reference(text: string, delimiter = ',', quote = '"'): Outcome {
  try {
    const records = parse(text, {
      delimiter,
      quote,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
    return { records: records as string[][] };
  } catch (e) {
    return { error: (e as { code: string }).code };
  }
}

/** The splitter, fed the text cut at the given points. */
function split(text: string, cuts: number[], delimiter = ',', quote = '"'): Outcome {
  const s = new CsvSplitter({ delimiter, quote });
  const out: string[][] = [];
  try {
    let from = 0;
    for (const at of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
      s.push(text.slice(from, at), out);
      from = at;
    }
    s.push(text.slice(from), out);
    s.end(out);
    return { records: out };
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { error: e.code };
    throw e;
  }
}

describe('CsvSplitter', () => {
  it.each([
    [
      'a,b\n1,2',
      [
        ['a', 'b'],
        ['1', '2'],
      ],
    ],
    [
      'a,b\r\n1,2\r\n\r\n3,4\r\n',
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      'a,b\r1,2\r3,4',
      [
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ],
    ],
    [
      '\uFEFFa,b\n"x ""q"", y",\n',
      [
        ['a', 'b'],
        ['x "q", y', ''],
      ],
    ],
    [
      'a,b\n1,"multi\nline"\n2,3',
      [
        ['a', 'b'],
        ['1', 'multi\nline'],
        ['2', '3'],
      ],
    ],
    ['a\n1\n1,2,3\n\n\n', [['a'], ['1'], ['1', '2', '3']]],
    [
      'a,b\n"",\n',
      [
        ['a', 'b'],
        ['', ''],
      ],
    ],
  ])('splits %j', (text, expected) => {
    expect(split(text, [])).toEqual({ records: expected });
    expect(split(text, [])).toEqual(reference(text));
  });

  it.each([
    ['a,b\n1,x"y', 'INVALID_OPENING_QUOTE', /quote is found on field 1 at line 2, value is "x"/],
    ['a,b\n"1"x,2', 'CSV_INVALID_CLOSING_QUOTE', /got "x" at line 2/],
    ['a,b\n1,2\n"1,2\n3', 'CSV_QUOTE_NOT_CLOSED', /opening quote at line 3/],
  ])('refuses %j with %s, naming the line', (text, code, message) => {
    const s = new CsvSplitter({ delimiter: ',', quote: '"' });
    const run = () => {
      const out: string[][] = [];
      s.push(text, out);
      s.end(out);
    };
    expect(run).toThrow(message);
    expect(reference(text)).toEqual({ error: code });
  });

  it('agrees with csv-parse on random text cut into random chunks', () => {
    const alphabet = fc.constantFrom(
      'a',
      'b',
      ' ',
      ',',
      ',',
      '"',
      '\n',
      '\n',
      '\r\n',
      '\r',
      'é',
      '1',
      '\uFEFF',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }),
        fc.array(fc.nat(60), { maxLength: 5 }),
        (parts, cuts) => {
          const text = parts.join('');
          expect(split(text, cuts)).toEqual(reference(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with csv-parse on well-formed files with quoted fields, any delimiter', () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 .-]{0,6}$/),
      fc.string({ maxLength: 6 }).map((v) => `"${v.replace(/"/g, '""')}"`),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '\t', '|'),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        (delimiter, eol, rows, cuts) => {
          const text = rows.map((r) => r.join(delimiter)).join(eol) + eol;
          expect(split(text, cuts, delimiter)).toEqual(reference(text, delimiter));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
