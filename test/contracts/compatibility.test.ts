import { describe, expect, it } from 'vitest';
import { diffContracts, type ContractChange } from '../../src/contracts/compatibility';
import type { Contract } from '../../src/domain/contract';

function baseContract(): Contract {
  return {
    name: 'country_daily',
    version: '1.2.0',
    owner: 'epidemiology',
    description: 'Daily cumulative case counts per country.',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'csv', path: 'covid/*.csv', nullValues: ['', 'NA'] },
    schema: [
      { name: 'date', type: 'date', required: true },
      { name: 'country', type: 'string', required: true },
      { name: 'confirmed', type: 'integer', required: true, minimum: 0 },
      { name: 'deaths', type: 'integer', minimum: 0 },
      { name: 'status', type: 'string', enum: ['open', 'closed'] },
    ],
    expectations: [
      { expect: 'non_decreasing', column: 'confirmed', severity: 'warn' },
      { expect: 'not_null', column: 'deaths', mostly: 0.99, severity: 'reject' },
      { expect: 'in_set', column: 'status', values: ['open', 'closed'], severity: 'reject' },
      { expect: 'row_count_between', min: 1, max: 10_000_000, severity: 'fail' },
    ],
    filters: [{ expr: "country != 'XXX'" }],
    features: [
      { name: 'confirmed', column: 'confirmed' },
      { name: 'new_cases', window: { op: 'diff', column: 'confirmed' } },
      { name: 'new_cases_7d', window: { op: 'sum', column: 'new_cases', rows: 7 } },
      { name: 'cases_week', window: { op: 'sum', column: 'new_cases', duration: 'P7D' } },
      { name: 'fatality', expr: 'deaths / confirmed' },
    ],
    schedule: { cron: '0 6 * * *', onArrival: true },
    sla: { freshness: 'P2D' },
    policy: { onNewVersion: 'backfill' },
    tags: ['covid'],
    links: { docs: 'https://example.org/covid' },
  };
}

type Edit = (c: Contract) => void;

function variant(edit: Edit): Contract {
  const c = structuredClone(baseContract());
  edit(c);
  return c;
}

/** Compact, order-preserving view of a diff: "class rule path". */
function summary(changes: ContractChange[]): string[] {
  return changes.map((c) => `${c.class} ${c.rule} ${c.path}`);
}

const col = (c: Contract, name: string) => c.schema.find((s) => s.name === name)!;
const feat = (c: Contract, name: string) => c.features.find((f) => f.name === name)!;
const exp = (c: Contract, expect: string) => c.expectations.find((e) => e.expect === expect)!;

/**
 * Each case: an edit from the base contract, the diff it produces (base → edited),
 * and the diff of the reverse (edited → base). Both directions are classified.
 */
interface Case {
  title: string;
  from?: Edit;
  to: Edit;
  forward: string[];
  reverse: string[];
}

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.title, () => {
      const a = variant(c.from ?? (() => {}));
      const b = variant((x) => {
        c.from?.(x);
        c.to(x);
      });
      expect(summary(diffContracts(a, b))).toEqual(c.forward);
      expect(summary(diffContracts(b, a))).toEqual(c.reverse);
    });
  }
}

