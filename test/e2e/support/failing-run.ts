/**
 * A run that fails validation, with a rejected row: a CSV contract whose mean must lie
 * in 0..40, and a file whose mean is 87.5 with one row below the schema's minimum.
 * Used by the console's browser test and by the README screenshots.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, type Setup } from './server';

export const SENSORS = `name: sensor_readings
version: 1.0.0
owner: e2e
entity: { name: sensor, key: [sensor] }
eventTime: ts
source: { type: csv, path: sensor_readings/*.csv }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: sensor, type: string, required: true }
  - { name: celsius, type: number, required: true, minimum: -50 }
expectations:
  - { expect: mean_between, column: celsius, min: 0, max: 40, severity: fail }
features:
  - { name: celsius, column: celsius }
`;
// Row 2 is below the schema's minimum (rejected); the mean of the others, 87.5, is above 40 (the run fails).
export const HOT_CSV =
  'ts,sensor,celsius\n2024-01-01T00:00:00Z,s1,80\n2024-01-01T01:00:00Z,s1,-99\n2024-01-01T02:00:00Z,s2,95\n';

/** Applies the contract, lands hot.csv and runs it; answers the run's id and status. */
export async function failingRun(s: Setup): Promise<{ id: string; status: string }> {
  await gql(s.server, 'mutation($y: String!) { applyContract(yaml: $y) { status } }', { y: SENSORS });
  mkdirSync(join(s.dataDir, 'landing', 'sensor_readings'), { recursive: true });
  writeFileSync(join(s.dataDir, 'landing', 'sensor_readings', 'hot.csv'), HOT_CSV);
  const { triggerRun } = await gql<{ triggerRun: { id: string; status: string } }>(
    s.server,
    'mutation { triggerRun(contract: "sensor_readings") { id status } }',
  );
  return triggerRun;
}
