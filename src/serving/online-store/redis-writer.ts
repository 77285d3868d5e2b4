/**
 * Writes to the online store in Redis. One instance at a time syncs a store: a pass
 * takes the sync lock (a lease), and every write is one Lua script (atomic, like
 * MULTI) that applies only while that lock is still this pass's and the stored cursor
 * is still the one the pass started from, renewing the lease. So a pass that stalled
 * past its lease (and another instance took over) can never write over newer values.
 * A batch's entity pages are written under the old cursor and the last write moves it,
 * so a reader never sees the new cursor before every page is in.
 */
import type { Redis } from 'ioredis';
import { onlineKeys, type OnlineKeys } from './keys';

/** How long a pass holds the store without writing before another instance may take over. */
export const LEASE_MS = 30_000;

// KEYS: cursor, lock, entity keys…; ARGV: lock token, expected cursor, new cursor ('' keeps
// it), one value per entity key ('' deletes it).
const APPLY = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[2] then return 0 end
for i = 3, #KEYS do
  local v = ARGV[i + 1]
  if v == '' then redis.call('DEL', KEYS[i]) else redis.call('SET', KEYS[i], v) end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], ARGV[3]) end
redis.call('PEXPIRE', KEYS[2], ${LEASE_MS})
return 1`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

type Command = (numKeys: number, ...args: string[]) => Promise<number>;

export class OnlineWriter {
  readonly keys: OnlineKeys;
  readonly lockKey: string;
  private token: string | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = onlineKeys(prefix);
    this.lockKey = `${prefix}online:sync-lock`;
    const r = redis as unknown as Record<string, Command | undefined>;
    if (!r.tidemarkOnlineApply) redis.defineCommand('tidemarkOnlineApply', { lua: APPLY });
    if (!r.tidemarkOnlineRelease) redis.defineCommand('tidemarkOnlineRelease', { lua: RELEASE });
  }

  private command(name: string): Command {
    return (this.redis as unknown as Record<string, Command>)[name]!.bind(this.redis);
  }

  /** Takes the sync lock for a pass; false when another instance holds it. */
  async lock(token: string): Promise<boolean> {
    const ok = (await this.redis.set(this.lockKey, token, 'PX', LEASE_MS, 'NX')) === 'OK';
    this.token = ok ? token : null;
    return ok;
  }

  async unlock(): Promise<void> {
    const token = this.token;
    this.token = null;
    if (token) await this.command('tidemarkOnlineRelease')(1, this.lockKey, token);
  }

  async cursor(): Promise<string | null> {
    return this.redis.get(this.keys.cursor);
  }

  /**
   * Sets `entries` (value null: deletes the key) if the cursor is still `expected`, then
   * moves the cursor to `next` when given. False: another writer moved it first.
   */
  async write(
    expected: string,
    entries: Array<[key: string, value: string | null]>,
    next: string | null,
  ): Promise<boolean> {
    if (!this.token) return false;
    const keys = [this.keys.cursor, this.lockKey, ...entries.map((e) => e[0])];
    const args = [this.token, expected, next ?? '', ...entries.map((e) => e[1] ?? '')];
    return (await this.command('tidemarkOnlineApply')(keys.length, ...keys, ...args)) === 1;
  }

  /** Marks the store as being rebuilt (reads fall back to SQL), then deletes every entity key. */
  async clear(marker: string): Promise<boolean> {
    if (!(await this.write((await this.cursor()) ?? '', [], marker))) return false;
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', this.keys.pattern, 'COUNT', 1000);
      cursor = next;
      const doomed = found.filter((k) => k !== this.keys.cursor && k !== this.lockKey);
      if (doomed.length > 0) await this.redis.unlink(...doomed);
    } while (cursor !== '0');
    return true;
  }
}
