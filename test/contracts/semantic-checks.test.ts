import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/parse';
import { BASE, baseWith, issuesOf, onlyIssue, positionOf } from '../fixtures/contracts/samples';

const FEATURE_LINE = '  - { name: confirmed, column: confirmed }\n';
const EXPECTATION_LINE = '  - { expect: not_null, column: deaths, mostly: 0.99, severity: reject }\n';

const withFeatures = (...items: string[]): string =>
  baseWith(FEATURE_LINE, items.map((i) => `  - ${i}\n`).join(''));
const withExpectations = (...items: string[]): string =>
  baseWith(EXPECTATION_LINE, items.map((i) => `  - ${i}\n`).join(''));
const withSource = (lines: string): string => baseWith('  type: csv\n  path: covid/*.csv\n', lines);
const valid = (text: string): void => {
  expect(() => parseContract(text, 'c.yaml')).not.toThrow();
};
const messages = (text: string): string[] => issuesOf(text).map((i) => `${i.path}: ${i.message}`);

describe('semantic checks: names', () => {
  it('rejects a duplicate column name, at the second one', () => {
    const text = baseWith('expectations:', '  - { name: deaths, type: number }\nexpectations:');
    expect(onlyIssue(text)).toMatchObject({
      path: '/schema/4/name',
      ...positionOf(text, 'deaths, type: number'),
      message: "duplicate column 'deaths' (first at /schema/3)",
    });
  });

  it('rejects a duplicate feature name', () => {
    const text = withFeatures('{ name: confirmed, column: confirmed }', '{ name: confirmed, expr: deaths }');
    expect(messages(text)).toEqual([
      "/features/1/name: duplicate feature 'confirmed' (first at /features/0)",
    ]);
  });
});

