/**
 * releaseBuffers moves typed arrays' buffers out (no copy), leaving the arrays empty, and
 * leaves alone what it was not given, including another view of a buffer it was.
 */
import { describe, expect, it } from 'vitest';
import { releaseBuffers } from '../../src/lib/release-buffers';

describe('releaseBuffers', () => {
  it('detaches the given arrays and every view of their buffers', () => {
    const a = new Float64Array(1000).fill(1);
    const b = new Int32Array(10);
    const view = new Uint8Array(a.buffer, 8, 8);
    const kept = new Float64Array(5).fill(2);
    releaseBuffers([a, b, a]);
    expect(a.length).toBe(0);
    expect(a.buffer.byteLength).toBe(0);
    expect(b.length).toBe(0);
    expect(view.length).toBe(0);
    expect([...kept]).toEqual([2, 2, 2, 2, 2]);
  });

  it('accepts empty and already released arrays', () => {
    const a = new Float64Array(3);
    releaseBuffers([a]);
    expect(() => releaseBuffers([a, new Float64Array(0)])).not.toThrow();
    expect(() => releaseBuffers([])).not.toThrow();
  });
});
