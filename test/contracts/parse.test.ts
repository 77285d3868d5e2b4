import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseWhole, parseDocument } from 'yaml';
import { canonicalJson, sha256Hex } from '../../src/contracts/canonical';
import {
  MAX_CONTRACT_BYTES,
  MAX_REPORTED_ISSUES,
  parseContract,
  parseContractInSlices,
} from '../../src/contracts/parse';
import { YAML_PIECE_CHARS } from '../../src/contracts/yaml-read';
import { Slicer } from '../../src/lib/slices';
import { ContractValidationError } from '../../src/errors';
import { BASE, baseWith, issuesOf, onlyIssue, positionOf } from '../fixtures/contracts/samples';

const FULL_FILE = 'test/fixtures/contracts/country_daily.full.yaml';
const FULL = readFileSync(FULL_FILE, 'utf8');

describe('parseContract: valid contracts', () => {
  it('parses a contract using every key, keeping what the author wrote', () => {
    const parsed = parseContract(FULL, FULL_FILE);
    const c = parsed.contract;
    expect(parsed.file).toBe(FULL_FILE);
    expect(parsed.text).toBe(FULL);
    expect(c.name).toBe('country_daily');
    expect(c.version).toBe('1.2.0');
    expect(c.entity).toEqual({
      name: 'country',
      key: ['country'],
      description: 'ISO 3166-1 alpha-3 country code.',
    });
    expect(c.source).toMatchObject({
      type: 'csv',
      path: 'covid/*.csv',
      nullValues: ['', 'NA'],
      header: true,
    });
    expect(c.schema).toHaveLength(8);
    expect(c.schema[5]).toEqual({ name: 'positivity', type: 'number', minimum: 0, maximum: 1 });
    expect(c.expectations).toHaveLength(30);
    expect(c.expectations.filter((e) => e.scope === 'view').map((e) => e.expect)).toEqual([
      'row_count_between',
      'compound_unique',
      'no_gaps',
      'fresh_within',
    ]);
    expect(c.features.map((f) => f.name)).toEqual([
      'confirmed',
      'new_cases',
      'cases_a_week_ago',
      'new_cases_7d',
      'deaths',
      'deaths_mean_2w',
      'fatality',
    ]);
    expect(c.features[3]).toEqual({
      name: 'new_cases_7d',
      window: { op: 'sum', column: 'new_cases', rows: 7 },
    });
    expect(c.schedule).toEqual({ cron: '0 6 * * *', timezone: 'Europe/Paris', onArrival: true });
    expect(c.policy).toEqual({ onNewVersion: 'backfill', onRollback: 'reprocess' });
    expect(c.links?.runbook).toBe('https://wiki.example.org/tidemark/country_daily');
  });

  it('covers every expectation name in the full fixture', async () => {
    const { EXPECTATION_NAMES } = await import('../../src/domain/contract');
    const used = new Set(parseContract(FULL, FULL_FILE).contract.expectations.map((e) => e.expect));
    expect([...used].sort()).toEqual([...EXPECTATION_NAMES].sort());
  });

  it('does not default optional keys', () => {
    const c = parseContract(BASE, 'c.yaml').contract;
    expect(c.filters).toBeUndefined();
    expect(c.schedule).toBeUndefined();
    expect('description' in c).toBe(false);
    expect(c.schema[3]).toEqual({ name: 'deaths', type: 'integer', minimum: 0 });
  });

  it.each(['contracts/country_daily.yaml', 'contracts/card_transactions.yaml'])(
    'parses the shipped %s',
    (file) => {
      expect(parseContract(readFileSync(file, 'utf8'), file).contract.name).toMatch(/^[a-z_]+$/);
    },
  );

  it('accepts a leading byte-order mark and CRLF line ends', () => {
    const text = '\uFEFF' + BASE.replace(/\n/g, '\r\n');
    expect(parseContract(text, 'c.yaml').hash).toBe(parseContract(BASE, 'c.yaml').hash);
  });

  it('accepts a few aliases', () => {
    const text = BASE.replace(
      '  - { name: date, type: date, required: true }',
      '  - &d { name: date, type: date, required: true }',
    ).replace('features:\n', 'tags: [a]\nfeatures:\n');
    expect(parseContract(text, 'c.yaml').contract.schema[0]!.name).toBe('date');
  });
});

