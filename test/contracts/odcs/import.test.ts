/**
 * ODCS → contract: the standard's own examples import or are refused with a precise
 * reason at their line; whatever a document holds that a contract cannot is reported
 * at its line, never dropped in silence; a document the ODCS schema refuses, or whose
 * contract would fail its checks, is refused at the ODCS line that causes it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importOdcs, type OdcsImportOptions } from '../../../src/contracts/odcs/import';
import { ContractValidationError, formatIssue } from '../../../src/errors';
import { REPO } from '../../support/cli';

const EXAMPLES = join(REPO, 'test/fixtures/odcs/examples');
const example = (name: string) => readFileSync(join(EXAMPLES, `${name}.odcs.yaml`), 'utf8');

/** The refusal, one `line:column path: message` per problem. */
function refusal(text: string, opts: Partial<OdcsImportOptions> = {}): string[] {
  try {
    importOdcs(text, { file: 'doc.odcs.yaml', ...opts });
  } catch (e) {
    if (!(e instanceof ContractValidationError)) throw e;
    return e.issues.map((i) => formatIssue(i).replace(/^doc\.odcs\.yaml:?/, ''));
  }
  throw new Error('expected the import to be refused');
}

function imported(text: string, opts: Partial<OdcsImportOptions> = {}) {
  const r = importOdcs(text, { file: 'doc.odcs.yaml', ...opts });
  return { ...r, lostLines: r.lost.map((i) => formatIssue(i).replace(/^doc\.odcs\.yaml:/, '')) };
}

const NO_TEAM =
  '1:1 /: the document names no team: Tidemark names an owner in reports and the audit trail; add team.name or pass --owner';
const noKey = (at: string) =>
  `${at}: no property is a primaryKey: Tidemark needs the entity key (the column(s) identifying an entity): mark them primaryKey: true, or pass --key column[,column]`;
const noTime = (at: string) =>
  `${at}: no date or timestamp property: Tidemark needs an event time column (when each row happened) for point-in-time reads; add one, or pass --event-time`;

/** A minimal valid document; `extra` is appended at top level. */
function doc(properties: string, extra = ''): string {
  return `apiVersion: v3.1.0
kind: DataContract
id: readings
name: readings
version: 1.0.0
status: draft
team: { name: sensors }
schema:
  - name: readings
    properties:
${properties}
${extra}`;
}
const KEY_AND_TIME = `      - { name: sensor, logicalType: string, primaryKey: true }
      - { name: at, logicalType: timestamp }
      - { name: v, logicalType: number }`;

