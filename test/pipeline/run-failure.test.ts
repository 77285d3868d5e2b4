import { describe, expect, it } from 'vitest';
import { InputError, StorageFullError, UnavailableError } from '../../src/errors';
import { classify, describeFailure } from '../../src/pipeline/run-failure';

describe('classify', () => {
  it('never retries a failure the data causes: a stack overflow is an input problem, not transient', () => {
    let overflow: unknown;
    const recurse = (n: number): number => recurse(n + 1) + 1;
    try {
      recurse(0);
    } catch (e) {
      overflow = e;
    }
    expect(overflow).toBeInstanceOf(RangeError);
    expect(classify(overflow)).toBe('input');
    expect(describeFailure(overflow, null).patch.errorKind).toBe('input');
    expect(classify(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('input');
    expect(classify(new InputError('bad'))).toBe('input');
  });

  it('keeps I/O and database failures transient', () => {
    const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    expect(classify(eio)).toBe('transient');
    expect(classify(new UnavailableError('the database is unreachable'))).toBe('transient');
    expect(classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('transient');
  });

  it("tells a full disk apart (storage), with our words instead of the driver's", () => {
    const enospc = Object.assign(
      new Error("ENOSPC: no space left on device, write '/data/raw/.incoming-1'"),
      {
        code: 'ENOSPC',
      },
    );
    expect(classify(enospc)).toBe('storage');
    expect(classify(new StorageFullError('disk full'))).toBe('storage');
    const sqlite = Object.assign(
      new Error('insert into "feature_rows" … - SQLITE_FULL: database or disk is full'),
      {
        code: 'SQLITE_FULL',
      },
    );
    const failure = describeFailure(sqlite, null);
    expect(failure.patch).toMatchObject({
      errorKind: 'storage',
      error: 'disk full: the database has no space left (SQLITE_FULL); free space on its disk',
    });
    expect(failure.expected).toBe(true);
  });
});