describe('parseContract: hash', () => {
  it('is the sha256 of the canonical JSON of the contract', () => {
    const parsed = parseContract(BASE, 'c.yaml');
    expect(parsed.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.hash).toBe(sha256Hex(canonicalJson(parsed.contract)));
  });

  it('is equal for reformatted but equal YAML (key order, flow/block, quotes, comments)', () => {
    const reformatted = `# reordered, re-styled, commented
owner: "epidemiology"
name: 'country_daily'
version: "1.2.0"
features: [{ column: confirmed, name: confirmed }]
eventTime: date
entity: { key: [ country ], name: country }
source: { path: "covid/*.csv", type: csv }
expectations:
  - severity: reject
    mostly: 0.99
    column: deaths
    expect: not_null
schema:
  - name: date
    type: date
    required: true
  - { required: true, type: string, name: country }
  - { name: confirmed, type: integer, required: true, minimum: 0.0 }
  - { minimum: 0, name: deaths, type: integer }   # trailing comment
`;
    expect(parseContract(reformatted, 'b.yaml').hash).toBe(parseContract(BASE, 'a.yaml').hash);
  });

  it.each([
    ['a value', 'owner: epidemiology', 'owner: epidemiology2'],
    ['a number', 'minimum: 0 }\n  - { name: deaths', 'minimum: 1 }\n  - { name: deaths'],
    ['a list order', 'key: [country]', 'key: [country, date]'],
    ['an added optional key', 'owner: epidemiology', 'owner: epidemiology\ndescription: x'],
    ['a string that looks like a number', 'version: 1.2.0', 'version: 1.2.1'],
  ])('changes when %s changes', (_what, search, replace) => {
    const hash = parseContract(baseWith(search, replace), 'c.yaml').hash; // throws if the edit broke the contract
    expect(hash).not.toBe(parseContract(BASE, 'c.yaml').hash);
  });
});

describe('parseContract: rejected files', () => {
  it.each([
    ['empty', ''],
    ['blank', '  \n\n\t\n'],
    ['comments only', '# nothing here\n# at all\n'],
    ['an empty document', '---\n'],
  ])('rejects an %s file', (_what, text) => {
    expect(issuesOf(text, 'e.yaml')).toEqual([
      { file: 'e.yaml', path: '', line: 0, column: 0, message: 'contract file is empty' },
    ]);
  });

  it('rejects a file over 256 KiB before parsing it', () => {
    expect(MAX_CONTRACT_BYTES).toBe(256 * 1024);
    const huge = BASE + '#' + 'x'.repeat(MAX_CONTRACT_BYTES) + '\n';
    const issue = onlyIssue(huge);
    expect(issue).toMatchObject({ path: '', line: 0, column: 0 });
    expect(issue.message).toContain('the limit is 262144 bytes (256 KiB)');
  });

  it('counts bytes, not characters', () => {
    const multiByte = BASE + '# ' + 'é'.repeat(MAX_CONTRACT_BYTES / 2) + '\n'; // 2 bytes each
    expect(onlyIssue(multiByte).message).toContain('bytes; the limit is');
  });

  it('names the first 100 problems of a contract and counts the rest', () => {
    const text = BASE + Array.from({ length: 5_000 }, (_, i) => `x${i}: 1\n`).join('');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(MAX_REPORTED_ISSUES + 1);
    expect(issues[0]).toMatchObject({ path: '/x0', message: "unknown key 'x0'", line: 20 });
    expect(issues.at(-1)).toEqual({
      file: 'c.yaml',
      path: '',
      line: 0,
      column: 0,
      message: '4900 more problems (the first 100 are shown)',
    });
  });

  it("reports malformed YAML at yaml's own line and column", () => {
    const text = baseWith('  key: [country]', '  key: [country\n  other: 1');
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ file: 'c.yaml', path: '', line: 7, column: 3 });
    expect(issues[0]!.message).toBe(
      "a '{ … }' or '[ … ]' is not closed: end it with '}' or ']' on the same line, or indent its next lines deeper than its key",
    );
  });

  it('reports a bad indentation at the mis-indented line, with what it should be', () => {
    const text = 'name: x\n  version: 1.0.0\n';
    // yaml itself points at line 1, the key whose value it thinks line 2 continues.
    expect(parseDocument(text, { prettyErrors: true }).errors[0]!.linePos![0].line).toBe(1);
    expect(issuesOf(text)).toEqual([
      {
        file: 'c.yaml',
        path: '',
        line: 2,
        column: 3,
        message:
          "wrong indentation: line 2 is indented 2 spaces, deeper than the key on line 1 (0 spaces), which opens no block (it does not end with ':'); start it in the first column to be another key of the same mapping",
      },
    ]);
  });

  it('says which indentation a key nested in a list item needs, and says a cause once', () => {
    const text = baseWith('  name: country\n', '  name: country\n   description: x\n');
    expect(issuesOf(text).map((i) => [i.line, i.column, i.message])).toEqual([
      [
        6,
        4,
        "wrong indentation: line 6 is indented 3 spaces, deeper than the key on line 5 (2 spaces), which opens no block (it does not end with ':'); indent it 2 spaces to be another key of the same mapping",
      ],
    ]);
    const item = 'schema:\n  - name: date\n    type: date\n   required: true\n';
    expect(issuesOf(item).map((i) => [i.line, i.message])).toEqual([
      [
        4,
        'wrong indentation: line 4 is indented 3 spaces, but the blocks around it start at 4 spaces or 2 spaces: keys of one mapping must start in the same column',
      ],
    ]);
  });

  it('explains tabs in plain words', () => {
    expect(issuesOf('name: x\nentity:\n\tname: y\n')[0]!.message).toBe(
      'a tab is used for indentation: YAML allows only spaces',
    );
  });

  it('rejects a duplicate key at the duplicate', () => {
    const text = BASE + 'owner: someone-else\n';
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ path: '', line: 20, column: 1 });
    expect(issue.message).toBe("key 'owner' appears twice in the same mapping");
  });

  it('finds a duplicate key among thousands in one mapping, at the duplicate', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `  k${i}: v\n`);
    const text = BASE + 'links:\n' + keys.join('') + '  k17: again\n';
    expect(issuesOf(text)).toEqual([
      {
        file: 'c.yaml',
        path: '',
        ...positionOf(text, 'k17: again'),
        message: "key 'k17' appears twice in the same mapping",
      },
    ]);
  });

  it('rejects several YAML documents, pointing at the second', () => {
    const issue = onlyIssue(BASE + '---\n' + BASE);
    expect(issue).toMatchObject({ path: '', line: 20, column: 1 });
    expect(issue.message).toBe('a contract file holds one YAML document; found 2');
  });

  it.each([
    ['a list', '- name: x\n- name: y\n', 'the top level must be a mapping'],
    ['a scalar', 'just a string\n', 'the top level must be a mapping'],
  ])('rejects %s at the top level', (_what, text, message) => {
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ line: 1, column: 1 });
    expect(issue.message).toContain(message);
  });

  it('rejects an alias bomb without expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const issue = onlyIssue(bomb);
    expect(issue.message).toMatch(/aliases expand too much/);
    expect(issue).toMatchObject({ line: 2, column: 8 });
  });

  it('rejects an unresolved tag', () => {
    const issue = onlyIssue(baseWith('owner: epidemiology', 'owner: !secret epidemiology'));
    expect(issue).toMatchObject({ line: 3, column: 8 });
    expect(issue.message).toMatch(/Unresolved tag: !secret/);
  });

  it('reports every issue of the file in one error, sorted by position', () => {
    const text = BASE.replace('owner: epidemiology', 'owner: ""')
      .replace('type: integer, minimum: 0 }', 'type: int, minimum: 0 }')
      .replace('version: 1.2.0', 'version: 1.2')
      .replace('column: deaths, mostly', 'column: death, mostly');
    let error: unknown;
    try {
      parseContract(text, 'contracts/c.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractValidationError);
    const issues = (error as ContractValidationError).issues;
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['/version', 2],
      ['/owner', 3],
      ['/schema/3/type', 15],
      ['/expectations/0/column', 17],
    ]);
    expect((error as ContractValidationError).message).toContain(
      "contracts/c.yaml:2:10 /version: version '1.2' is not a semantic version (MAJOR.MINOR.PATCH)",
    );
    expect(issues.every((i) => i.file === 'contracts/c.yaml')).toBe(true);
  });

  it('positions a value on a later line at that line', () => {
    const text = baseWith('owner: epidemiology', 'owner:\n  - a list');
    expect(onlyIssue(text)).toMatchObject({ path: '/owner', ...positionOf(text, '- a list') });
  });
});