describe('semantic checks: column references', () => {
  it('rejects a plain feature reading a missing column', () => {
    const text = withFeatures('{ name: recovered, column: recovered }');
    expect(onlyIssue(text)).toMatchObject({
      path: '/features/0/column',
      ...positionOf(text, 'recovered }'),
      message: "unknown column 'recovered' (not in schema)",
    });
  });

  it('lets a window read a plain feature or an earlier derived feature', () => {
    valid(
      withFeatures(
        '{ name: confirmed, column: confirmed }',
        '{ name: new_cases, window: { op: diff, column: confirmed } }',
        '{ name: new_cases_7d, window: { op: sum, column: new_cases, rows: 7 } }',
      ),
    );
  });

  it('rejects a window reading a later feature or an unknown name', () => {
    const text = withFeatures(
      '{ name: new_cases_7d, window: { op: sum, column: new_cases, rows: 7 } }',
      '{ name: new_cases, window: { op: diff, column: confirmed } }',
      '{ name: x, window: { op: max, column: nothing, rows: 3 } }',
    );
    expect(messages(text)).toEqual([
      "/features/0/window/column: window column 'new_cases' is neither a schema column nor an earlier feature",
      "/features/2/window/column: window column 'nothing' is neither a schema column nor an earlier feature",
    ]);
  });

  it('rejects expectations naming missing columns, item by item', () => {
    const text = withExpectations(
      '{ expect: not_null, column: death, severity: reject }',
      '{ expect: compound_unique, columns: [country, day], severity: reject }',
    );
    expect(issuesOf(text).map((i) => [i.path, i.message, i.line, i.column])).toEqual([
      ['/expectations/0/column', "unknown column 'death' — did you mean 'deaths'?", 17, 33],
      ['/expectations/1/columns/1', "unknown column 'day' (not in schema)", 18, 51],
    ]);
  });

  it('rejects scope: view where it does not apply, at its line', () => {
    const text = withExpectations(
      '{ expect: not_null, column: deaths, severity: warn, scope: view }',
      '{ expect: row_count_between, min: 1, severity: reject, scope: view }',
      '{ expect: compound_unique, columns: [country, deaths], severity: fail, scope: view }',
      '{ expect: no_gaps, interval: P0D, severity: warn }',
    );
    expect(issuesOf(text).map((i) => [i.path, i.message, i.line])).toEqual([
      [
        '/expectations/0/scope',
        "expect 'not_null' does not accept scope: view (only row_count_between, compound_unique, no_gaps, fresh_within do)",
        17,
      ],
      [
        '/expectations/1/severity',
        'a scope: view expectation has no batch row to reject: use severity fail (the run rolls back) or warn',
        18,
      ],
      [
        '/expectations/2/columns',
        'compound_unique with scope: view checks the entity key and event time (country, date), not other columns',
        19,
      ],
      ['/expectations/3/interval', "duration 'P0D' must be longer than zero", 20],
    ]);
    valid(
      withExpectations(
        '{ expect: row_count_between, max: 100, severity: fail, scope: view }',
        '{ expect: compound_unique, columns: [date, country], severity: fail, scope: view }',
        '{ expect: no_gaps, interval: P1D, severity: warn, scope: view }',
        '{ expect: fresh_within, maxAge: P2D, severity: warn, scope: view }',
        '{ expect: row_count_between, max: 100, severity: reject, scope: batch }',
      ),
    );
  });

  it('compiles filter expressions: an unknown name is reported at the filter', () => {
    valid(baseWith('features:', "filters:\n  - { expr: 'confirmed > 0' }\nfeatures:"));
    expect(
      onlyIssue(baseWith('features:', "filters:\n  - { expr: 'nothing_here > 0' }\nfeatures:")).message,
    ).toMatch(/^unknown name nothing_here \(known: /);
    expect(onlyIssue(baseWith('features:', "filters:\n  - { expr: '' }\nfeatures:"))).toMatchObject({
      path: '/filters/0/expr',
      message: 'must not be empty or blank',
    });
  });
});

describe('compile checks: what a run would compile', () => {
  it('rejects a window over a schema column that no earlier feature keeps', () => {
    expect(messages(withFeatures('{ name: d, window: { op: diff, column: deaths } }'))).toEqual([
      expect.stringMatching(/^\/features\/0\/window\/column: .*must be a feature declared before this one/),
    ]);
  });

  it('rejects an expectation the quality engine cannot compile (aggregate over a string column)', () => {
    const text = withExpectations(
      '{ expect: mean_between, column: country, min: 0, max: 1, severity: warn }',
    );
    expect(onlyIssue(text)).toMatchObject({
      path: '/expectations/0',
      message: expect.stringMatching(/country/),
    });
  });

  it('rejects a derived expression naming an unknown column', () => {
    expect(
      messages(
        withFeatures('{ name: confirmed, column: confirmed }', "{ name: f, expr: 'confirmed / nope' }"),
      ),
    ).toEqual([expect.stringMatching(/^\/features\/1\/expr: .*nope/)]);
  });
});

describe('semantic checks: entity and event time', () => {
  it('rejects an entity key column not in schema', () => {
    const text = baseWith('key: [country]', 'key: [country, region]');
    expect(onlyIssue(text)).toMatchObject({
      path: '/entity/key/1',
      ...positionOf(text, 'region'),
      message: "entity key column 'region' is not in schema",
    });
  });

  it('rejects an entity key column that is not required', () => {
    expect(messages(baseWith('key: [country]', 'key: [country, deaths]'))).toEqual([
      "/entity/key/1: entity key column 'deaths' must be required: true (or listed in entity.nullable to allow a null part)",
    ]);
  });

  it('lets a key column be nullable when entity.nullable lists it, and checks that list', () => {
    valid(baseWith('key: [country]', 'key: [country, deaths]\n  nullable: [deaths]'));
    expect(
      messages(
        baseWith('key: [country]', 'key: [country]\n  nullable: [country, confirmd]').replace(
          '{ name: country, type: string, required: true',
          '{ name: country, type: string',
        ),
      ),
    ).toEqual([
      '/entity/nullable: at least one entity key column must not be nullable',
      "/entity/nullable/1: 'confirmd' is not an entity key column (key: country)",
    ]);
    expect(messages(baseWith('key: [country]', 'key: [country, date]\n  nullable: [date]'))).toEqual([
      "/entity/key/1: entity key column 'date' is listed in entity.nullable, so it cannot be required: true",
    ]);
  });

  it('suggests the nearest column for a misspelt key or event-time column', () => {
    expect(messages(baseWith('key: [country]', 'key: [contry]'))).toEqual([
      "/entity/key/0: entity key column 'contry' is not in schema — did you mean 'country'?",
    ]);
  });

  it('rejects an eventTime column not in schema', () => {
    const text = baseWith('eventTime: date', 'eventTime: day');
    expect(onlyIssue(text)).toMatchObject({
      path: '/eventTime',
      line: 7,
      column: 12,
      message: "eventTime column 'day' is not in schema",
    });
  });

  it('rejects an eventTime column that is not a date or timestamp, or not required', () => {
    expect(messages(baseWith('eventTime: date', 'eventTime: deaths'))).toEqual([
      "/eventTime: eventTime column 'deaths' must be of type date or timestamp, not integer",
      "/eventTime: eventTime column 'deaths' must be required: true",
    ]);
    valid(
      baseWith(
        '{ name: date, type: date, required: true }',
        '{ name: date, type: timestamp, required: true }',
      ),
    );
  });
});

describe('semantic checks: column constraints', () => {
  it.each([
    [
      'minimum: 0 }\n  - { name: deaths',
      'minimum: 10, maximum: 5 }\n  - { name: deaths',
      '/schema/2/minimum',
      'minimum 10 is greater than maximum 5',
    ],
    [
      'type: string, required: true }',
      'type: string, required: true, minLength: 4, maxLength: 3 }',
      '/schema/1/minLength',
      'minLength 4 is greater than maxLength 3',
    ],
    [
      'type: string, required: true }',
      "type: string, required: true, pattern: '[A-Z' }",
      '/schema/1/pattern',
      'invalid regular expression: ',
    ],
    [
      'type: string, required: true }',
      'type: string, required: true, minimum: 1 }',
      '/schema/1/minimum',
      "'minimum' applies to integer and number columns, not string",
    ],
    [
      'minimum: 0 }\n  - { name: deaths',
      'pattern: x }\n  - { name: deaths',
      '/schema/2/pattern',
      "'pattern' applies to string columns, not integer",
    ],
    [
      'type: string, required: true }',
      'type: string, required: true, enum: [FRA, 3] }',
      '/schema/1/enum/1',
      'enum value 3 is not a string',
    ],
    [
      'minimum: 0 }\n  - { name: deaths',
      'enum: [1, 2.5] }\n  - { name: deaths',
      '/schema/2/enum/1',
      'enum value 2.5 is not a integer',
    ],
  ])('rejects %s → %s', (search, replace, path, message) => {
    const issue = onlyIssue(baseWith(search, replace));
    expect(issue.path).toBe(path);
    expect(issue.message.startsWith(message)).toBe(true);
  });

  it('accepts equal bounds', () => {
    valid(baseWith('minimum: 0 }\n  - { name: deaths', 'minimum: 5, maximum: 5 }\n  - { name: deaths'));
  });
});

describe('semantic checks: patterns run on a linear-time engine', () => {
  const country = 'type: string, required: true }';
  it.each([
    ["pattern: '(a)\\1'", 'backreferences (\\1) are not supported: patterns run on a linear-time engine'],
    ["pattern: '^(?=FR)'", 'lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported'],
    ["pattern: '(?<!x)y'", 'lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported'],
  ])('refuses a column %s, naming its path', (pattern, message) => {
    const issue = onlyIssue(baseWith(country, `type: string, required: true, ${pattern} }`));
    expect(issue.path).toBe('/schema/1/pattern');
    expect(issue.message.startsWith(message)).toBe(true);
  });

  it('refuses a match_regex lookaround and a literal ~= backreference', () => {
    expect(
      messages(withExpectations("{ expect: match_regex, column: country, regex: '(?!US)', severity: warn }")),
    ).toEqual([
      '/expectations/0/regex: lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: patterns run on a linear-time engine (RE2 syntax)',
    ]);
    const got = messages(withFeatures(`{ name: odd, expr: 'country ~= "(.)\\\\1"' }`));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^\/features\/0\/expr: .*~= backreferences \(\\1\) are not supported/);
  });

  it('accepts the nested quantifiers a backtracking engine stalls on (RE2 runs them in linear time)', () => {
    valid(baseWith(country, "type: string, required: true, pattern: '^(a+)+b' }"));
    valid(withExpectations("{ expect: match_regex, column: country, regex: '^(a|a)*b', severity: warn }"));
  });
});

