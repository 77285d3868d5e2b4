/**
 * Generates the sample data for the example contracts, deterministically (seeded
 * PRNG), so the tour and the tests see the same files on every machine:
 *   seeds/data/country_daily/2020-q1.csv, 2020-q2.csv   (for contracts/country_daily.yaml)
 *   seeds/data/card_transactions/sample.jsonl            (records to push to card_transactions)
 * A few rows are dirty on purpose (a missing count, a malformed country code, a
 * negative count) so the rejects and the validation report have something to show.
 *
 *   npm run seed               writes the files
 *   npm run seed -- --landing  also copies them into $TIDEMARK_DATA_DIR/landing
 */
import { mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'data');

/** mulberry32: tiny, fast, good enough for sample data, and the same everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = [
  'AUT',
  'BEL',
  'BRA',
  'CAN',
  'CHE',
  'DEU',
  'DNK',
  'ESP',
  'FIN',
  'FRA',
  'GBR',
  'IND',
  'ITA',
  'JPN',
  'KOR',
  'MEX',
  'NLD',
  'NOR',
  'POL',
  'PRT',
  'SWE',
  'USA',
  'ZAF',
  'ARG',
];

function countryDaily(): { q1: string; q2: string } {
  const rnd = prng(20200301);
  const header = 'date,country,confirmed,deaths,tests';
  const q1: string[] = [header];
  const q2: string[] = [header];
  const start = Date.UTC(2020, 1, 1);
  for (const country of COUNTRIES) {
    // A logistic epidemic curve per country: size, speed and midpoint vary.
    const size = 20_000 + rnd() * 400_000;
    const speed = 0.06 + rnd() * 0.08;
    const mid = 40 + rnd() * 50;
    const cfr = 0.005 + rnd() * 0.04;
    let tests = 0;
    for (let day = 0; day < 150; day++) {
      const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
      const confirmed = Math.round(size / (1 + Math.exp(-speed * (day - mid))));
      const deaths = Math.round(confirmed * cfr);
      tests += Math.round(confirmed * (0.05 + rnd() * 0.2)) + 50;
      let line = `${date},${country},${confirmed},${deaths},${tests}`;
      const dirt = rnd();
      if (dirt < 0.01) line = `${date},${country},${confirmed},NA,${tests}`;
      else if (dirt < 0.012) line = `${date},${country.toLowerCase()},${confirmed},${deaths},${tests}`;
      else if (dirt < 0.014) line = `${date},${country},-${confirmed},${deaths},${tests}`;
      (day < 90 ? q1 : q2).push(line);
    }
  }
  return { q1: q1.join('\n') + '\n', q2: q2.join('\n') + '\n' };
}

function cardTransactions(): string {
  const rnd = prng(4242);
  const cards = Array.from({ length: 40 }, (_, i) => `card${String(100000 + i * 7919).padStart(8, '0')}`);
  const categories = ['grocery', 'fuel', 'travel', 'restaurants', 'electronics', null];
  const lines: string[] = [];
  let t = Date.UTC(2024, 2, 1, 8);
  for (let i = 0; i < 600; i++) {
    t += Math.round(rnd() * 20 * 60_000);
    const amount = Math.round(Math.exp(2 + rnd() * 4) * 100) / 100;
    lines.push(
      JSON.stringify({
        ts: new Date(t).toISOString(),
        card_id: cards[Math.floor(rnd() * cards.length)],
        amount,
        currency: ['EUR', 'USD', 'GBP'][Math.floor(rnd() * 3)],
        merchant_category: categories[Math.floor(rnd() * categories.length)],
        card_present: rnd() < 0.7,
      }),
    );
  }
  return lines.join('\n') + '\n';
}

export function writeSeeds(dir = out): void {
  mkdirSync(join(dir, 'country_daily'), { recursive: true });
  mkdirSync(join(dir, 'card_transactions'), { recursive: true });
  const cd = countryDaily();
  writeFileSync(join(dir, 'country_daily', '2020-q1.csv'), cd.q1);
  writeFileSync(join(dir, 'country_daily', '2020-q2.csv'), cd.q2);
  writeFileSync(join(dir, 'card_transactions', 'sample.jsonl'), cardTransactions());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeSeeds();
  console.log(`sample data written to ${out}`);
  if (process.argv.includes('--landing')) {
    const landing = join(resolve(process.env.TIDEMARK_DATA_DIR || './data'), 'landing');
    mkdirSync(landing, { recursive: true });
    cpSync(join(out, 'country_daily'), join(landing, 'country_daily'), { recursive: true });
    console.log(`copied country_daily/*.csv into ${landing}`);
  }
}