describe('diffContracts: columns', () => {
  runCases([
    {
      title: 'column removed is breaking; adding an optional column back is additive',
      to: (c) => (c.schema = c.schema.filter((s) => s.name !== 'deaths')),
      forward: ['breaking column.removed /schema/deaths'],
      reverse: ['additive column.added /schema/deaths'],
    },
    {
      title: 'new required column is breaking both ways',
      to: (c) => c.schema.push({ name: 'recovered', type: 'integer', required: true }),
      forward: ['breaking column.added_required /schema/recovered'],
      reverse: ['breaking column.removed /schema/recovered'],
    },
    {
      title: 'integer → number widens, breaking for typed consumers; number → integer is breaking',
      to: (c) => (col(c, 'deaths').type = 'number'),
      forward: ['breaking column.type_widened /schema/deaths/type'],
      reverse: ['breaking column.type_changed /schema/deaths/type'],
    },
    {
      title: 'integer ↔ string is breaking both ways',
      to: (c) => (col(c, 'deaths').type = 'string'),
      forward: ['breaking column.type_changed /schema/deaths/type'],
      reverse: ['breaking column.type_changed /schema/deaths/type'],
    },
    {
      title: 'required added is breaking; removed is additive',
      to: (c) => (col(c, 'deaths').required = true),
      forward: ['breaking column.required_added /schema/deaths/required'],
      reverse: ['additive column.required_removed /schema/deaths/required'],
    },
    {
      title: 'minimum raised tightens; lowered loosens',
      to: (c) => (col(c, 'deaths').minimum = 1),
      forward: ['breaking column.constraint_tightened /schema/deaths/minimum'],
      reverse: ['additive column.constraint_loosened /schema/deaths/minimum'],
    },
    {
      title: 'minimum removed loosens; added tightens',
      to: (c) => delete col(c, 'deaths').minimum,
      forward: ['additive column.constraint_loosened /schema/deaths/minimum'],
      reverse: ['breaking column.constraint_tightened /schema/deaths/minimum'],
    },
    {
      title: 'maximum lowered tightens; raised loosens',
      from: (c) => (col(c, 'deaths').maximum = 1000),
      to: (c) => (col(c, 'deaths').maximum = 500),
      forward: ['breaking column.constraint_tightened /schema/deaths/maximum'],
      reverse: ['additive column.constraint_loosened /schema/deaths/maximum'],
    },
    {
      title: 'maximum added tightens',
      to: (c) => (col(c, 'deaths').maximum = 1000),
      forward: ['breaking column.constraint_tightened /schema/deaths/maximum'],
      reverse: ['additive column.constraint_loosened /schema/deaths/maximum'],
    },
    {
      title: 'minLength raised tightens; lowered loosens',
      from: (c) => (col(c, 'country').minLength = 2),
      to: (c) => (col(c, 'country').minLength = 3),
      forward: ['breaking column.constraint_tightened /schema/country/minLength'],
      reverse: ['additive column.constraint_loosened /schema/country/minLength'],
    },
    {
      title: 'maxLength lowered tightens; raised loosens',
      from: (c) => (col(c, 'country').maxLength = 5),
      to: (c) => (col(c, 'country').maxLength = 3),
      forward: ['breaking column.constraint_tightened /schema/country/maxLength'],
      reverse: ['additive column.constraint_loosened /schema/country/maxLength'],
    },
    {
      title: 'pattern added tightens; removed loosens',
      to: (c) => (col(c, 'country').pattern = '^[A-Z]{3}$'),
      forward: ['breaking column.constraint_tightened /schema/country/pattern'],
      reverse: ['additive column.constraint_loosened /schema/country/pattern'],
    },
    {
      title: 'pattern changed is breaking both ways (regexes cannot be compared for inclusion)',
      from: (c) => (col(c, 'country').pattern = '^[A-Z]{3}$'),
      to: (c) => (col(c, 'country').pattern = '^[A-Z]{2,3}$'),
      forward: ['breaking column.constraint_tightened /schema/country/pattern'],
      reverse: ['breaking column.constraint_tightened /schema/country/pattern'],
    },
    {
      title: 'enum value removed tightens; added loosens',
      to: (c) => (col(c, 'status').enum = ['open']),
      forward: ['breaking column.constraint_tightened /schema/status/enum'],
      reverse: ['additive column.constraint_loosened /schema/status/enum'],
    },
    {
      title: 'enum added tightens; removed loosens',
      to: (c) => (col(c, 'country').enum = ['FRA', 'DEU']),
      forward: ['breaking column.constraint_tightened /schema/country/enum'],
      reverse: ['additive column.constraint_loosened /schema/country/enum'],
    },
    {
      title: 'enum reordered is cosmetic',
      to: (c) => (col(c, 'status').enum = ['closed', 'open']),
      forward: ['cosmetic column.enum_reordered /schema/status/enum'],
      reverse: ['cosmetic column.enum_reordered /schema/status/enum'],
    },
    {
      title: 'unique added tightens; removed loosens',
      to: (c) => (col(c, 'deaths').unique = true),
      forward: ['breaking column.constraint_tightened /schema/deaths/unique'],
      reverse: ['additive column.constraint_loosened /schema/deaths/unique'],
    },
    {
      title: 'reading a column from another source field is breaking',
      to: (c) => (col(c, 'deaths').from = 'Deaths'),
      forward: ['breaking column.from_changed /schema/deaths/from'],
      reverse: ['breaking column.from_changed /schema/deaths/from'],
    },
    {
      title: 'column description is cosmetic',
      to: (c) => (col(c, 'deaths').description = 'cumulative deaths'),
      forward: ['cosmetic column.description_changed /schema/deaths/description'],
      reverse: ['cosmetic column.description_changed /schema/deaths/description'],
    },
    {
      title: 'reordering columns is cosmetic',
      to: (c) => c.schema.reverse(),
      forward: ['cosmetic schema.reordered /schema'],
      reverse: ['cosmetic schema.reordered /schema'],
    },
    {
      title: 'reordering columns of a headerless CSV is breaking (columns are positional there)',
      from: (c) => (c.source.header = false),
      to: (c) => c.schema.reverse(),
      forward: ['breaking schema.reordered /schema'],
      reverse: ['breaking schema.reordered /schema'],
    },
    {
      title: 'spelling out a default (required: false) is not a classified change',
      to: (c) => (col(c, 'deaths').required = false),
      forward: [],
      reverse: [],
    },
  ]);

  it('says what changed in a sentence, with before and after', () => {
    const [c] = diffContracts(
      baseContract(),
      variant((x) => (col(x, 'deaths').type = 'string')),
    );
    expect(c).toEqual({
      rule: 'column.type_changed',
      class: 'breaking',
      path: '/schema/deaths/type',
      message: "column 'deaths' type changed integer → string",
      before: 'integer',
      after: 'string',
    });
  });
});