describe('semantic checks: expectations', () => {
  it.each([
    [
      '{ expect: between, column: deaths, severity: fail }',
      "/expectations/0: expect 'between' needs 'min' or 'max'",
    ],
    [
      '{ expect: in_set, column: deaths, severity: fail }',
      "/expectations/0/values: expect 'in_set' needs 'values'",
    ],
    [
      '{ expect: match_regex, column: country, severity: fail }',
      "/expectations/0/regex: expect 'match_regex' needs 'regex'",
    ],
    [
      '{ expect: row_count_between, severity: fail }',
      "/expectations/0: expect 'row_count_between' needs 'min' or 'max'",
    ],
    [
      '{ expect: compound_unique, severity: fail }',
      "/expectations/0/columns: expect 'compound_unique' needs 'columns'",
    ],
    [
      '{ expect: fresh_within, severity: fail }',
      "/expectations/0/maxAge: expect 'fresh_within' needs 'maxAge'",
    ],
    [
      '{ expect: of_type, column: deaths, severity: fail }',
      "/expectations/0/type: expect 'of_type' needs 'type'",
    ],
    [
      '{ expect: columns_match_set, severity: fail }',
      "/expectations/0/values: expect 'columns_match_set' needs 'values'",
    ],
    ['{ expect: not_null, severity: fail }', "/expectations/0/column: expect 'not_null' needs 'column'"],
  ])('requires the parameters of %s', (item, message) => {
    expect(messages(withExpectations(item))).toEqual([message]);
  });

  it('reports a missing parameter at the expectation', () => {
    const text = withExpectations('{ expect: between, column: deaths, severity: fail }');
    expect(onlyIssue(text)).toMatchObject({ line: 17, column: 5 });
  });

  it('rejects a parameter the expectation does not take, at the key', () => {
    const text = withExpectations("{ expect: not_null, column: deaths, regex: 'x', severity: fail }");
    expect(onlyIssue(text)).toMatchObject({
      path: '/expectations/0/regex',
      ...positionOf(text, 'regex'),
      message: "'regex' does not apply to expect 'not_null'",
    });
  });

  it('rejects mostly on expectations that do not count rows', () => {
    const text = withExpectations(
      '{ expect: row_count_between, min: 1, mostly: 0.9, severity: fail }',
      '{ expect: mean_between, column: deaths, max: 5, mostly: 0.9, severity: fail }',
    );
    expect(messages(text)).toEqual([
      "/expectations/0/mostly: 'mostly' does not apply to expect 'row_count_between': it does not count rows",
      "/expectations/1/mostly: 'mostly' does not apply to expect 'mean_between': it does not count rows",
    ]);
    expect(issuesOf(text)[0]).toMatchObject(positionOf(text, 'mostly'));
  });

  it('accepts mostly on row expectations and on unique / compound_unique', () => {
    valid(
      withExpectations(
        '{ expect: not_null, column: deaths, mostly: 0.9, severity: reject }',
        '{ expect: unique, column: deaths, mostly: 0.9, severity: warn }',
        '{ expect: compound_unique, columns: [country, date], mostly: 0.9, severity: warn }',
      ),
    );
  });

  it.each([
    [
      '{ expect: between, column: deaths, min: 5, max: 1, severity: fail }',
      '/expectations/0/min: min 5 is greater than max 1',
    ],
    [
      '{ expect: length_between, column: country, min: -1, severity: fail }',
      "/expectations/0/min: must be a whole number >= 0 for expect 'length_between'",
    ],
    [
      '{ expect: row_count_between, max: 2.5, severity: fail }',
      "/expectations/0/max: must be a whole number >= 0 for expect 'row_count_between'",
    ],
    [
      '{ expect: unique_proportion_between, column: country, max: 2, severity: fail }',
      "/expectations/0/max: must be between 0 and 1 for expect 'unique_proportion_between'",
    ],
    [
      "{ expect: match_regex, column: country, regex: '(a', severity: fail }",
      '/expectations/0/regex: invalid regular expression: ',
    ],
    [
      '{ expect: fresh_within, maxAge: 3 days, severity: fail }',
      "/expectations/0/maxAge: '3 days' is not an ISO-8601 duration",
    ],
  ])('checks the values of %s', (item, message) => {
    const got = messages(withExpectations(item));
    expect(got).toHaveLength(1);
    expect(got[0]!.startsWith(message)).toBe(true);
  });
});

