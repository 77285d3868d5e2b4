/**
 * The profile stage wires column profiles (from validation) and feature profiles (taken
 * as rows are sealed). A feature that only copies a column takes that column's profile;
 * every other feature is profiled from its own values.
 */
import { describe, expect, it } from 'vitest';
import { columnCopies, profileStage } from '../../src/pipeline/profile-stage';
import { Profiler } from '../../src/quality/profile/profile';
import type { FeatureSpec } from '../../src/domain/contract';

const columns = new Set(['x', 'y', 'label']);

describe('columnCopies', () => {
  it('follows copies of copies, and not copies of computed features', () => {
    const features: FeatureSpec[] = [
      { name: 'x', column: 'x' },
      { name: 'x_again', column: 'x' }, // the earlier feature x, itself the column
      { name: 'y', expr: 'y * 2' }, // shadows the column y from here on
      { name: 'y_copy', column: 'y' }, // copies the computed feature, not the column
      { name: 'label_copy', column: 'label' },
      { name: 'sum', window: { op: 'sum', column: 'x', rows: 3 } },
    ];
    expect([...columnCopies(features, columns)]).toEqual([
      ['x', 'x'],
      ['x_again', 'x'],
      ['label_copy', 'label'],
    ]);
  });
});

describe('profileStage', () => {
  const columnProfile = (name: string, values: unknown[]) => {
    const p = new Profiler(name, 'column');
    for (const v of values) p.add(v);
    return p.finish();
  };

  it('gives copies the column profile under their name, profiles the rest from the rows, in contract order', () => {
    const x = columnProfile('x', [1, 2, null, 4]);
    const stage = profileStage(
      true,
      [
        { name: 'twice', expr: 'x * 2' },
        { name: 'x', column: 'x' },
      ],
      [x],
    );
    for (const [i, v] of [2, 4, null, 8].entries())
      stage.observe!({
        entityKey: `e${i}`,
        eventTime: i,
        values: { twice: v, x: v === null ? null : v / 2 },
        rowNumber: i,
        rawBatchId: 'b1',
      });
    const out = stage.profiles();
    expect(out.map((p) => `${p.kind}:${p.name}`)).toEqual(['column:x', 'feature:twice', 'feature:x']);
    expect(out[2]).toEqual({ ...x, kind: 'feature', name: 'x' });
    expect(out[1]).toMatchObject({ count: 4, nulls: 1, min: 2, max: 8 });
  });

  it('observes nothing when every feature is a copy, and stores only column profiles when off', () => {
    const x = columnProfile('x', [1]);
    expect(profileStage(true, [{ name: 'x', column: 'x' }], [x]).observe).toBeUndefined();
    const off = profileStage(false, [{ name: 'x', column: 'x' }], [x]);
    expect(off.observe).toBeUndefined();
    expect(off.profiles()).toEqual([x]);
  });
});