describe('the ODCS examples', () => {
  it('all-data-types: refused without an owner, a key and a choice among three timestamps', () => {
    expect(refusal(example('all-data-types'))).toEqual([
      NO_TEAM,
      noKey('14:7 /schema/0/properties'),
      '14:7 /schema/0/properties: 3 date/timestamp properties (txn_ref_date, txn_timestamp, txn_timestamp_tz): say which is the event time with --event-time',
    ]);
  });

  it('all-data-types: imports given them, and names every option it cannot keep', () => {
    const r = imported(example('all-data-types'), {
      owner: 'payments',
      key: ['account_id'],
      eventTime: 'txn_timestamp',
    });
    expect(r.contract).toMatchObject({
      name: 'my_table',
      version: '1.0.0',
      owner: 'payments',
      eventTime: 'txn_timestamp',
    });
    expect(r.contract.schema).toEqual([
      {
        name: 'account_id',
        type: 'string',
        minLength: 11,
        maxLength: 11,
        pattern: 'ACC[0-9]{8}',
        required: true,
      },
      { name: 'txn_ref_date', type: 'date' },
      { name: 'txn_timestamp', type: 'timestamp', required: true },
      { name: 'txn_timestamp_tz', type: 'timestamp' },
      { name: 'txn_time', type: 'string' },
      { name: 'amount', type: 'number', minimum: 0 },
      // exclusiveMaximum 100 on integers is maximum 99: the same set of values.
      { name: 'age', type: 'integer', minimum: 18, maximum: 99 },
      { name: 'is_open', type: 'boolean' },
    ]);
    expect(r.lostLines).toHaveLength(28);
    expect(r.lostLines).toEqual(
      expect.arrayContaining([
        "3:5 /id: id '53581432-6c55-4ba2-a65f-72344a91553a' not kept: Tidemark identifies a contract by name and version (my_table)",
        '6:1 /dataProduct: dataProduct has no Tidemark equivalent; not kept',
        '27:11 /schema/0/properties/1/logicalTypeOptions/format: format "yyyy-MM-dd" not kept: Tidemark reads values by their type, not by a declared format',
        "46:22 /schema/0/properties/4/logicalType: logicalType time: Tidemark has no time-of-day type; column 'txn_time' is read as a string",
        "68:9 /schema/0/properties/8: property 'latest_txns' (logicalType array) not imported: Tidemark columns hold one scalar value (string, integer, number, boolean, date, timestamp)",
        "75:9 /schema/0/properties/9: property 'customer_details' (logicalType object) not imported: Tidemark columns hold one scalar value (string, integer, number, boolean, date, timestamp)",
      ]),
    );
    // In file order, so the report reads beside the document.
    const lineNumbers = r.lostLines.map((l) => Number(l.split(':')[0]));
    expect(lineNumbers).toEqual([...lineNumbers].sort((a, b) => a - b));
    expect(r.notes).toContain(
      "column 'account_id' made required: it is a key column, which every row must have",
    );
  });

  it('column-completeness: refused for want of an owner and an event time', () => {
    expect(refusal(example('column-completeness'))).toEqual([NO_TEAM, noTime('17:5 /schema/0/properties')]);
  });

  it('column-completeness with a team and a date: the nullValues rule is not_null, its scheduling reported', () => {
    const text =
      example('column-completeness') +
      '    - { name: measured_on, logicalType: date }\n    - { name: value, logicalType: number }\nteam: { name: air }\n';
    const r = imported(text);
    expect(r.contract.entity).toEqual({ name: 'UniqueID', key: ['UniqueID'] });
    expect(r.contract.expectations).toEqual([
      {
        expect: 'not_null',
        column: 'UniqueID',
        severity: 'fail',
        description: 'This column should not contain null values',
      },
    ]);
    expect(r.lostLines).toEqual([
      "4:5 /id: id '53581432-6c55-4ba2-a65f-72344a91553a' not kept: Tidemark identifies a contract by name and version (my_table)",
      "5:9 /status: status 'active' not kept: a Tidemark version's status comes from its promotions (tidemark contracts promote)",
      '10:5 /schema/0/authoritativeDefinitions: table authoritativeDefinitions [{"url":"https://catalog.data.gov/dataset/air-quality","t... has no Tidemark equivalent; not kept',
      '13:5 /schema/0/dataGranularityDescription: table dataGranularityDescription "Raw records" has no Tidemark equivalent; not kept',
      '15:5 /schema/0/tags: table tags ["nyc","regional"] has no Tidemark equivalent; not kept',
      '19:7 /schema/0/properties/0/businessName: property businessName "Unique identifier" has no Tidemark equivalent; not kept',
      "21:21 /schema/0/properties/0/physicalType: physicalType 'int' not kept: Tidemark types columns by logical type (number, held as double)",
      '29:9 /schema/0/properties/0/quality/0/businessImpact: rule businessImpact "operational" has no Tidemark equivalent; not kept',
      '30:9 /schema/0/properties/0/quality/0/scheduler: rule scheduler "cron" has no Tidemark equivalent; not kept',
      '31:9 /schema/0/properties/0/quality/0/schedule: rule schedule "0 20 * * *" has no Tidemark equivalent; not kept',
    ]);
  });

  it('column-validity: refused for want of an owner and an event time', () => {
    expect(refusal(example('column-validity'))).toEqual([NO_TEAM, noTime('16:5 /schema/0/properties')]);
  });

  it('column-validity with a team and a date: invalidValues ≤ 5 percent is in_set mostly 0.95, the null reported', () => {
    const text =
      example('column-validity') +
      '    - { name: measured_on, logicalType: date }\n    - { name: value, logicalType: number }\nteam: { name: air }\n';
    const r = imported(text);
    expect(r.contract.expectations).toEqual([
      {
        expect: 'in_set',
        column: 'air_quality_status',
        values: ['', 'n/a'],
        mostly: 0.95,
        severity: 'fail',
        description: 'This column should be filled in 95% of the time',
      },
    ]);
    expect(r.lostLines).toContain(
      '24:9 /schema/0/properties/0/quality/0/arguments: null in validValues not kept: in Tidemark a null passes in_set and is checked by not_null or required',
    );
  });

  it('database-table-sla: refused, it describes no table', () => {
    expect(refusal(example('database-table-sla'))).toEqual([
      '8:9 /schema: the document describes no table (schema is empty): a Tidemark contract is the columns of one table',
    ]);
  });

  it('database-table-sla with a table: latency is the freshness, every other SLA property reported', () => {
    const table =
      'schema: [{ name: tab1, properties: [{ name: id, logicalType: string, primaryKey: true }, { name: txn_ref_dt, logicalType: date }, { name: v, logicalType: number }] }]';
    const text = example('database-table-sla')
      .replace('schema: []', table)
      .replace('dataProduct: my_quantum', 'team: { name: sla }');
    const r = imported(text);
    expect(r.contract.sla).toEqual({ freshness: 'P4D' });
    expect(r.contract.eventTime).toBe('txn_ref_dt');
    expect(r.lostLines.filter((l) => l.includes('/slaProperties'))).toEqual([
      "15:5 /slaProperties/1: SLA property 'generalAvailability' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "18:5 /slaProperties/2: SLA property 'endOfSupport' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "20:5 /slaProperties/3: SLA property 'endOfLife' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "22:5 /slaProperties/4: SLA property 'retention' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "26:5 /slaProperties/5: SLA property 'frequency' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "31:5 /slaProperties/6: SLA property 'timeOfAvailability' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
      "35:5 /slaProperties/7: SLA property 'timeOfAvailability' not kept: Tidemark's SLA is freshness (the ODCS latency of the event time)",
    ]);
  });

  it('table-column-description: refused without an owner and a key; its one date cannot be both key and feature', () => {
    expect(refusal(example('table-column-description'))).toEqual([
      NO_TEAM,
      noKey('13:7 /schema/0/properties'),
    ]);
    expect(refusal(example('table-column-description'), { owner: 'payments', key: ['txn_ref_dt'] })).toEqual([
      '13:7 /schema/0/properties: no column besides the key and the event time (txn_ref_dt) to serve as a feature; a contract serves at least one',
    ]);
  });

  it('table-column: refused without an owner, a key and an event time', () => {
    expect(refusal(example('table-column'))).toEqual([
      NO_TEAM,
      noKey('12:5 /schema/0/properties'),
      noTime('12:5 /schema/0/properties'),
    ]);
  });
});

