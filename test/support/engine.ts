/**
 * Which database engine this test leg runs on. `npm test` runs the suite once with
 * TIDEMARK_TEST_ENGINE=sqlite and, when TEST_DATABASE_URL is set, once more with
 * TIDEMARK_TEST_ENGINE=postgres. A PostgreSQL leg that cannot connect must fail,
 * never skip: see test/support/db.ts.
 */
export type TestEngine = 'sqlite' | 'postgres';

export function testEngine(): TestEngine {
  const e = process.env.TIDEMARK_TEST_ENGINE ?? 'sqlite';
  if (e !== 'sqlite' && e !== 'postgres')
    throw new Error(`TIDEMARK_TEST_ENGINE must be sqlite or postgres, got ${e}`);
  if (e === 'postgres' && !process.env.TEST_DATABASE_URL) {
    throw new Error('TIDEMARK_TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  }
  return e;
}
