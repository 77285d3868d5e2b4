import { describe, expect, it } from 'vitest';
import { checkMetaSchema, CONTRACT_META_SCHEMA } from '../../src/contracts/meta-schema';
import { parseContract } from '../../src/contracts/parse';
import { BASE, baseWith, issuesOf, onlyIssue, positionOf } from '../fixtures/contracts/samples';

describe('meta-schema: unknown keys', () => {
  it('names an unknown top-level key, at the key', () => {
    const text = BASE + 'colour: blue\n';
    expect(onlyIssue(text)).toEqual({
      file: 'c.yaml',
      path: '/colour',
      line: 20,
      column: 1,
      message: "unknown key 'colour'",
    });
  });

  it('suggests the key a typo was meant to be', () => {
    const text = baseWith('owner: epidemiology', 'owner: epidemiology\ndescripton: x');
    expect(onlyIssue(text)).toMatchObject({
      path: '/descripton',
      line: 4,
      column: 1,
      message: "unknown key 'descripton'; did you mean 'description'?",
    });
  });

  it.each([
    ['ownr', "unknown key 'ownr'; did you mean 'owner'?"],
    ['Owner', "unknown key 'Owner'; did you mean 'owner'?"],
    ['a', "unknown key 'a'"],
    ['colour', "unknown key 'colour'"],
  ])('suggests only close keys: %s', (key, message) => {
    expect(onlyIssue(BASE + `${key}: x\n`).message).toBe(message);
  });

  it('names an unknown key inside a flow mapping of a list item', () => {
    const text = baseWith(
      '{ name: deaths, type: integer, minimum: 0 }',
      '{ name: deaths, type: integer, colour: red }',
    );
    expect(onlyIssue(text)).toMatchObject({
      path: '/schema/3/colour',
      ...positionOf(text, 'colour'),
      message: "unknown key 'colour'",
    });
    expect(positionOf(text, 'colour')).toEqual({ line: 15, column: 36 });
  });

  it('names an unknown key nested two levels deep', () => {
    const text = baseWith('  path: covid/*.csv', '  path: covid/*.csv\n  batch: { maxRecords: 10, size: 5 }');
    expect(onlyIssue(text)).toMatchObject({ path: '/source/batch/size', line: 11, column: 28 });
  });

  it('escapes a key with a slash in the pointer', () => {
    const text = BASE + 'a/b~c: 1\n';
    expect(onlyIssue(text)).toMatchObject({
      path: '/a~1b~0c',
      line: 20,
      column: 1,
      message: "unknown key 'a/b~c'",
    });
  });
});

describe('meta-schema: missing keys', () => {
  it('reports a missing top-level key at the top mapping', () => {
    const text = baseWith('owner: epidemiology\n', '');
    expect(onlyIssue(text)).toEqual({
      file: 'c.yaml',
      path: '/owner',
      line: 1,
      column: 1,
      message: "missing required key 'owner'",
    });
  });

  it('reports a missing nested key at its parent mapping', () => {
    const text = baseWith('  key: [country]\n', '');
    expect(onlyIssue(text)).toMatchObject({
      path: '/entity/key',
      line: 5,
      column: 3,
      message: "missing required key 'key'",
    });
  });

  it('reports a missing key of a flow mapping at the mapping', () => {
    const text = baseWith('{ name: deaths, type: integer, minimum: 0 }', '{ name: deaths, minimum: 0 }');
    expect(onlyIssue(text)).toMatchObject({
      path: '/schema/3/type',
      line: 15,
      column: 5,
      message: "missing required key 'type'",
    });
  });

  it('requires severity on every expectation', () => {
    const text = baseWith(', severity: reject }', ' }');
    expect(onlyIssue(text)).toMatchObject({ path: '/expectations/0/severity', line: 17, column: 5 });
  });

  it('requires every top-level section', () => {
    const messages = issuesOf('name: x\n').map((i) => i.message);
    expect(messages).toEqual(
      ['version', 'owner', 'entity', 'eventTime', 'source', 'schema', 'expectations', 'features'].map(
        (k) => `missing required key '${k}'`,
      ),
    );
  });
});

