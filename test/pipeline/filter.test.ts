import { describe, expect, it } from 'vitest';
import type { Contract, FilterSpec } from '../../src/domain/contract';
import { compileFilters } from '../../src/pipeline/filter';

function contract(filters?: FilterSpec[]): Contract {
  return {
    name: 'c',
    version: '1.0.0',
    owner: 'o',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'csv' },
    schema: [
      { name: 'date', type: 'date' },
      { name: 'country', type: 'string' },
      { name: 'confirmed', type: 'integer' },
    ],
    expectations: [],
    features: [],
    filters,
  };
}

describe('compileFilters', () => {
  it('keeps every row when there are no filters', () => {
    expect(compileFilters(contract())({ country: 'US' })).toBe(true);
    expect(compileFilters(contract([]))({})).toBe(true);
  });

  it('keeps a row only when all filters are true', () => {
    const keep = compileFilters(contract([{ expr: 'confirmed > 0' }, { expr: 'country != "XX"' }]));
    expect(keep({ country: 'US', confirmed: 3 })).toBe(true);
    expect(keep({ country: 'XX', confirmed: 3 })).toBe(false);
    expect(keep({ country: 'US', confirmed: 0 })).toBe(false);
  });

  it('drops rows whose filter is null', () => {
    const keep = compileFilters(contract([{ expr: 'confirmed > 0' }]));
    expect(keep({ country: 'US', confirmed: null })).toBe(false);
    expect(compileFilters(contract([{ expr: 'not (confirmed > 0)' }]))({ confirmed: null })).toBe(false);
  });

  it('drops rows whose filter is not a boolean', () => {
    expect(compileFilters(contract([{ expr: 'confirmed' }]))({ confirmed: 1 })).toBe(false);
  });

  it('names the failing filter', () => {
    expect(() => compileFilters(contract([{ expr: 'confirmed > 0' }, { expr: 'deaths > 0' }]))).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: 'filters/1/expr: unknown name deaths (known: date, country, confirmed)',
      }),
    );
  });
});
