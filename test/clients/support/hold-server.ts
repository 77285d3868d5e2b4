/**
 * A served instance (served.ts) holding the example contracts' sample data, kept up
 * until Ctrl-C, for measuring the Python client by hand (clients/python/bench):
 *
 *   npx tsx test/clients/support/hold-server.ts
 *
 * prints TIDEMARK_URL and a reader TIDEMARK_API_KEY to export.
 */
import { cardSample, startServed } from './served';

const s = await startServed();
await s.countryDailyRun();
await s.ingest('card_transactions', cardSample());
process.stdout.write(`TIDEMARK_URL=${s.base} TIDEMARK_API_KEY=${s.reader} SERVER_PID=${s.instance.pid}\n`);
await new Promise<void>((r) => process.once('SIGINT', () => r()));
await s.close();
