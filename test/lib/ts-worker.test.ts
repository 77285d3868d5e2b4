/**
 * OrderedWorker: a TypeScript module on its own thread, answering in order; a failing
 * request fails alone, a dying thread fails everything still waiting, and typed arrays
 * are moved, not copied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OrderedWorker } from '../../src/lib/ts-worker';

const MODULE = new URL('./fixtures/ordered.worker.ts', import.meta.url);

describe('OrderedWorker', () => {
  let w: OrderedWorker<unknown, unknown> | null = null;
  afterEach(async () => {
    await w?.close();
    w = null;
  });

  it('answers each request in the order asked, a slow one holding back the next', async () => {
    w = new OrderedWorker(MODULE, 'the test worker');
    const done: string[] = [];
    const answers = await Promise.all(
      [{ echo: 'a', delayMs: 150 }, { echo: 'b' }, { echo: 'c', delayMs: 30 }].map((r) =>
        w!.call(r).then((x) => (done.push(x as string), x)),
      ),
    );
    expect(answers).toEqual(['a', 'b', 'c']);
    expect(done).toEqual(['a', 'b', 'c']);
  });

  it('fails one request with its error and keeps answering the rest', async () => {
    w = new OrderedWorker(MODULE, 'the test worker');
    const bad = w.call({ fail: 'no such column' });
    const good = w.call({ echo: 'still here' });
    await expect(bad).rejects.toThrow('the test worker: no such column');
    await expect(good).resolves.toBe('still here');
  });

  it('moves a typed array: the sender no longer holds it', async () => {
    w = new OrderedWorker(MODULE, 'the test worker');
    const a = Float64Array.from([1.5, 2, 3.25]);
    await expect(w.call({ sum: a }, [a.buffer])).resolves.toBe(6.75);
    expect(a.byteLength).toBe(0);
  });

  it('fails what is waiting when the thread dies, and every later request', async () => {
    w = new OrderedWorker(MODULE, 'the test worker');
    const dying = w.call({ exit: 3 });
    const after = w.call({ echo: 'never' });
    await expect(dying).rejects.toThrow(/the test worker stopped \(exit code 3\)/);
    await expect(after).rejects.toThrow(/exit code 3/);
    await expect(w.call({ echo: 'later' })).rejects.toThrow(/exit code 3/);
  });
});