describe('diffContracts: features', () => {
  runCases([
    {
      title: 'declaring the inferred type is cosmetic',
      to: (c) => (feat(c, 'fatality').type = 'float'),
      forward: ['cosmetic feature.type_declared /features/fatality/type'],
      reverse: ['cosmetic feature.type_declared /features/fatality/type'],
    },
    {
      title: 'declaring another type is breaking, for the feature and every feature computed from it',
      to: (c) => (feat(c, 'confirmed').type = 'float'),
      forward: [
        'breaking feature.type_widened /features/confirmed/type',
        'breaking feature.type_widened /features/new_cases/type',
        'breaking feature.type_widened /features/new_cases_7d/type',
        'breaking feature.type_widened /features/cases_week/type',
      ],
      reverse: [
        'breaking feature.type_changed /features/confirmed/type',
        'breaking feature.type_changed /features/new_cases/type',
        'breaking feature.type_changed /features/new_cases_7d/type',
        'breaking feature.type_changed /features/cases_week/type',
      ],
    },
    {
      title: 'feature removed is breaking; added is additive',
      to: (c) => (c.features = c.features.filter((f) => f.name !== 'fatality')),
      forward: ['breaking feature.removed /features/fatality'],
      reverse: ['additive feature.added /features/fatality'],
    },
    {
      title:
        'column ↔ expr is breaking both ways; the expression serves a number, and so do the windows over it',
      // A division serves a float whatever its operands (an int * 1 would stay int).
      to: (c) => (c.features[0] = { name: 'confirmed', expr: 'confirmed / 1' }),
      forward: [
        'breaking feature.source_changed /features/confirmed',
        'breaking feature.type_widened /features/confirmed/type',
        'breaking feature.type_widened /features/new_cases/type',
        'breaking feature.type_widened /features/new_cases_7d/type',
        'breaking feature.type_widened /features/cases_week/type',
      ],
      reverse: [
        'breaking feature.source_changed /features/confirmed',
        'breaking feature.type_changed /features/confirmed/type',
        'breaking feature.type_changed /features/new_cases/type',
        'breaking feature.type_changed /features/new_cases_7d/type',
        'breaking feature.type_changed /features/cases_week/type',
      ],
    },
    {
      title: 'expr ↔ window is breaking both ways',
      to: (c) => (c.features[4] = { name: 'fatality', window: { op: 'mean', column: 'deaths', rows: 3 } }),
      forward: ['breaking feature.source_changed /features/fatality'],
      reverse: ['breaking feature.source_changed /features/fatality'],
    },
    {
      title: 'feature column changed is breaking',
      to: (c) => (feat(c, 'confirmed').column = 'deaths'),
      forward: ['breaking feature.column_changed /features/confirmed/column'],
      reverse: ['breaking feature.column_changed /features/confirmed/column'],
    },
    {
      title: 'expression changed is breaking',
      to: (c) => (feat(c, 'fatality').expr = 'deaths / (confirmed + 1)'),
      forward: ['breaking feature.expr_changed /features/fatality/expr'],
      reverse: ['breaking feature.expr_changed /features/fatality/expr'],
    },
    {
      title: 'whitespace-only expression edit is cosmetic',
      to: (c) => (feat(c, 'fatality').expr = 'deaths/confirmed'),
      forward: ['cosmetic feature.expr_reformatted /features/fatality/expr'],
      reverse: ['cosmetic feature.expr_reformatted /features/fatality/expr'],
    },
    {
      title: 'whitespace inside a string literal is content: breaking',
      from: (c) => (feat(c, 'fatality').expr = "concat(country, ' ')"),
      to: (c) => (feat(c, 'fatality').expr = "concat(country, '')"),
      forward: ['breaking feature.expr_changed /features/fatality/expr'],
      reverse: ['breaking feature.expr_changed /features/fatality/expr'],
    },
    {
      title: 'whitespace between two operators separates tokens: breaking',
      from: (c) => (feat(c, 'fatality').expr = 'deaths - -confirmed'),
      to: (c) => (feat(c, 'fatality').expr = 'deaths --confirmed'),
      forward: ['breaking feature.expr_changed /features/fatality/expr'],
      reverse: ['breaking feature.expr_changed /features/fatality/expr'],
    },
    {
      title: 'window op changed is breaking',
      to: (c) => (feat(c, 'new_cases_7d').window!.op = 'mean'),
      forward: [
        'breaking feature.window_op_changed /features/new_cases_7d/window/op',
        'breaking feature.type_widened /features/new_cases_7d/type',
      ],
      reverse: [
        'breaking feature.window_op_changed /features/new_cases_7d/window/op',
        'breaking feature.type_changed /features/new_cases_7d/type',
      ],
    },
    {
      title: 'window column changed is breaking',
      to: (c) => (feat(c, 'new_cases_7d').window!.column = 'confirmed'),
      forward: ['breaking feature.window_changed /features/new_cases_7d/window/column'],
      reverse: ['breaking feature.window_changed /features/new_cases_7d/window/column'],
    },
    {
      title: 'window rows changed is breaking',
      to: (c) => (feat(c, 'new_cases_7d').window!.rows = 14),
      forward: ['breaking feature.window_length_changed /features/new_cases_7d/window/rows'],
      reverse: ['breaking feature.window_length_changed /features/new_cases_7d/window/rows'],
    },
    {
      title: 'window duration changed is breaking',
      to: (c) => (feat(c, 'cases_week').window!.duration = 'P14D'),
      forward: ['breaking feature.window_length_changed /features/cases_week/window/duration'],
      reverse: ['breaking feature.window_length_changed /features/cases_week/window/duration'],
    },
    {
      title: 'window duration respelled to the same length is cosmetic',
      to: (c) => (feat(c, 'cases_week').window!.duration = 'P1W'),
      forward: ['cosmetic feature.window_reformatted /features/cases_week/window/duration'],
      reverse: ['cosmetic feature.window_reformatted /features/cases_week/window/duration'],
    },
    {
      title: 'window offset changed is breaking',
      to: (c) => (feat(c, 'new_cases').window!.offset = 7),
      forward: ['breaking feature.window_changed /features/new_cases/window/offset'],
      reverse: ['breaking feature.window_changed /features/new_cases/window/offset'],
    },
    {
      title: 'spelling out the default offset of 1 changes nothing',
      to: (c) => (feat(c, 'new_cases').window!.offset = 1),
      forward: [],
      reverse: [],
    },
    {
      title: 'feature description is cosmetic',
      to: (c) => (feat(c, 'fatality').description = 'deaths per case'),
      forward: ['cosmetic feature.description_changed /features/fatality/description'],
      reverse: ['cosmetic feature.description_changed /features/fatality/description'],
    },
    {
      title: 'reordering features is cosmetic',
      to: (c) => c.features.reverse(),
      forward: ['cosmetic features.reordered /features'],
      reverse: ['cosmetic features.reordered /features'],
    },
  ]);
});

