import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql must be one module instance: type-graphql, Apollo and graphql-ws load its
  // CommonJS build, so our files must too, or schema objects cross "realms".
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Database tests share one server per engine; files run in parallel workers,
    // each test uses its own schema or file, so isolation comes from the fixtures.
    pool: 'forks',
    // Vitest's default is one worker less than the cores: a single worker on a 2-core CI
    // machine, where most test files wait on databases, sockets and child processes.
    // Three overlap those waits (the SQLite leg: 707 s with one, 478 s with three).
    maxWorkers: 3,
    // A worker keeps its loaded modules from one file to the next instead of importing
    // the whole server (Apollo, type-graphql, knex) again for each of ~190 files: the
    // SQLite leg spent 237 s of its workers' time importing and now spends 22 s. Files
    // keep their own state: every store, server and directory is made by the test.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
  },
});