describe('meta-schema: values', () => {
  it('lists the allowed values of an enum and what it got', () => {
    const text = baseWith('name: deaths, type: integer', 'name: deaths, type: int');
    expect(onlyIssue(text)).toMatchObject({
      path: '/schema/3/type',
      line: 15,
      column: 27,
      message: "must be one of: string, integer, number, boolean, date, timestamp; got 'int'",
    });
  });

  it.each([
    [
      'source type',
      'type: csv',
      'type: ftp',
      '/source/type',
      "must be one of: csv, jsonl, push, nats, redis-stream; got 'ftp'",
    ],
    [
      'severity',
      'severity: reject',
      'severity: error',
      '/expectations/0/severity',
      "must be one of: reject, fail, warn; got 'error'",
    ],
  ])('rejects an unknown %s', (_what, search, replace, path, message) => {
    expect(onlyIssue(baseWith(search, replace))).toMatchObject({ path, message });
  });

  it('rejects an unknown expectation name', () => {
    const issue = onlyIssue(baseWith('expect: not_null', 'expect: is_null'));
    expect(issue.path).toBe('/expectations/0/expect');
    expect(issue.message).toMatch(
      /^must be one of: not_null, between, .*, no_gaps, distribution_stable, null_rate_stable; got 'is_null'$/,
    );
  });

  it('reports a wrong type in words', () => {
    const text = baseWith('eventTime: date', 'eventTime: [date]');
    expect(onlyIssue(text)).toMatchObject({
      path: '/eventTime',
      line: 7,
      column: 12,
      message: 'must be a string; got a list',
    });
  });

  it('reports a section of the wrong type', () => {
    const text = baseWith('source:\n  type: csv\n  path: covid/*.csv\n', 'source: csv\n');
    expect(onlyIssue(text)).toMatchObject({
      path: '/source',
      line: 8,
      column: 9,
      message: "must be a mapping; got 'csv'",
    });
  });

  it.each([
    ['/expectations/0/mostly', '-0.5', 'mostly: 0.99', 'mostly: -0.5', 'must be >= 0'],
    ['/expectations/0/mostly', '1.5', 'mostly: 0.99', 'mostly: 1.5', 'must be <= 1'],
    ['/expectations/0/mostly', '.nan', 'mostly: 0.99', 'mostly: .nan', 'must be a number; got NaN'],
    ['/schema/2/minimum', '"0"', 'true, minimum: 0 }', 'true, minimum: "0" }', "must be a number; got '0'"],
    [
      '/schema/1/required',
      'yes',
      'true }\n  - { name: confirmed',
      'yes }\n  - { name: confirmed',
      "must be true or false; got 'yes'",
    ],
  ])('rejects %s = %s', (path, needle, search, replace, message) => {
    const text = baseWith(search, replace);
    expect(onlyIssue(text)).toMatchObject({ path, message, ...positionOf(text, needle) });
  });

  it('requires integers where counts are meant', () => {
    const text = baseWith(
      '  - { name: confirmed, column: confirmed }',
      '  - { name: c7, window: { op: sum, column: confirmed, rows: 2.5 } }',
    );
    expect(onlyIssue(text)).toMatchObject({
      path: '/features/0/window/rows',
      message: 'must be an integer; got 2.5',
    });
  });

  it('rejects an empty or blank owner', () => {
    expect(onlyIssue(baseWith('owner: epidemiology', "owner: ''"))).toMatchObject({
      path: '/owner',
      line: 3,
      column: 8,
      message: 'must be empty or blank'.replace('must be', 'must not be'),
    });
    expect(onlyIssue(baseWith('owner: epidemiology', "owner: '  '")).message).toBe(
      'must not be empty or blank',
    );
  });

  it('points at the key of a key with no value', () => {
    expect(onlyIssue(baseWith('owner: epidemiology', 'owner:'))).toMatchObject({
      path: '/owner',
      line: 3,
      column: 1,
      message: 'must be a string; got null',
    });
  });

  it.each([
    [
      'Country_Daily',
      "'Country_Daily' must start with a lowercase letter and contain only lowercase letters, digits and _",
    ],
    [
      '1country',
      "'1country' must start with a lowercase letter and contain only lowercase letters, digits and _",
    ],
    [
      'country-daily',
      "'country-daily' must start with a lowercase letter and contain only lowercase letters, digits and _",
    ],
    ['c'.repeat(64), 'must have at most 63 characters'],
  ])('rejects the contract name %s', (name, message) => {
    expect(onlyIssue(baseWith('name: country_daily', `name: ${name}`))).toMatchObject({
      path: '/name',
      line: 1,
      column: 7,
      message,
    });
  });

  it('accepts a 63-character name', () => {
    expect(checkMetaSchema({ ...minimal(), name: 'c'.repeat(63) })).toEqual([]);
  });

  it('rejects column names that are not identifiers', () => {
    const text = baseWith('{ name: deaths,', '{ name: death rate,');
    expect(onlyIssue(text).message).toBe(
      "'death rate' must be an identifier (letters, digits and _, not starting with a digit); to read a source column named 'death rate', give the column an identifier and read the header with from: { name: death_rate, from: \"death rate\", type: ... }",
    );
    const slash = baseWith('{ name: deaths,', '{ name: Country/Region,');
    expect(onlyIssue(slash).message).toMatch(
      /from: \{ name: country_region, from: "Country\/Region", type: \.\.\. \}$/,
    );
  });

  it('rejects empty lists where at least one item is needed', () => {
    expect(onlyIssue(baseWith('key: [country]', 'key: []'))).toMatchObject({
      path: '/entity/key',
      message: 'must not be empty',
    });
    const text = baseWith('features:\n  - { name: confirmed, column: confirmed }\n', 'features: []\n');
    expect(onlyIssue(text)).toMatchObject({
      path: '/features',
      line: 18,
      column: 11,
      message: 'must not be empty',
    });
  });

  it('rejects duplicate items where items must be unique, at the duplicate', () => {
    const text = baseWith('features:', 'tags: [a, b, a]\nfeatures:');
    expect(onlyIssue(text)).toMatchObject({
      path: '/tags/2',
      line: 18,
      column: 14,
      message: 'duplicate of item 0',
    });
  });

  it('rejects non-string link targets', () => {
    const text = baseWith('features:', 'links: { docs: 42 }\nfeatures:');
    expect(onlyIssue(text)).toMatchObject({ path: '/links/docs', message: 'must be a string; got 42' });
  });
});