describe('diffContracts: expectations', () => {
  runCases([
    {
      title: 'reject expectation added is breaking; removing it is additive',
      to: (c) => c.expectations.push({ expect: 'not_null', column: 'country', severity: 'reject' }),
      forward: ['breaking expectation.added /expectations/not_null(country)'],
      reverse: ['additive expectation.removed /expectations/not_null(country)'],
    },
    {
      title: 'fail expectation added is breaking',
      to: (c) => c.expectations.push({ expect: 'unique', column: 'date', severity: 'fail' }),
      forward: ['breaking expectation.added /expectations/unique(date)'],
      reverse: ['additive expectation.removed /expectations/unique(date)'],
    },
    {
      title: 'fail view-scope expectation added beside its batch namesake is breaking, like a batch one',
      to: (c) =>
        c.expectations.push({ expect: 'row_count_between', max: 10, severity: 'fail', scope: 'view' }),
      forward: ['breaking expectation.added /expectations/row_count_between@view'],
      reverse: ['additive expectation.removed /expectations/row_count_between@view'],
    },
    {
      title: 'warn view-scope expectation added is additive',
      to: (c) => c.expectations.push({ expect: 'no_gaps', interval: 'P1D', severity: 'warn', scope: 'view' }),
      forward: ['additive expectation.added /expectations/no_gaps@view'],
      reverse: ['additive expectation.removed /expectations/no_gaps@view'],
    },
    {
      title: 'warn expectation added is additive',
      to: (c) => c.expectations.push({ expect: 'not_null', column: 'country', severity: 'warn' }),
      forward: ['additive expectation.added /expectations/not_null(country)'],
      reverse: ['additive expectation.removed /expectations/not_null(country)'],
    },
    {
      title: 'min raised tightens; lowered loosens',
      to: (c) => (exp(c, 'row_count_between').min = 100),
      forward: ['breaking expectation.tightened /expectations/row_count_between/min'],
      reverse: ['additive expectation.loosened /expectations/row_count_between/min'],
    },
    {
      title: 'max lowered tightens; raised loosens',
      to: (c) => (exp(c, 'row_count_between').max = 1000),
      forward: ['breaking expectation.tightened /expectations/row_count_between/max'],
      reverse: ['additive expectation.loosened /expectations/row_count_between/max'],
    },
    {
      title: 'mostly raised tightens; lowered loosens',
      to: (c) => (exp(c, 'not_null').mostly = 0.999),
      forward: ['breaking expectation.tightened /expectations/not_null(deaths)/mostly'],
      reverse: ['additive expectation.loosened /expectations/not_null(deaths)/mostly'],
    },
    {
      title: 'mostly removed means every row must pass: tightens',
      to: (c) => delete exp(c, 'not_null').mostly,
      forward: ['breaking expectation.tightened /expectations/not_null(deaths)/mostly'],
      reverse: ['additive expectation.loosened /expectations/not_null(deaths)/mostly'],
    },
    {
      title: 'in_set: removing a value is breaking; adding one is not',
      to: (c) => (exp(c, 'in_set').values = ['open']),
      forward: ['breaking expectation.in_set_value_removed /expectations/in_set(status)/values'],
      reverse: ['additive expectation.in_set_value_added /expectations/in_set(status)/values'],
    },
    {
      title: 'not_in_set: adding a forbidden value tightens; removing loosens',
      from: (c) =>
        c.expectations.push({ expect: 'not_in_set', column: 'country', values: ['XXX'], severity: 'reject' }),
      to: (c) => (exp(c, 'not_in_set').values = ['XXX', 'ZZZ']),
      forward: ['breaking expectation.tightened /expectations/not_in_set(country)/values'],
      reverse: ['additive expectation.loosened /expectations/not_in_set(country)/values'],
    },
    {
      title: 'severity warn → reject is breaking; reject → warn additive',
      to: (c) => (exp(c, 'non_decreasing').severity = 'reject'),
      forward: ['breaking expectation.severity_raised /expectations/non_decreasing(confirmed)/severity'],
      reverse: ['additive expectation.severity_lowered /expectations/non_decreasing(confirmed)/severity'],
    },
    {
      title: 'severity reject → fail is breaking; fail → reject additive',
      to: (c) => (exp(c, 'not_null').severity = 'fail'),
      forward: ['breaking expectation.severity_raised /expectations/not_null(deaths)/severity'],
      reverse: ['additive expectation.severity_lowered /expectations/not_null(deaths)/severity'],
    },
    {
      title: 'tightening a warn-only expectation blocks nothing: additive',
      from: (c) =>
        c.expectations.push({ expect: 'between', column: 'deaths', min: 0, max: 1e6, severity: 'warn' }),
      to: (c) => (exp(c, 'between').max = 1e5),
      forward: ['additive expectation.tightened /expectations/between(deaths)/max'],
      reverse: ['additive expectation.loosened /expectations/between(deaths)/max'],
    },
    {
      title: 'fresh_within maxAge shortened tightens; lengthened loosens',
      from: (c) =>
        c.expectations.push({ expect: 'fresh_within', column: 'date', maxAge: 'P2D', severity: 'fail' }),
      to: (c) => (exp(c, 'fresh_within').maxAge = 'PT12H'),
      forward: ['breaking expectation.tightened /expectations/fresh_within(date)/maxAge'],
      reverse: ['additive expectation.loosened /expectations/fresh_within(date)/maxAge'],
    },
    {
      title: 'expectation description is cosmetic',
      to: (c) => (exp(c, 'not_null').description = 'deaths are reported late'),
      forward: ['cosmetic expectation.description_changed /expectations/not_null(deaths)/description'],
      reverse: ['cosmetic expectation.description_changed /expectations/not_null(deaths)/description'],
    },
    {
      title: 'reordering expectations is cosmetic',
      to: (c) => c.expectations.reverse(),
      forward: ['cosmetic expectations.reordered /expectations'],
      reverse: ['cosmetic expectations.reordered /expectations'],
    },
    {
      title: 'a compound key is a set: reordering its columns is no change',
      from: (c) =>
        c.expectations.push({ expect: 'compound_unique', columns: ['country', 'date'], severity: 'reject' }),
      to: (c) => (exp(c, 'compound_unique').columns = ['date', 'country']),
      forward: [],
      reverse: [],
    },
  ]);

  it('pairs two expectations of the same kind on one column by content, not position', () => {
    const two: Edit = (c) =>
      c.expectations.push(
        { expect: 'between', column: 'deaths', min: 0, max: 1e6, severity: 'warn' },
        { expect: 'between', column: 'deaths', min: 0, max: 1e7, severity: 'reject' },
      );
    const swapped: Edit = (c) => {
      two(c);
      c.expectations.splice(-2, 2, c.expectations.at(-1)!, c.expectations.at(-2)!);
    };
    expect(summary(diffContracts(variant(two), variant(swapped)))).toEqual([
      'cosmetic expectations.reordered /expectations',
    ]);
  });
});

