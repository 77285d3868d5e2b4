/** Configuration from the environment: defaults, and a clear refusal naming the variable. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('TIDEMARK_STARTUP_WAIT_MS: 60 s by default, 0 turns the wait off, nonsense is refused by name', () => {
    expect(loadConfig({}).startupWaitMs).toBe(60_000);
    expect(loadConfig({ TIDEMARK_STARTUP_WAIT_MS: '0' }).startupWaitMs).toBe(0);
    expect(loadConfig({ TIDEMARK_STARTUP_WAIT_MS: '5000' }).startupWaitMs).toBe(5_000);
    expect(() => loadConfig({ TIDEMARK_STARTUP_WAIT_MS: 'soon' })).toThrow(
      "TIDEMARK_STARTUP_WAIT_MS must be a whole number of milliseconds >= 100, got 'soon'",
    );
  });

  it('TIDEMARK_TRAINING_CACHE_MB: 256 MB by default, 0 allowed, nonsense refused by name', () => {
    expect(loadConfig({}).trainingCacheBytes).toBe(256 * 1024 * 1024);
    expect(loadConfig({ TIDEMARK_TRAINING_CACHE_MB: '0' }).trainingCacheBytes).toBe(0);
    expect(loadConfig({ TIDEMARK_TRAINING_CACHE_MB: '64' }).trainingCacheBytes).toBe(64 * 1024 * 1024);
    for (const bad of ['lots', '-1', '1.5'])
      expect(() => loadConfig({ TIDEMARK_TRAINING_CACHE_MB: bad })).toThrow(
        `TIDEMARK_TRAINING_CACHE_MB must be a whole number of megabytes >= 0, got '${bad}'`,
      );
  });

  it('TIDEMARK_RUN_NICE: 10 by default, 0 to 19 allowed, anything else refused by name', () => {
    expect(loadConfig({}).runNice).toBe(10);
    expect(loadConfig({ TIDEMARK_RUN_NICE: '0' }).runNice).toBe(0);
    expect(loadConfig({ TIDEMARK_RUN_NICE: '19' }).runNice).toBe(19);
    for (const bad of ['20', '-5', 'low', '2.5'])
      expect(() => loadConfig({ TIDEMARK_RUN_NICE: bad })).toThrow(
        `TIDEMARK_RUN_NICE must be a whole number 0..19 (0: runs keep the priority they started with), got '${bad}'`,
      );
  });

  it('refuses an unknown TIDEMARK_ variable as a typo', () => {
    expect(() => loadConfig({ TIDEMARK_STARTUP_WAIT: '5000' })).toThrow(/TIDEMARK_STARTUP_WAIT/);
  });
});
