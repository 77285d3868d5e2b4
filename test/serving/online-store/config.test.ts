/** TIDEMARK_ONLINE_STORE: sql (default) or redis, which needs REDIS_URL. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';

describe('TIDEMARK_ONLINE_STORE', () => {
  it('defaults to sql, takes redis with REDIS_URL, and names what is wrong otherwise', () => {
    expect(loadConfig({}).onlineStore).toBe('sql');
    expect(
      loadConfig({ TIDEMARK_ONLINE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }).onlineStore,
    ).toBe('redis');
    expect(() => loadConfig({ TIDEMARK_ONLINE_STORE: 'redis' })).toThrow(
      'TIDEMARK_ONLINE_STORE=redis needs REDIS_URL',
    );
    expect(() => loadConfig({ TIDEMARK_ONLINE_STORE: 'memcached' })).toThrow(
      "TIDEMARK_ONLINE_STORE must be sql or redis; got 'memcached'",
    );
  });
});
