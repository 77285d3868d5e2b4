/**
 * compileChecks: a contract version's schema and expectations → CompiledChecks. Called
 * once per contract version (the pipeline caches it by name@version); everything costly
 * — the ajv schema, regexes, sets, durations — is built here and never per row or per
 * batch. Throws InputError naming the expectation when one cannot be compiled, so
 * `contracts check` can call it to surface such problems in review.
 */
import type { Contract, ExpectationSpec } from '../domain/contract';
import { InputError } from '../errors';
import type { CompiledChecks } from './checks.types';
import { CATALOGUE } from './catalogue';
import { CompileEnv } from './compile-env';
import { compileSchemaCheck, type SchemaCheck } from './schema-check';
import { compileViewCheck } from './view-checks';

export function compileChecks(contract: Contract): CompiledChecks {
  const specs = withImplied(contract).map((spec, index) => ({ spec, index }));
  const viewChecks = specs
    .filter((s) => s.spec.scope === 'view')
    .map((s) => compileViewCheck(new CompileEnv(contract, s.spec, s.index)));
  const checks = specs
    .filter((s) => s.spec.scope !== 'view')
    .map(({ spec, index }) => {
      const env = new CompileEnv(contract, spec, index);
      const compile = CATALOGUE[spec.expect];
      if (!compile) env.fail('is not a known expectation');
      if (spec.mostly !== undefined && !(spec.mostly >= 0 && spec.mostly <= 1)) {
        env.fail(`has mostly ${spec.mostly}, expected 0..1`);
      }
      return compile(env);
    });
  const schema = schemaOf(contract);
  return {
    contract: {
      name: contract.name,
      version: contract.version,
      eventTime: contract.eventTime,
      entityKey: [...contract.entity.key],
      maxRejectedFraction: contract.policy?.maxRejectedFraction,
      columns: contract.schema.map((c) => c.name),
    },
    schema,
    checks,
    viewChecks,
  };
}

/**
 * A column declared `unique: true` is a promise about the data: it is checked like
 * an explicit `unique` expectation with severity reject (duplicates quarantined),
 * unless the contract already states a `unique` expectation for that column.
 */
function withImplied(contract: Contract): ExpectationSpec[] {
  const explicit = new Set(contract.expectations.filter((e) => e.expect === 'unique').map((e) => e.column));
  const implied: ExpectationSpec[] = contract.schema
    .filter((c) => c.unique === true && !explicit.has(c.name))
    .map((c) => ({
      expect: 'unique',
      column: c.name,
      severity: 'reject',
      description: `schema: column '${c.name}' is unique`,
    }));
  return [...contract.expectations, ...implied];
}

/** The column schema's compile error, prefixed with the contract it belongs to. */
function schemaOf(contract: Contract): SchemaCheck {
  try {
    return compileSchemaCheck(contract.schema);
  } catch (e) {
    if (e instanceof InputError)
      throw new InputError(`contract ${contract.name}@${contract.version}: ${e.message}`);
    throw e;
  }
}