describe('diffContracts: entity, event time, source, filters', () => {
  runCases([
    {
      title: 'entity key changed is breaking',
      to: (c) => (c.entity.key = ['country', 'date']),
      forward: ['breaking entity.key_changed /entity/key'],
      reverse: ['breaking entity.key_changed /entity/key'],
    },
    {
      title: 'a key part that may be null is additive one way, breaking the other',
      to: (c) => (c.entity.nullable = ['country']),
      forward: ['additive entity.nullable_added /entity/nullable'],
      reverse: ['breaking entity.nullable_removed /entity/nullable'],
    },
    {
      title: 'entity name changed is breaking',
      to: (c) => (c.entity.name = 'nation'),
      forward: ['breaking entity.name_changed /entity/name'],
      reverse: ['breaking entity.name_changed /entity/name'],
    },
    {
      title: 'entity description is cosmetic',
      to: (c) => (c.entity.description = 'ISO-3166 alpha-3'),
      forward: ['cosmetic entity.description_changed /entity/description'],
      reverse: ['cosmetic entity.description_changed /entity/description'],
    },
    {
      title: 'event-time column changed is breaking',
      to: (c) => (c.eventTime = 'country'),
      forward: ['breaking event_time.changed /eventTime'],
      reverse: ['breaking event_time.changed /eventTime'],
    },
    {
      title: 'source type changed is breaking',
      to: (c) => (c.source = { type: 'jsonl', path: 'covid/*.jsonl' }),
      forward: [
        'breaking source.type_changed /source/type',
        'breaking source.parsing_changed /source/nullValues',
        'cosmetic source.delivery_changed /source/path',
      ],
      reverse: [
        'breaking source.type_changed /source/type',
        'breaking source.parsing_changed /source/nullValues',
        'cosmetic source.delivery_changed /source/path',
      ],
    },
    {
      title: 'null markers changed is breaking (same input, other values)',
      to: (c) => (c.source.nullValues = ['']),
      forward: ['breaking source.parsing_changed /source/nullValues'],
      reverse: ['breaking source.parsing_changed /source/nullValues'],
    },
    {
      title: 'null markers reordered is no change',
      to: (c) => (c.source.nullValues = ['NA', '']),
      forward: [],
      reverse: [],
    },
    {
      title: 'source path is operational: cosmetic',
      to: (c) => (c.source.path = 'covid/daily/*.csv'),
      forward: ['cosmetic source.delivery_changed /source/path'],
      reverse: ['cosmetic source.delivery_changed /source/path'],
    },
    {
      title: 'filter added is breaking; removing one is breaking too (rows appear)',
      to: (c) => c.filters!.push({ expr: 'confirmed >= 0' }),
      forward: ['breaking filter.added /filters/confirmed >= 0'],
      reverse: ['breaking filter.removed /filters/confirmed >= 0'],
    },
    {
      title: 'filter changed is a removal plus an addition: breaking',
      to: (c) => (c.filters![0]!.expr = "country != 'ZZZ'"),
      forward: [
        "breaking filter.removed /filters/country != 'XXX'",
        "breaking filter.added /filters/country != 'ZZZ'",
      ],
      reverse: [
        "breaking filter.removed /filters/country != 'ZZZ'",
        "breaking filter.added /filters/country != 'XXX'",
      ],
    },
    {
      title: 'filter whitespace and description are cosmetic',
      to: (c) => (c.filters![0] = { expr: "country!='XXX'", description: 'drop the test country' }),
      forward: [
        "cosmetic filter.reformatted /filters/country!='XXX'",
        "cosmetic filter.description_changed /filters/country!='XXX'/description",
      ],
      reverse: [
        "cosmetic filter.reformatted /filters/country != 'XXX'",
        "cosmetic filter.description_changed /filters/country != 'XXX'/description",
      ],
    },
    {
      title: 'reordering filters is cosmetic',
      from: (c) => c.filters!.push({ expr: 'confirmed >= 0' }),
      to: (c) => c.filters!.reverse(),
      forward: ['cosmetic filters.reordered /filters'],
      reverse: ['cosmetic filters.reordered /filters'],
    },
  ]);

  it('escapes / in paths (JSON pointer)', () => {
    const head = variant((c) => c.filters!.push({ expr: 'deaths / confirmed < 1' }));
    expect(diffContracts(baseContract(), head)[0]!.path).toBe('/filters/deaths ~1 confirmed < 1');
  });
});

