/**
 * Contract.odcs over HTTP: a registered version answers its ODCS v3.1.0 document,
 * valid against the standard's schema, importing back to the registered contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { repoFile, startServer, type TestServer } from '../support/graphql';
import { odcsSchemaFindings } from '../../src/contracts/odcs/validate';
import { importOdcs } from '../../src/contracts/odcs/import';

describe(`Contract.odcs (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({
      contracts: [repoFile('contracts/country_daily.yaml'), repoFile('contracts/card_transactions.yaml')],
    });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('answers each registered version as a valid ODCS document that imports back to it', async () => {
    const data = await s.ok(`{ contracts { name version environments odcs } }`);
    expect(data.contracts).toHaveLength(2);
    for (const c of data.contracts as Array<{ name: string; version: string; odcs: string }>) {
      const doc = parse(c.odcs);
      expect(odcsSchemaFindings(doc)).toEqual([]);
      expect(doc).toMatchObject({
        apiVersion: 'v3.1.0',
        kind: 'DataContract',
        name: c.name,
        version: c.version,
      });
      expect(doc.status).toBe('active');
      const registered = (await rt.store.contracts.findVersion(c.name, c.version))!.contract;
      const back = importOdcs(c.odcs, { file: `${c.name}.odcs.yaml` }).contract;
      expect(new Set(back.expectations)).toEqual(new Set(registered.expectations));
      expect({ ...back, expectations: [] }).toEqual({ ...registered, expectations: [] });
    }
  });

  it('is asked for by name like any field', async () => {
    const data = await s.ok(`{ contract(name: "card_transactions") { odcs } }`);
    const doc = parse(data.contract.odcs);
    expect(doc.team).toEqual({ name: 'payments-risk' });
    expect(doc.slaProperties).toEqual([
      { property: 'latency', value: 1, unit: 'h', element: 'card_transactions.ts' },
    ]);
    expect(doc.schema[0].properties.find((p: { name: string }) => p.name === 'card_id')).toMatchObject({
      primaryKey: true,
      primaryKeyPosition: 1,
      logicalType: 'string',
      physicalType: 'text',
      logicalTypeOptions: { minLength: 8, maxLength: 32 },
    });
  });
});
