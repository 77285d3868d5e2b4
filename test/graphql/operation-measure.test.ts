/**
 * The limits measured on the document alone (operation-measure.ts, limits.ts): the
 * standard introspection query passes, hostile introspection does not; fragments that
 * double each other are measured without being walked out (2^24 fields in one pass);
 * lists weigh by their `first` (literal or variable), heavy fields by their weight;
 * aliases are capped.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { measureDocument } from '../../src/graphql/operation-measure';
import { documentLimits, limitErrors, LIMITS } from '../../src/graphql/limits';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const measure = (q: string, variables?: Record<string, unknown>) =>
  measureDocument(schema, parse(q), variables)[0]!;
const refusals = (q: string, variables?: Record<string, unknown>) =>
  limitErrors(schema, parse(q), variables).map((e) => e.message);

const STANDARD = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

/** `fragment F<n> on Run { parent { ...F<n-1> } p: parent { ...F<n-1> } }`: 2^n copies of F0. */
function doubling(n: number): string {
  let text = `query FanOut { runs { nodes { ...F${n} } } }\nfragment F0 on Run { id }\n`;
  for (let i = 1; i <= n; i++)
    text += `fragment F${i} on Run { parent { ...F${i - 1} } p: parent { ...F${i - 1} } }\n`;
  return text;
}

describe('operation limits', () => {
  it('lets the standard introspection query through, with and without its options', () => {
    expect(refusals(STANDARD)).toEqual([]);
    expect(refusals(getIntrospectionQuery())).toEqual([]);
    const m = measure(STANDARD);
    expect(m.depth).toBe(0);
    expect(m.cost).toBe(0);
    expect(m.introspectionLists).toBe(3);
    expect(m.introspectionDepth).toBeLessThanOrEqual(LIMITS.maxIntrospectionDepth);
  });

  it('refuses introspection that nests its lists or goes deep', () => {
    expect(
      refusals(
        '{ __type(name: "Run") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }',
      ),
    ).toEqual(["operation 'anonymous' nests 4 introspection lists; the limit is 3 (types → fields → args)"]);
    const ofTypes = `{ __type(name: "Run") { ${'ofType { '.repeat(LIMITS.maxIntrospectionDepth)} name ${'} '.repeat(LIMITS.maxIntrospectionDepth)} } }`;
    expect(refusals(ofTypes)).toEqual([
      `operation 'anonymous' introspects 22 levels deep; the limit is ${LIMITS.maxIntrospectionDepth}`,
    ]);
    // Aliased copies of every type: each is cheap, three are not.
    const fragments = STANDARD.slice(STANDARD.indexOf('fragment FullType'));
    const copies = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `s${i}: __schema { types { ...FullType } }`).join(' ')} }\n${fragments}`;
    expect(refusals(copies(2))).toEqual([]);
    expect(refusals(copies(3))[0]).toMatch(/has introspection complexity [\d,]+; the limit is 120,000/);
  });

  it('measures doubling fragments without walking them out, and refuses the expanded size', () => {
    const text = doubling(24);
    expect(text.length).toBeLessThan(2_000);
    const m = measure(text);
    // 2^24 copies of F0 (1 field) and 2 × (2^24 - 1) parents, plus runs and nodes.
    expect(m.fields).toBe(2 ** 24 + 2 * (2 ** 24 - 1) + 2);
    expect(m.aliases).toBe(2 ** 24 - 1);
    expect(refusals(text)).toEqual(
      expect.arrayContaining([
        "operation 'FanOut' has 50,331,648 fields with its fragments spread; the limit is 2,000",
        "operation 'FanOut' is 27 levels deep; the limit is 10",
      ]),
    );
  });

  it(`refuses more than ${LIMITS.maxAliases} aliases`, () => {
    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(refusals(aliased(LIMITS.maxAliases))).toEqual([]);
    expect(refusals(aliased(LIMITS.maxAliases + 1))).toEqual([
      `operation 'anonymous' has ${LIMITS.maxAliases + 1} aliases; the limit is ${LIMITS.maxAliases}`,
    ]);
  });

  it('weighs heavy fields and unbounded lists: aliased contracts { yaml } are refused long before 2,000', () => {
    // contracts (1) + 10 assumed contracts × yaml (10) = 101 each.
    expect(measure('{ contracts { yaml } }').cost).toBe(101);
    const copies = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `c${i}: contracts { yaml }`).join(' ')} }`;
    expect(refusals(copies(49))).toEqual([]);
    expect(refusals(copies(50))).toEqual(["operation 'anonymous' has complexity 5,050; the limit is 5,000"]);
    expect(measure('{ trainingSet(contract: "c", rows: []) { values } }').cost).toBe(1_000 + 10);
  });

  it("sizes a connection's nodes by its first, literal or from the variables", () => {
    const q = 'query($n: Int) { runs(first: $n) { totalCount nodes { id status } } }';
    expect(measure('{ runs(first: 100) { totalCount nodes { id status } } }').cost).toBe(1 + 1 + 1 + 100 * 2);
    // Without variables (checked once per text): the default page, and marked for a second look.
    expect(measure(q)).toMatchObject({ cost: 3 + 20 * 2, variableSized: true });
    expect(documentLimits(schema, parse(q))).toMatchObject({ errors: [], variableSized: true });
    expect(measure(q, { n: 500 }).cost).toBe(3 + 500 * 2);
    const rich =
      'query($n: Int) { runs(first: $n) { nodes { id status rowsRead rowsWritten rowsValid rowsRejected rowsFiltered trigger environment contract } } }';
    expect(refusals(rich, { n: 100 })).toEqual([]);
    expect(refusals(rich, { n: 500 })).toEqual([
      "operation 'anonymous' has complexity 5,002; the limit is 5,000",
    ]);
    // A variable's declared default counts when the request leaves it out.
    expect(measure('query($n: Int = 7) { runs(first: $n) { nodes { id } } }', {}).cost).toBe(2 + 7);
  });

  it('does not loop on cyclic fragments (graphql reports them)', () => {
    const m = measure(
      '{ runs { nodes { ...A } } } fragment A on Run { parent { ...B } } fragment B on Run { parent { ...A } }',
    );
    expect(m.fields).toBe(4);
  });
});