describe('semantic checks: features and windows', () => {
  it.each([
    ['{ name: f }', 'none'],
    ['{ name: f, column: deaths, expr: deaths }', 'column and expr'],
    ['{ name: f, expr: deaths, window: { op: diff, column: deaths } }', 'expr and window'],
  ])('requires exactly one of column, expr, window: %s', (item, got) => {
    const text = withFeatures(item);
    expect(onlyIssue(text)).toMatchObject({
      path: '/features/0',
      line: 19,
      column: 5,
      message: `feature 'f' must have exactly one of column, expr, window; got ${got}`,
    });
  });

  it.each([
    [
      '{ op: sum, column: deaths }',
      "/features/0/window: window op 'sum' needs exactly one of 'rows' or 'duration'",
    ],
    [
      '{ op: mean, column: deaths, rows: 3, duration: P3D }',
      "/features/0/window: window op 'mean' needs exactly one of 'rows' or 'duration'",
    ],
    [
      '{ op: lag, column: deaths, rows: 3 }',
      "/features/0/window/rows: 'rows' does not apply to op 'lag' (use offset)",
    ],
    [
      '{ op: count, column: deaths, rows: 3, offset: 1 }',
      "/features/0/window/offset: 'offset' applies only to lag and diff",
    ],
    [
      '{ op: max, column: deaths, duration: 7 days }',
      "/features/0/window/duration: '7 days' is not an ISO-8601 duration (e.g. P2D, PT6H, P1W, P1DT12H)",
    ],
    [
      '{ op: min, column: deaths, duration: PT0S }',
      "/features/0/window/duration: duration 'PT0S' must be longer than zero",
    ],
  ])('checks the window %s', (window, message) => {
    expect(messages(withFeatures(`{ name: w, window: ${window} }`))).toEqual([message]);
  });

  it('accepts lag and diff with neither rows nor duration, and an offset', () => {
    valid(
      withFeatures(
        '{ name: deaths, column: deaths }',
        '{ name: a, window: { op: lag, column: deaths, offset: 2 } }',
        '{ name: b, window: { op: diff, column: deaths } }',
      ),
    );
  });
});