describe('parseContract: large texts are read a piece at a time', () => {
  // Lines that run across the pieces the parser is fed: a block scalar, a flow list
  // over several lines, a quoted string over several lines.
  const block = Array.from({ length: 1_500 }, (_, i) => `    line ${i} of a long description`).join('\n');
  const flow = Array.from({ length: 2_000 }, (_, i) => `    t${i}`).join(',\n');
  const quoted = Array.from({ length: 800 }, (_, i) => `    word${i}`).join('\n');
  const LARGE =
    BASE + `description: |\n${block}\ntags: [\n${flow}\n  ]\nlinks:\n  doc: "start\n${quoted}\n    end"\n`;

  it('gives what yaml gives reading the whole text at once', () => {
    expect(LARGE.length).toBeGreaterThan(4 * YAML_PIECE_CHARS);
    const c = parseContract(LARGE, 'c.yaml').contract;
    const whole = parseWhole(LARGE) as Record<string, unknown>;
    expect(c.description).toBe(whole.description);
    expect(c.tags).toEqual(whole.tags);
    expect(c.tags).toHaveLength(2_000);
    expect(c.links).toEqual(whole.links);
  });

  it('places problems after the first pieces on their own line', () => {
    const text = LARGE + 'owner: twice\n\tbad: tab\n';
    const lines = text.split('\n');
    expect(issuesOf(text)).toMatchObject([
      {
        line: lines.indexOf('owner: twice') + 1,
        column: 1,
        message: "key 'owner' appears twice in the same mapping",
      },
      { line: lines.indexOf('\tbad: tab') + 1 },
    ]);
  });

  it('in slices, gives the same contract and lets the event loop turn while it reads', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other'));
    const slicer = new Slicer(0);
    const sliced = await parseContractInSlices(LARGE, 'c.yaml', slicer);
    order.push('parsed');
    expect(sliced).toEqual(parseContract(LARGE, 'c.yaml'));
    expect(order).toEqual(['other', 'parsed']);
    expect(slicer.pauses).toBeGreaterThan(4);
  });
});
