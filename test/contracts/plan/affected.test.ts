/** Which features a change reaches, from the two contracts alone. */
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../../src/contracts/parse';
import { affectedFeatures } from '../../../src/contracts/plan/affected';

const BASE = `
name: sales
version: 1.0.0
owner: tests
entity: { name: store, key: [store] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: store, type: string, required: true }
  - { name: amount, type: number }
  - { name: fee, type: number, description: what the shop pays }
expectations: []
features:
  - { name: amount, column: amount }
  - { name: net, expr: 'amount - fee' }
  - { name: net_3, window: { op: sum, column: net, rows: 3 } }
  - { name: net_3_pct, expr: 'net_3 / 100' }
  - { name: fee, column: fee }
`;
const contract = (yaml: string) => parseContract(yaml, 'x.yaml').contract;
const affected = (edit: (y: string) => string) => affectedFeatures(contract(BASE), contract(edit(BASE)));

describe('affectedFeatures', () => {
  it('a changed expression reaches the window over it and the expression over that window', () => {
    const def = "definition changed: expr 'amount - fee' → expr 'amount - 2 * fee'";
    expect(affected((y) => y.replace("'amount - fee'", "'amount - 2 * fee'"))).toEqual([
      { feature: 'net', reason: def },
      { feature: 'net_3', reason: `reads net (${def})` },
      { feature: 'net_3_pct', reason: `reads net_3 ← net (${def})` },
    ]);
  });

  it("a column's rules reach the features reading it; its description does not", () => {
    expect(affected((y) => y.replace('what the shop pays', 'the fee'))).toEqual([]);
    const out = affected((y) =>
      y.replace('{ name: fee, type: number,', '{ name: fee, type: number, minimum: 0,'),
    );
    expect(out.map((a) => a.feature)).toEqual(['net', 'net_3', 'net_3_pct', 'fee']);
    expect(out[0]!.reason).toBe('reads column fee, whose rules changed');
    expect(out[2]!.reason).toBe('reads net_3 ← net (reads column fee, whose rules changed)');
  });

  it('a new feature is named as new; an unchanged contract reaches nothing', () => {
    expect(affected((y) => y + "  - { name: gross, expr: 'amount + fee' }\n")).toEqual([
      { feature: 'gross', reason: 'new feature' },
    ]);
    expect(affected((y) => y)).toEqual([]);
  });
});
