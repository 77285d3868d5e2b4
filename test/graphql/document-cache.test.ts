/**
 * The fast path's cache of judged query texts stays bounded: the least recently used
 * text goes first; texts too long to keep are left to Apollo.
 */
import { describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { DocumentCache, APOLLO_ANSWERS } from '../../src/graphql/document-cache';
import { limitRules } from '../../src/graphql/limits';

const schema = buildSchema('type Query { a: Int, b: Int, c: Int }');

describe('DocumentCache', () => {
  it('keeps valid documents and the verdict on the rest', () => {
    const cache = new DocumentCache({ schema, validationRules: limitRules() });
    expect(cache.get('{ a }')).not.toBe(APOLLO_ANSWERS);
    expect(cache.get('{ a }')).toBe(cache.get('{ a }'));
    expect(cache.get('{ nope }')).toBe(APOLLO_ANSWERS);
    expect(cache.get('{ a')).toBe(APOLLO_ANSWERS);
    expect(cache.get('{ __schema { types { name } } }')).toBe(APOLLO_ANSWERS);
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

  it('leaves a text over the length limit to Apollo, and does not keep it', () => {
    const cache = new DocumentCache({ schema, validationRules: [], maxQueryLength: 8 });
    expect(cache.get('{ a b c }')).toBe(APOLLO_ANSWERS);
    expect(cache.size).toBe(0);
  });
});
