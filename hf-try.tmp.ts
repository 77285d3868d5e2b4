import { readFileSync, readdirSync } from 'node:fs';
import { parseContract } from './src/contracts/parse';
import { toOdcsYaml } from './src/contracts/odcs/export';
import { importOdcs } from './src/contracts/odcs/import';
import { ContractValidationError } from './src/errors';
for (const f of ['contracts/country_daily.yaml', 'contracts/card_transactions.yaml']) {
  const c = parseContract(readFileSync(f, 'utf8'), f).contract;
  const y = toOdcsYaml(c);
  if (f.includes('country')) console.log(y);
  const back = importOdcs(y, { file: 'x.odcs.yaml' });
  if (f.includes('country')) { console.log(back.yaml); console.log(back.lost, back.notes); }
  const y2 = toOdcsYaml(back.contract);
  console.log(f, 'stable', y === y2);
}
for (const f of readdirSync('test/fixtures/odcs/examples')) {
  try {
    const r = importOdcs(readFileSync('test/fixtures/odcs/examples/' + f, 'utf8'), { file: f });
    console.log(f, 'OK', r.yaml);
  } catch (e) {
    console.log(f, (e as Error).message);
  }
}