describe('diffContracts: window skipNulls', () => {
  runCases([
    {
      title:
        'skipping nulls in a diff changes its values next to nulls: breaking both ways; spelling out false is nothing',
      to: (c) => (feat(c, 'new_cases').window!.skipNulls = true),
      forward: ['breaking feature.window_changed /features/new_cases/window/skipNulls'],
      reverse: ['breaking feature.window_changed /features/new_cases/window/skipNulls'],
    },
    {
      title: 'skipNulls: false is the default',
      to: (c) => (feat(c, 'new_cases').window!.skipNulls = false),
      forward: [],
      reverse: [],
    },
  ]);
});

describe('diffContracts: operational and descriptive keys', () => {
  const cosmetic: Array<[string, Edit, string]> = [
    ['description', (c) => (c.description = 'Counts.'), 'contract.description_changed /description'],
    ['owner', (c) => (c.owner = 'public-health'), 'contract.owner_changed /owner'],
    ['tags', (c) => (c.tags = ['covid', 'daily']), 'contract.tags_changed /tags'],
    ['links', (c) => (c.links = { docs: 'https://example.org/v2' }), 'contract.links_changed /links'],
    ['schedule', (c) => (c.schedule = { cron: '0 7 * * *' }), 'schedule.changed /schedule'],
    ['sla', (c) => (c.sla = { freshness: 'P1D' }), 'sla.changed /sla'],
    ['policy', (c) => (c.policy = { onNewVersion: 'none' }), 'policy.changed /policy'],
  ];
  runCases(
    cosmetic.map(([key, edit, rule]) => ({
      title: `${key} is cosmetic`,
      to: edit,
      forward: [`cosmetic ${rule}`],
      reverse: [`cosmetic ${rule}`],
    })),
  );

  runCases([
    {
      title:
        'adding or lowering policy.maxRejectedFraction is breaking (runs may fail); removing or raising it is additive',
      to: (c) => (c.policy = { ...c.policy, maxRejectedFraction: 0.1 }),
      forward: ['breaking policy.reject_bound_tightened /policy/maxRejectedFraction'],
      reverse: ['additive policy.reject_bound_loosened /policy/maxRejectedFraction'],
    },
    {
      title: 'raising policy.maxRejectedFraction is additive, lowering it breaking',
      from: (c) => (c.policy = { ...c.policy, maxRejectedFraction: 0.1 }),
      to: (c) => (c.policy = { ...c.policy, maxRejectedFraction: 0.2 }),
      forward: ['additive policy.reject_bound_loosened /policy/maxRejectedFraction'],
      reverse: ['breaking policy.reject_bound_tightened /policy/maxRejectedFraction'],
    },
    {
      title: 'a key no rule knows is breaking, to fail safe',
      to: (c) => Object.assign(c, { retention: 'P30D' }),
      forward: ['breaking unrecognized.changed /retention'],
      reverse: ['breaking unrecognized.changed /retention'],
    },
  ]);
});

