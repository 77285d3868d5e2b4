/**
 * The cache of checked query texts stays bounded: the least recently used text goes
 * first; texts over the length limit are neither checked nor kept (the fast path then
 * leaves them to Apollo).
 */
import { describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { DocumentCache } from '../../src/graphql/document-cache';
import { limitRules } from '../../src/graphql/limits';

const schema = buildSchema('type Query { a: Int, b: Int, c: Int }');

describe('DocumentCache', () => {
  it('keeps valid documents and the verdict on the rest', () => {
    const cache = new DocumentCache({ schema, validationRules: limitRules() });
    expect(cache.get('{ a }')!.errors).toBeUndefined();
    expect(cache.get('{ a }')).toBe(cache.get('{ a }'));
    expect(cache.get('{ nope }')!.errors).toBeDefined();
    expect(cache.get('{ a')!.errors).toBeDefined();
    const introspection = cache.get('{ __schema { types { name } } }')!;
    expect(!introspection.errors && introspection.introspection).toBe(true);
    expect(cache.size).toBe(4);
  });

  it('drops the least recently used entry first, by count and by total text', () => {
    const cache = new DocumentCache({ schema, validationRules: [], maxEntries: 2 });
    const a = cache.get('{ a }');
    cache.get('{ b }');
    cache.get('{ a }'); // now b is the least recently used
    cache.get('{ c }');
    expect(cache.size).toBe(2);
    expect(cache.get('{ a }')).toBe(a);
    const byText = new DocumentCache({ schema, validationRules: [], maxTotalLength: 12 });
    byText.get('{ a }');
    byText.get('{ b }');
    byText.get('{ c }');
    expect(byText.size).toBe(2);
  });

  it('neither checks nor keeps a text over the length limit', () => {
    const cache = new DocumentCache({ schema, validationRules: [], maxQueryLength: 8 });
    expect(cache.get('{ a b c }')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
