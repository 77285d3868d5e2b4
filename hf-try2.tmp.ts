import { readFileSync } from 'node:fs';
import { importOdcs } from './src/contracts/odcs/import';
import { formatIssue } from './src/errors';
const cases: Array<[string, object]> = [
  ['all-data-types', { owner: 'payments', key: ['account_id'], eventTime: 'txn_timestamp' }],
  ['table-column-description', { owner: 'payments', key: ['txn_ref_dt'] }],
  ['column-completeness', { owner: 'x', eventTime: 'UniqueID' }],
];
for (const [f, o] of cases) {
  try {
    const r = importOdcs(readFileSync(`test/fixtures/odcs/examples/${f}.odcs.yaml`, 'utf8'), { file: f, ...o });
    console.log(f, 'OK\n' + r.yaml); r.lost.forEach((i) => console.log('  lost', formatIssue(i))); r.notes.forEach((n) => console.log('  note', n));
  } catch (e) { console.log(f, (e as Error).message); }
}