describe('diffContracts: overall', () => {
  it('finds nothing between identical contracts', () => {
    expect(diffContracts(baseContract(), baseContract())).toEqual([]);
  });

  it('ignores the name and the version: they are not content', () => {
    const head = variant((c) => {
      c.name = 'other';
      c.version = '9.0.0';
    });
    expect(diffContracts(baseContract(), head)).toEqual([]);
  });

  it('lists breaking changes first, then additive, then cosmetic', () => {
    const head = variant((c) => {
      c.description = 'new words';
      c.features.push({ name: 'deaths', column: 'deaths' });
      c.schema = c.schema.filter((s) => s.name !== 'status');
    });
    const classes = diffContracts(baseContract(), head).map((c) => c.class);
    expect(classes).toEqual(['breaking', 'additive', 'cosmetic']);
  });
});

describe('diffContracts: the rules a reviewer expects (issue 18)', () => {
  const changes = (edit: Edit) => diffContracts(baseContract(), variant(edit));

  it('widening an integer column to number is breaking, and so is each feature served from it', () => {
    const out = changes((c) => (col(c, 'confirmed').type = 'number'));
    expect(summary(out)).toEqual([
      'breaking column.type_widened /schema/confirmed/type',
      'breaking feature.type_widened /features/confirmed/type',
      'breaking feature.type_widened /features/new_cases/type',
      'breaking feature.type_widened /features/new_cases_7d/type',
      'breaking feature.type_widened /features/cases_week/type',
    ]);
    expect(out[0]!.message).toBe(
      "column 'confirmed' type changed integer → number: values may now have a fraction, which typed consumers of an integer cannot read",
    );
    expect(out[1]!.message).toBe(
      "feature 'confirmed' now served as number instead of integer: typed consumers of an integer cannot read fractions",
    );
  });

  it('removing a value from a blocking in_set is breaking; adding one is additive; both at once report both', () => {
    const out = changes((c) => (exp(c, 'in_set').values = ['open', 'pending']));
    expect(out.map((c) => [c.class, c.rule, c.message])).toEqual([
      [
        'breaking',
        'expectation.in_set_value_removed',
        'expectation in_set(status) (reject) no longer accepts ["closed"]: rows holding it are now rejected',
      ],
      [
        'additive',
        'expectation.in_set_value_added',
        'expectation in_set(status) (reject) now accepts ["pending"] as well',
      ],
    ]);
    expect(out[0]).toMatchObject({ before: ['closed'] });
  });

  it('an in_set that fails the run says so; a warn in_set blocks nothing, so removal is additive there', () => {
    const failing = changes((c) => {
      exp(c, 'in_set').severity = 'fail';
      exp(c, 'in_set').values = ['open'];
    }).find((c) => c.rule === 'expectation.in_set_value_removed')!;
    expect(failing.message).toContain('rows holding it are now failing the run');
    const warn = variant((c) => (exp(c, 'in_set').severity = 'warn'));
    const narrowed = structuredClone(warn);
    exp(narrowed, 'in_set').values = ['open'];
    expect(diffContracts(warn, narrowed).map((c) => [c.class, c.rule, c.message])).toEqual([
      [
        'additive',
        'expectation.in_set_value_removed',
        'expectation in_set(status) (warn) no longer accepts ["closed"]: warn blocks nothing',
      ],
    ]);
  });

  it("a window's operation or length change is breaking and names the features computed from it", () => {
    const op = changes((c) => (feat(c, 'new_cases').window!.op = 'lag'));
    expect(op[0]).toMatchObject({
      rule: 'feature.window_op_changed',
      class: 'breaking',
      path: '/features/new_cases/window/op',
      message:
        "feature 'new_cases' window op changed diff → lag; also changes 'new_cases_7d', 'cases_week', computed from it",
    });
    const length = changes((c) => (feat(c, 'new_cases_7d').window!.rows = 28));
    expect(length.map((c) => [c.rule, c.message])).toEqual([
      ['feature.window_length_changed', "feature 'new_cases_7d' window rows changed 7 → 28"],
    ]);
    const byDuration = changes((c) => {
      const w = feat(c, 'new_cases_7d').window!;
      delete w.rows;
      w.duration = 'P7D';
    });
    expect(summary(byDuration)).toEqual([
      'breaking feature.window_length_changed /features/new_cases_7d/window/rows',
      'breaking feature.window_length_changed /features/new_cases_7d/window/duration',
    ]);
  });

  it('names features reading a window through an expression, transitively', () => {
    const out = changes((c) => {
      c.features.push({ name: 'weekly_share', expr: 'new_cases_7d / confirmed' });
      feat(c, 'new_cases').window!.op = 'lag';
    });
    // weekly_share is new in the head, so it is an addition, and still named as a reader.
    expect(out.find((c) => c.rule === 'feature.window_op_changed')!.message).toContain(
      "also changes 'new_cases_7d', 'cases_week', 'weekly_share', computed from it",
    );
  });
});
