import { describe, expect, it } from 'vitest';
import { nameViews, viewFieldName, viewTypeName } from '../../../src/graphql/typed-views/view-names';

const view = (contract: string, major: number, ...features: string[]) => ({
  contract,
  major,
  features: features.map((name) => ({ name })),
});

describe('typed view names', () => {
  it('names the field <contract>_v<major> and the type in PascalCase with V<major>', () => {
    expect(viewFieldName('country_daily', 1)).toBe('country_daily_v1');
    expect(viewTypeName('country_daily', 12)).toBe('CountryDailyV12');
    expect(viewTypeName('a1_b2', 3)).toBe('A1B2V3');
  });

  it('keeps feature names, prefixing names GraphQL reserves and the view fields with f_', () => {
    const { views, problems } = nameViews(
      [view('c', 1, 'x', '__meta', 'entity', 'eventTime', 'runId')],
      new Set(),
    );
    expect(problems).toEqual([]);
    expect([...views[0]!.fields]).toEqual([
      ['x', 'x'],
      ['f___meta', '__meta'],
      ['f_entity', 'entity'],
      ['f_eventTime', 'eventTime'],
      ['f_runId', 'runId'],
    ]);
  });

  it('leaves out views whose type names meet, naming both', () => {
    const { views, problems } = nameViews(
      [view('a_b', 1, 'x'), view('a__b', 1, 'y'), view('ab', 1, 'z')],
      new Set(),
    );
    expect(views.map((v) => [v.field, v.typeName])).toEqual([['ab_v1', 'AbV1']]);
    expect(problems).toEqual([
      'typed view of a_b major 1 left out: its type name ABV1 is also that of a__b major 1',
      'typed view of a__b major 1 left out: its type name ABV1 is also that of a_b major 1',
    ]);
  });

  it('leaves out a view whose type name is a type of the static schema', () => {
    const { views, problems } = nameViews([view('run', 1, 'x')], new Set(['RunV1']));
    expect(views).toEqual([]);
    expect(problems).toEqual([
      'typed view of run major 1 left out: its type name RunV1 is already a type of the schema',
    ]);
  });

  it('leaves out a view where a prefixed feature meets another feature', () => {
    const { views, problems } = nameViews([view('c', 2, 'f_entity', 'entity')], new Set());
    expect(views).toEqual([]);
    expect(problems).toEqual([
      "typed view of c major 2 left out: feature 'entity' would be field f_entity, which feature 'f_entity' already is",
    ]);
  });
});