describe('semantic checks: source', () => {
  it.each([
    ['  type: csv\n', "/source/path: source type 'csv' needs 'path'"],
    ['  type: jsonl\n', "/source/path: source type 'jsonl' needs 'path'"],
    ['  type: nats\n', "/source/subject: source type 'nats' needs 'subject'"],
    ['  type: redis-stream\n', "/source/stream: source type 'redis-stream' needs 'stream'"],
    [
      '  type: csv\n  path: /var/data/*.csv\n',
      "/source/path: path '/var/data/*.csv' must be relative to the landing directory",
    ],
    [
      '  type: csv\n  path: C:\\data\\x.csv\n',
      "/source/path: path 'C:\\data\\x.csv' must be relative to the landing directory",
    ],
    [
      '  type: csv\n  path: ../secrets/*.csv\n',
      "/source/path: path '../secrets/*.csv' must not contain '..'",
    ],
    [
      '  type: jsonl\n  path: a/../../b.jsonl\n',
      "/source/path: path 'a/../../b.jsonl' must not contain '..'",
    ],
    [
      '  type: jsonl\n  path: a.jsonl\n  delimiter: ";"\n',
      "/source/delimiter: 'delimiter' does not apply to source type 'jsonl'",
    ],
    [
      '  type: nats\n  subject: cases\n  batch: { maxWait: soon }\n',
      "/source/batch/maxWait: 'soon' is not an ISO-8601 duration (e.g. P2D, PT6H, P1W, P1DT12H)",
    ],
  ])('checks the source %j', (lines, message) => {
    expect(messages(withSource(lines))).toEqual([message]);
  });

  it('accepts relative paths with dots in names, and streaming sources', () => {
    valid(withSource('  type: csv\n  path: covid..v2/./*.csv\n'));
    valid(withSource('  type: push\n'));
    valid(withSource('  type: redis-stream\n  stream: cases\n  batch: { maxRecords: 500, maxWait: PT5S }\n'));
  });

  it('points at the misplaced key', () => {
    const text = withSource('  type: push\n  path: x.csv\n');
    expect(onlyIssue(text)).toMatchObject({ path: '/source/path', line: 10, column: 3 });
  });
});

