/**
 * Contract → ODCS v3.1.0: every document validates against the standard's JSON
 * Schema, the mapping of each part is the documented one, and export → import →
 * export is stable for every contract in contracts/ and for the fixture using every
 * key of the format.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseContract } from '../../../src/contracts/parse';
import type { Contract } from '../../../src/domain/contract';
import { expectationKey } from '../../../src/contracts/compatibility/expectations';
import { diffContracts } from '../../../src/contracts/compatibility';
import { odcsStatus, toOdcs, toOdcsYaml } from '../../../src/contracts/odcs/export';
import { importOdcs } from '../../../src/contracts/odcs/import';
import { odcsSchemaFindings } from '../../../src/contracts/odcs/validate';
import { REPO } from '../../support/cli';

const read = (file: string): Contract => parseContract(readFileSync(file, 'utf8'), file).contract;

const files = [
  ...readdirSync(join(REPO, 'contracts'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(REPO, 'contracts', f)),
  join(REPO, 'test/fixtures/contracts/country_daily.full.yaml'),
];

// A document read freely: the schema test above already vouches for its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
const table = (doc: Obj) => doc.schema[0] as Obj;
const prop = (doc: Obj, name: string) => table(doc).properties.find((p: Obj) => p.name === name) as Obj;
const custom = (doc: Obj, property: string) =>
  doc.customProperties.find((p: Obj) => p.property === property)?.value;
const sortedExpectations = (c: Contract) =>
  [...c.expectations].sort((a, b) => expectationKey(a).localeCompare(expectationKey(b)));

describe('ODCS export', () => {
  it('covers every contract in contracts/ (the round trip below runs on each)', () => {
    expect(files.map((f) => f.slice(REPO.length + 1))).toEqual([
      'contracts/card_transactions.yaml',
      'contracts/country_daily.yaml',
      'test/fixtures/contracts/country_daily.full.yaml',
    ]);
  });

  for (const file of files) {
    const short = file.slice(REPO.length + 1);
    it(`${short}: valid ODCS v3.1.0; export → import → export is stable and loses nothing`, () => {
      const contract = read(file);
      const first = toOdcsYaml(contract, { status: 'active' });
      expect(odcsSchemaFindings(parse(first))).toEqual([]);
      const back = importOdcs(first, { file: 'exported.odcs.yaml' });
      expect(toOdcsYaml(back.contract, { status: 'active' })).toBe(first);
      // Only the status is left behind: it comes from promotions, not from the file.
      expect(back.lost.map((l) => l.path)).toEqual(['/status']);
      expect(back.notes).toEqual([]);
      // The same contract, expectations regrouped by column (a cosmetic reordering at most).
      expect({ ...back.contract, expectations: sortedExpectations(back.contract) }).toEqual({
        ...contract,
        expectations: sortedExpectations(contract),
      });
      expect(diffContracts(contract, back.contract).filter((c) => c.class !== 'cosmetic')).toEqual([]);
      // The produced YAML is itself a valid contract with the same content hash modulo order.
      expect(parseContract(back.yaml, 'back.yaml').contract).toEqual(back.contract);
    });
  }

  it('maps identity, team, description, tags and status', () => {
    const doc = toOdcs(read(files[2]!), { status: 'proposed' });
    expect(doc).toMatchObject({
      apiVersion: 'v3.1.0',
      kind: 'DataContract',
      id: 'country_daily',
      name: 'country_daily',
      version: '1.2.0',
      status: 'proposed',
      description: { purpose: 'Daily cumulative case counts per country.' },
      team: { name: 'epidemiology' },
      tags: ['epidemiology', 'daily'],
    });
    expect(toOdcs(read(files[1]!)).status).toBe('draft');
    expect(odcsStatus(['dev'])).toBe('active');
    expect(odcsStatus([])).toBe('proposed');
  });

  it('writes columns with logical and physical types, key positions, constraints and source names', () => {
    const doc = toOdcs(read(files[2]!));
    expect(table(doc)).toMatchObject({ name: 'country_daily', physicalType: 'table', logicalType: 'object' });
    expect(prop(doc, 'date')).toEqual({
      name: 'date',
      logicalType: 'date',
      physicalType: 'date',
      physicalName: 'Date_reported',
      required: true,
    });
    expect(prop(doc, 'country')).toMatchObject({
      logicalType: 'string',
      physicalType: 'text',
      required: true,
      unique: false,
      primaryKey: true,
      primaryKeyPosition: 1,
      logicalTypeOptions: { minLength: 3, maxLength: 3, pattern: '^[A-Z]{3}$' },
    });
    expect(prop(doc, 'positivity')).toMatchObject({
      logicalType: 'number',
      physicalType: 'double',
      logicalTypeOptions: { minimum: 0, maximum: 1 },
    });
    expect(prop(doc, 'confirmed')).toMatchObject({ logicalType: 'integer', physicalType: 'bigint' });
    expect(prop(doc, 'updated_at')).toMatchObject({ logicalType: 'timestamp', physicalType: 'timestamp' });
    expect(prop(doc, 'deaths').description).toBe('Cumulative deaths.');
  });

  it('numbers composite key parts in key order', () => {
    const c = read(files[1]!);
    c.entity.key = ['date', 'country'];
    const doc = toOdcs(c);
    expect([prop(doc, 'date').primaryKeyPosition, prop(doc, 'country').primaryKeyPosition]).toEqual([1, 2]);
  });

  it('maps expectations to library metrics where ODCS has one, and to engine tidemark rules otherwise', () => {
    const doc = toOdcs(read(files[2]!));
    const rules = (name: string) => prop(doc, name).quality as Obj[];
    expect(rules('deaths')[0]).toEqual({
      type: 'library',
      metric: 'nullValues',
      mustBeLessOrEqualTo: 1,
      unit: 'percent',
      dimension: 'completeness',
      severity: 'error',
      customProperties: [{ property: 'tidemarkSeverity', value: 'reject' }],
    });
    // A column enum is an invalidValues rule marked as the column's constraint.
    expect(rules('region')[0]).toMatchObject({
      metric: 'invalidValues',
      arguments: { validValues: ['AFRO', 'AMRO', 'EMRO', 'EURO', 'SEARO', 'WPRO'] },
      mustBe: 0,
      customProperties: [{ property: 'tidemarkConstraint', value: 'enum' }],
    });
    expect(rules('country').map((r) => r.metric ?? r.implementation.expect)).toEqual([
      'not_in_set',
      'invalidValues',
      'length_between',
      'unique_proportion_between',
    ]);
    expect(rules('country')[1]).toMatchObject({ arguments: { pattern: '^[A-Z]+$' }, mustBe: 0 });
    expect(rules('positivity')[0]).toEqual({
      type: 'custom',
      engine: 'tidemark',
      implementation: { expect: 'between', column: 'positivity', min: 0, max: 1 },
      dimension: 'accuracy',
      severity: 'error',
      customProperties: [{ property: 'tidemarkSeverity', value: 'reject' }],
    });
    const tableRules = table(doc).quality as Obj[];
    expect(tableRules.find((r) => r.metric === 'rowCount')).toMatchObject({
      mustBeBetween: [1, 10_000_000],
      unit: 'rows',
      severity: 'error',
    });
    expect(tableRules.find((r) => r.metric === 'duplicateValues')).toMatchObject({
      arguments: { properties: ['country', 'date'] },
      mustBe: 0,
    });
    expect(tableRules.find((r) => r.implementation?.expect === 'fresh_within')).toMatchObject({
      description: 'Reports arrive daily.',
      dimension: 'timeliness',
    });
  });

  it('writes the freshness SLA as latency on the event time in the largest exact unit', () => {
    const c = read(files[1]!);
    const latency = (freshness: string) => {
      c.sla = { freshness };
      return (toOdcs(c).slaProperties as Obj[])[0];
    };
    expect(latency('P2D')).toEqual({
      property: 'latency',
      value: 2,
      unit: 'd',
      element: 'country_daily.date',
    });
    expect(latency('PT48H')).toMatchObject({ value: 2, unit: 'd' });
    expect(latency('PT90M')).toMatchObject({ value: 90, unit: 'm' });
    expect(latency('PT1H')).toMatchObject({ value: 1, unit: 'h' });
    delete c.sla;
    expect(toOdcs(c).slaProperties).toBeUndefined();
  });

  it('keeps what ODCS has no field for in customProperties', () => {
    const c = read(files[2]!);
    const doc = toOdcs(c) as Obj;
    expect(doc.customProperties.map((p: Obj) => p.property)).toEqual([
      'tidemarkEntity',
      'tidemarkEventTime',
      'tidemarkSource',
      'tidemarkFeatures',
      'tidemarkFilters',
      'tidemarkSchedule',
      'tidemarkPolicy',
      'tidemarkLinks',
    ]);
    expect(custom(doc, 'tidemarkEntity')).toEqual({
      name: 'country',
      description: 'ISO 3166-1 alpha-3 country code.',
    });
    expect(custom(doc, 'tidemarkFeatures')).toEqual(c.features);
    expect(custom(doc, 'tidemarkSource')).toEqual(c.source);
  });
});