describe('ODCS import', () => {
  it('refuses a document the ODCS v3.1.0 schema refuses, at the line', () => {
    const text = doc(KEY_AND_TIME)
      .replace('kind: DataContract', 'kind: Contract')
      .replace('id: readings\n', '');
    expect(refusal(text)).toEqual([
      "1:1 /id: not a valid ODCS v3.1.0 document: 'id' is required by ODCS v3.1.0",
      '2:7 /kind: not a valid ODCS v3.1.0 document: must be one of "DataContract"',
    ]);
  });

  it('refuses YAML that does not parse, at the line', () => {
    expect(refusal('apiVersion: v3.1.0\nkind: [DataContract\n')[0]).toMatch(/^\d+:\d+ \/: /);
  });

  it('reports every rule it cannot run, with the reason', () => {
    const properties = `${KEY_AND_TIME}
      - name: level
        logicalType: number
        quality:
          - { type: text, description: Levels are calibrated weekly. }
          - { type: sql, query: 'SELECT COUNT(*) FROM readings WHERE level < 0', mustBe: 0 }
          - { type: custom, engine: soda, implementation: 'missing_count(level) = 0' }
          - { metric: missingValues, arguments: { missingValues: [null, ''] }, mustBe: 0 }
          - { metric: nullValues, mustBeLessThan: 3, unit: rows }
          - { metric: nullValues, mustBe: 0, severity: critical }`;
    const quality = `    quality:
      - { metric: rowCount, mustNotBe: 0 }
      - { metric: nullValues, mustBe: 0 }`;
    const r = imported(doc(properties, '').replace('    properties:', `${quality}\n    properties:`));
    expect(r.contract.expectations).toEqual([{ expect: 'not_null', column: 'level', severity: 'warn' }]);
    expect(r.lostLines).toEqual([
      "6:9 /status: status 'draft' not kept: a Tidemark version's status comes from its promotions (tidemark contracts promote)",
      '11:9 /schema/0/quality/0: quality rule not imported: rowCount with mustNotBe or mustNotBeBetween has no equivalent (row_count_between takes one range)',
      '12:9 /schema/0/quality/1: quality rule not imported: nullValues needs a property: put the rule under the column it checks',
      '20:13 /schema/0/properties/3/quality/0: quality rule not imported: a text rule describes quality in words; Tidemark runs only rules it can check',
      '21:13 /schema/0/properties/3/quality/1: quality rule not imported: an SQL rule runs a query against a database; Tidemark checks rows as it ingests them and runs no SQL from a contract',
      "22:13 /schema/0/properties/3/quality/2: quality rule not imported: a custom rule for engine 'soda' runs in that engine; Tidemark runs only engine 'tidemark' rules",
      "23:13 /schema/0/properties/3/quality/3: quality rule not imported: missingValues counts values from arguments.missingValues as missing; Tidemark reads such tokens as null with the source's nullValues, then checks them with not_null (a nullValues rule)",
      '24:13 /schema/0/properties/3/quality/4: quality rule not imported: Tidemark bounds failing rows as a share (mustBe: 0, or mustBeLessOrEqualTo N with unit: percent); mustBeLessThan 3 rows has no equivalent',
      '25:46 /schema/0/properties/3/quality/5/severity: severity "critical" is not info, warning or error; read as warn (reported, blocks nothing)',
    ]);
  });

  it('maps rowCount operators to row_count_between, strict bounds to the next whole number', () => {
    const rules = (q: string) =>
      imported(
        doc(KEY_AND_TIME, '').replace('    properties:', `    quality:\n      - ${q}\n    properties:`),
      ).contract.expectations;
    expect(rules('{ metric: rowCount, mustBeGreaterThan: 0 }')).toEqual([
      { expect: 'row_count_between', min: 1, severity: 'warn' },
    ]);
    expect(rules('{ metric: rowCount, mustBeLessThan: 100, severity: error }')).toEqual([
      { expect: 'row_count_between', max: 99, severity: 'fail' },
    ]);
    expect(rules('{ metric: rowCount, mustBe: 7 }')).toEqual([
      { expect: 'row_count_between', min: 7, max: 7, severity: 'warn' },
    ]);
  });

  it('names a column that is not an identifier after it, read from the original name', () => {
    const r = imported(doc(`${KEY_AND_TIME}\n      - { name: Country/Region, logicalType: string }`));
    expect(r.contract.schema[3]).toEqual({ name: 'country_region', type: 'string', from: 'Country/Region' });
    expect(r.notes).toContain(
      "column 'Country/Region' is named 'country_region' (an identifier) and read from 'Country/Region'",
    );
  });

  it('reads a type from physicalType when there is no logicalType', () => {
    const r = imported(
      doc(
        `${KEY_AND_TIME}\n      - { name: n, physicalType: 'VARCHAR(20)' }\n      - { name: m, physicalType: INT64 }`,
      ),
    );
    expect(r.contract.schema.slice(3).map((c) => c.type)).toEqual(['string', 'integer']);
  });

  it('takes the owner from a v3.0 team list, reporting the other members', () => {
    const text = doc(KEY_AND_TIME).replace(
      'team: { name: sensors }',
      'team:\n  - { username: ann, role: owner }\n  - { username: bob, role: steward }',
    );
    const r = imported(text);
    expect(r.contract.owner).toBe('ann');
    expect(r.lostLines).toContain("9:5 /team/1: team member 'bob' not kept: a contract names one owner");
  });

  it('refuses a document with several tables unless one is chosen; the others are reported', () => {
    const text = doc(KEY_AND_TIME, '  - { name: other, properties: [{ name: x, logicalType: string }] }');
    expect(refusal(text)).toEqual([
      "9:3 /schema: the document describes 2 tables ('readings', 'other'); a contract is one table: choose one with --table",
    ]);
    expect(imported(text, { table: 'readings' }).lostLines).toContain(
      "14:5 /schema/1: table 'other' not imported (one contract describes one table; import it with --table other)",
    );
  });

  it('refuses a name that is not a contract name, and takes --name instead', () => {
    const text = doc(KEY_AND_TIME).replace('name: readings\nversion', 'name: Readings Table\nversion');
    expect(refusal(text)).toEqual([
      "4:7 /name: name 'Readings Table' is not a Tidemark contract name (lower case letters, digits and _, starting with a letter, at most 63 characters): pass --name",
    ]);
    expect(imported(text, { name: 'readings' }).contract.name).toBe('readings');
  });

  it('refuses what the contract checks refuse, at the ODCS line it came from', () => {
    const properties = `${KEY_AND_TIME}
      - name: level
        logicalType: number
        quality:
          - { type: custom, engine: tidemark, implementation: { expect: between, column: levle, min: 0 } }`;
    expect(refusal(doc(properties))).toEqual([
      "17:13 /schema/0/properties/3/quality/0: the contract would not pass its checks: /expectations/0/column: unknown column 'levle' (not in schema)",
    ]);
    const badKey = doc(KEY_AND_TIME.replace('primaryKey: true', 'primaryKey: true, required: false'));
    expect(refusal(badKey)[0]).toMatch(
      /^11:9 \/schema\/0\/properties\/0: the contract would not pass its checks: \/entity\/key\/0: entity key column 'sensor' must be required: true/,
    );
  });

  it('reads custom properties it does not know as not kept, its own as the contract', () => {
    const extra = `customProperties:
  - { property: tidemarkEventTime, value: at }
  - { property: tidemarkFeatures, value: [{ name: level, column: level }, { name: level_max_7d, window: { op: max, column: level, duration: P7D } }] }
  - { property: refRulesetName, value: gcsc.ruleset.name }`;
    const r = imported(doc(`${KEY_AND_TIME}\n      - { name: level, logicalType: number }`, extra));
    expect(r.contract.features).toEqual([
      { name: 'level', column: 'level' },
      { name: 'level_max_7d', window: { op: 'max', column: 'level', duration: 'P7D' } },
    ]);
    expect(r.lostLines).toEqual([
      "6:9 /status: status 'draft' not kept: a Tidemark version's status comes from its promotions (tidemark contracts promote)",
      "18:5 /customProperties/2: custom property 'refRulesetName' is not one Tidemark reads; not kept",
    ]);
  });
});