describe('semantic checks: schedule and sla', () => {
  const withSchedule = (s: string): string => BASE + `schedule: ${s}\n`;

  it.each([
    [
      "{ cron: '61 6 * * *' }",
      "invalid cron expression '61 6 * * *': Constraint error, got value 61 expected range 0-59",
    ],
    [
      "{ cron: '0 6 * *' }",
      "invalid cron expression '0 6 * *': expected 5 fields (minute hour day month weekday) or 6 with seconds, got 4",
    ],
    ["{ cron: 'every day' }", "invalid cron expression 'every day': expected 5 fields"],
    ["{ cron: '0 0 6 * * * *' }", "invalid cron expression '0 0 6 * * * *': expected 5 fields"],
    ["{ cron: '0 6 * * MON-XYZ' }", "invalid cron expression '0 6 * * MON-XYZ': "],
  ])('rejects the cron %s with the reason', (schedule, message) => {
    const text = withSchedule(schedule);
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ path: '/schedule/cron', line: 20 });
    expect(issue.message.startsWith(message)).toBe(true);
  });

  it.each([
    "{ cron: '0 6 * * *' }",
    "{ cron: '30 0 6 * * 1-5' }",
    "{ cron: '@daily', timezone: America/New_York }",
    '{ onArrival: true }',
  ])('accepts the schedule %s', (schedule) => valid(withSchedule(schedule)));

  it('rejects an unknown time zone', () => {
    expect(messages(withSchedule("{ cron: '0 6 * * *', timezone: Europe/Atlantis }"))).toEqual([
      "/schedule/timezone: unknown time zone 'Europe/Atlantis' (use an IANA name such as Europe/Paris)",
    ]);
  });

  it.each(['P2X', '2D', 'P', 'PT', 'P1DT', 'p2d', 'P-1D', 'P1.5D'])('rejects the sla freshness %s', (d) => {
    const text = BASE + `sla: { freshness: '${d}' }\n`;
    expect(onlyIssue(text)).toMatchObject({
      path: '/sla/freshness',
      line: 20,
      column: 19,
      message: `'${d}' is not an ISO-8601 duration (e.g. P2D, PT6H, P1W, P1DT12H)`,
    });
  });

  it('rejects a zero freshness', () => {
    expect(messages(BASE + 'sla: { freshness: P0D }\n')).toEqual([
      "/sla/freshness: duration 'P0D' must be longer than zero",
    ]);
  });
});

describe('semantic checks: interplay with the meta-schema', () => {
  it('still runs checks on parts the structural errors do not touch', () => {
    const text = baseWith('name: deaths, type: integer', 'name: deaths, type: int').replace(
      'column: deaths, mostly',
      'column: death, mostly',
    );
    expect(messages(text)).toEqual([
      "/schema/3/type: must be one of: string, integer, number, boolean, date, timestamp; got 'int'",
      "/expectations/0/column: unknown column 'death' — did you mean 'deaths'?",
    ]);
  });

  it('skips checks whose input is malformed instead of reporting noise', () => {
    // `key` is not a list: the entity-key check must not run (or crash) on it.
    const text = baseWith('key: [country]', 'key: country');
    expect(messages(text)).toEqual(["/entity/key: must be a list; got 'country'"]);
    // A column with no name makes every reference check unreliable: only the real error is reported.
    const noName = baseWith('{ name: deaths, type: integer, minimum: 0 }', '{ type: integer, minimum: 0 }');
    expect(messages(noName)).toEqual(["/schema/3/name: missing required key 'name'"]);
  });
});