describe('meta-schema: version', () => {
  it.each(['1.2', '1', '1.20'])('says version %s (a YAML number) is not semantic, as written', (v) => {
    expect(onlyIssue(baseWith('version: 1.2.0', `version: ${v}`))).toMatchObject({
      path: '/version',
      line: 2,
      column: 10,
      message: `version '${v}' is not a semantic version (MAJOR.MINOR.PATCH)`,
    });
  });

  it.each(['v1.2.3', '1.2.3.4', '01.2.3', '1.2.x', "''"])('rejects version %s', (v) => {
    const issue = onlyIssue(baseWith('version: 1.2.0', `version: ${v}`));
    expect(issue.message).toMatch(/^version '.*' is not a semantic version \(MAJOR\.MINOR\.PATCH\)$/);
  });

  it.each(['0.0.1', '1.2.3-rc.1', '10.20.30+build.5', '1.0.0-alpha+001'])('accepts version %s', (v) => {
    expect(checkMetaSchema({ ...minimal(), version: v })).toEqual([]);
  });

  it('gives the version message for a number passed directly', () => {
    expect(checkMetaSchema({ ...minimal(), version: 1.2 })).toEqual([
      { path: '/version', message: "version '1.2' is not a semantic version (MAJOR.MINOR.PATCH)" },
    ]);
  });
});

describe('meta-schema: the schema itself', () => {
  it('closes every object so that unknown keys are always errors', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && n.additionalProperties !== false) open.push(at);
      for (const [k, v] of Object.entries(n)) walk(v, `${at}/${k}`);
    };
    walk(CONTRACT_META_SCHEMA, '#');
    expect(open).toEqual([]);
  });

  it('reports every structural error at once (allErrors)', () => {
    const findings = checkMetaSchema({
      ...minimal(),
      owner: 3,
      colour: 1,
      schema: [{ name: 'a', type: 'int', x: 1 }],
    });
    expect(findings.map((f) => f.path).sort()).toEqual([
      '/colour',
      '/owner',
      '/schema/0/type',
      '/schema/0/x',
    ]);
  });
});

function minimal(): Record<string, unknown> {
  return {
    name: 'c',
    version: '1.0.0',
    owner: 'o',
    entity: { name: 'e', key: ['k'] },
    eventTime: 't',
    source: { type: 'push' },
    schema: [{ name: 'k', type: 'string' }],
    expectations: [],
    features: [{ name: 'k', column: 'k' }],
  };
}

describe('meta-schema: policy.maxRejectedFraction', () => {
  it('takes a share between 0 and 1', () => {
    const c = parseContract(BASE + 'policy: { maxRejectedFraction: 0.1 }\n', 'c.yaml');
    expect(c.contract.policy).toEqual({ maxRejectedFraction: 0.1 });
  });

  it.each(['1.5', '-0.1', 'lots'])('refuses %s, at the key', (v) => {
    expect(onlyIssue(BASE + `policy: { maxRejectedFraction: ${v} }\n`).path).toBe(
      '/policy/maxRejectedFraction',
    );
  });
});
