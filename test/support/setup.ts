import { afterAll, vi } from 'vitest';

// Tests must not depend on the machine's time zone: all times are UTC in Tidemark.
process.env.TZ = 'UTC';

// A worker runs one file after another in the same process (isolate: false in
// vitest.config.ts), so what a file switched on globally ends with it: fake timers,
// stubbed variables and globals, spies.
afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
