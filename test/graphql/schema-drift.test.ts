/**
 * The committed schema.graphql is what the code emits (CI fails on drift), and it
 * keeps the public names DESIGN.md fixes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { currentSchemaSdl } from '../../scripts/emit-schema';

const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

describe('schema.graphql', () => {
  it('equals the SDL the code emits (run `npm run schema` and commit it)', async () => {
    expect(await currentSchemaSdl()).toBe(committed);
  });

  it('keeps the fixed public surface: fields and their arguments', () => {
    const schema = buildSchema(committed);
    const fixed: Record<string, Record<string, string[]>> = {
      Query: {
        contracts: ['environment'],
        contract: ['name', 'version'],
        features: ['contract', 'version', 'entities', 'features', 'asOf', 'knownAt', 'environment'],
        trainingSet: ['contract', 'version', 'rows', 'features', 'ttl', 'environment'],
        runs: ['contract', 'status', 'environment', 'trigger', 'first', 'after'],
        run: ['id'],
        lineage: ['contract', 'run', 'entity'],
      },
      Mutation: {
        applyContract: ['yaml'],
        promoteContract: ['name', 'version', 'to'],
        triggerRun: ['contract', 'environment'],
        ingest: ['contract', 'records', 'environment'],
        rollbackRun: ['id'],
        reprocessRun: ['id', 'contractVersion'],
      },
      Subscription: { runStatusChanged: ['contract', 'environment'] },
    };
    for (const [typeName, fields] of Object.entries(fixed)) {
      const type = schema.getType(typeName) as GraphQLObjectType;
      for (const [field, args] of Object.entries(fields)) {
        const f = type.getFields()[field];
        expect(f, `${typeName}.${field}`).toBeDefined();
        expect(
          f!.args.map((a) => a.name),
          `${typeName}.${field} arguments`,
        ).toEqual(expect.arrayContaining(args));
      }
    }
    const fv = (schema.getType('FeatureVector') as GraphQLObjectType).getFields();
    expect(Object.keys(fv)).toEqual(
      expect.arrayContaining([
        'entity',
        'timestamp',
        'eventTime',
        'values',
        'features',
        'runId',
        'contractVersion',
      ]),
    );
    expect(String(fv.timestamp!.type)).toBe('DateTime');
    expect(String(fv.values!.type)).toBe('JSON');
    const run = (schema.getType('Run') as GraphQLObjectType).getFields();
    expect(Object.keys(run)).toEqual(
      expect.arrayContaining([
        'id',
        'contract',
        'contractVersion',
        'environment',
        'trigger',
        'status',
        'rowsRead',
        'rowsValid',
        'rowsRejected',
        'rowsWritten',
        'outputDigest',
        'validation',
        'startedAt',
        'finishedAt',
        'parent',
        'error',
      ]),
    );
    expect(schema.getType('RunStatus')!.toString()).toBe('RunStatus');
    expect(committed).toMatch(
      /enum RunStatus \{\s+FAILED\s+QUEUED\s+ROLLED_BACK\s+RUNNING\s+SUCCEEDED\s+SUPERSEDED\s+\}/,
    );
  });
});
