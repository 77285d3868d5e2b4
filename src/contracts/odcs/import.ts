/**
 * ODCS document → Tidemark contract. The document must pass the ODCS v3.1.0 schema;
 * then what has a meaning here is mapped, everything else is reported with its line
 * (never silently dropped), and the result must pass every contract check. What a
 * contract needs and the document does not say (entity key, event time, owner) comes
 * from Tidemark's own custom properties, from the document's structure (primaryKey,
 * the one date/timestamp property, team.name) or from the caller; otherwise the
 * import is refused with the reason and the line.
 */
import { Document } from 'yaml';
import { ContractValidationError, type Issue } from '../../errors';
import { CONTRACT_KEYS, type Contract, type FeatureSpec, type SourceSpec } from '../../domain/contract';
import { parseContract } from '../parse';
import { ImportLedger } from './import-report';
import { importTable } from './import-table';
import { chooseTable, customProperties, readOdcs, type Obj } from './import-read';
import {
  contractName,
  defaultFeatures,
  defaultSource,
  descriptionOf,
  entity,
  eventTime,
  freshness,
  owner,
  requireIdentity,
} from './import-fields';

export { MAX_ODCS_BYTES } from './import-read';

export interface OdcsImportOptions {
  /** Shown in every message; the produced contract's file for its own checks. */
  file: string;
  /** Where the contract will be written (default `<name>.yaml`), for the contract checks' messages. */
  out?: string;
  name?: string;
  owner?: string;
  key?: string[];
  eventTime?: string;
  /** The schema object to import when the document describes several. */
  table?: string;
}

export interface OdcsImportResult {
  contract: Contract;
  /** The contract as YAML, checked like any contract file. */
  yaml: string;
  /** What the document holds that the contract does not, in file order. */
  lost: Issue[];
  /** Defaults chosen for what the document does not say. */
  notes: string[];
}

const MISSING = Symbol('missing');

const TOP_KEYS = [
  'apiVersion',
  'kind',
  'id',
  'name',
  'version',
  'status',
  'description',
  'tags',
  'team',
  'schema',
  'slaProperties',
  'customProperties',
];

export function importOdcs(text: string, opts: OdcsImportOptions): OdcsImportResult {
  const { doc, locator } = readOdcs(text, opts.file);
  const ledger = new ImportLedger(locator);
  const refuse = (path: string, message: string): never => {
    throw new ContractValidationError([locator.issue({ path, message })]);
  };
  const custom = customProperties(doc, ledger);
  const { table, tableAt } = chooseTable(doc, opts, refuse, ledger);
  const imported = importTable(table, tableAt, ledger);
  if (imported.columns.length === 0)
    refuse(`${tableAt}/properties`, 'no property maps to a Tidemark column; a contract needs at least one');

  // What a contract needs and the document lacks is collected, so one refusal names it all.
  const missing: Issue[] = [];
  const lack = (path: string, message: string): never => {
    missing.push(locator.issue({ path, message }));
    throw MISSING;
  };
  const attempt = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      if (e === MISSING) return fallback;
      throw e;
    }
  };
  const name = attempt(() => contractName(doc, opts, table, lack), 'unnamed');
  if (doc.id !== undefined && doc.id !== name)
    ledger.lose(
      '/id',
      `id '${String(doc.id)}' not kept: Tidemark identifies a contract by name and version (${name})`,
    );
  if (doc.status !== undefined)
    ledger.lose(
      '/status',
      `status '${String(doc.status)}' not kept: a Tidemark version's status comes from its promotions (tidemark contracts promote)`,
    );

  const contract: Contract = {
    name,
    version: String(doc.version),
    owner: attempt(() => owner(doc, opts, lack, ledger), ''),
    entity: { name: '', key: [] },
    eventTime: '',
    source: { type: 'push' },
    schema: imported.columns,
    expectations: imported.expectations,
    features: [],
  };
  ledger.from('/name', doc.name !== undefined ? '/name' : tableAt);
  ledger.from('/version', '/version');
  const description = descriptionOf(doc, imported, tableAt, ledger);
  if (description !== undefined) contract.description = description;
  contract.entity = attempt(() => entity(imported, custom, opts, tableAt, lack, ledger), contract.entity);
  contract.eventTime = attempt(() => eventTime(imported, custom, opts, tableAt, lack, ledger), '');
  contract.source = (custom.source?.value as SourceSpec | undefined) ?? defaultSource(ledger);
  // Default features are the columns besides the key and event time: only once both are known.
  if (missing.length === 0) {
    contract.features = attempt(
      () =>
        (custom.features?.value as FeatureSpec[] | undefined) ??
        defaultFeatures(contract, tableAt, lack, ledger),
      [],
    );
  }
  if (missing.length > 0) throw new ContractValidationError(missing);
  requireIdentity(contract, ledger);
  for (const key of ['filters', 'schedule', 'policy', 'links'] as const) {
    if (custom[key] !== undefined) (contract as unknown as Obj)[key] = custom[key].value;
  }
  const sla = freshness(doc, contract, ledger);
  if (sla !== undefined) contract.sla = { freshness: sla };
  if (Array.isArray(doc.tags) && doc.tags.length > 0) {
    contract.tags = doc.tags as string[];
    ledger.from('/tags', '/tags');
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.includes(key)) ledger.lose(`/${key}`, `${key} has no Tidemark equivalent; not kept`, 'key');
  }
  const ordered = inContractOrder(contract);
  const yaml = contractYaml(ordered);
  check(yaml, opts.out ?? `${name}.yaml`, ledger);
  return { contract: ordered, yaml, lost: ledger.sortedLost(), notes: ledger.notes };
}

function inContractOrder(c: Contract): Contract {
  const src = c as unknown as Obj;
  const out: Obj = {};
  for (const k of CONTRACT_KEYS) if (src[k] !== undefined) out[k] = src[k];
  return out as unknown as Contract;
}

/** The house style of contracts/: one flow mapping per column, expectation and feature. */
function contractYaml(c: Contract): string {
  const doc = new Document(c);
  for (const key of ['schema', 'expectations', 'features', 'filters']) {
    const seq = doc.get(key, true) as { items?: Array<{ flow?: boolean }> } | undefined;
    for (const item of seq?.items ?? []) item.flow = true;
  }
  for (const key of ['entity', 'source', 'schedule', 'sla', 'policy']) {
    const node = doc.get(key, true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Every contract check, its findings moved to the ODCS line each part was read from. */
function check(yaml: string, file: string, ledger: ImportLedger): void {
  try {
    parseContract(yaml, file);
  } catch (e) {
    if (!(e instanceof ContractValidationError)) throw e;
    const issues = e.issues.map((i) => {
      const at = ledger.locator.issue({ path: ledger.origin(i.path), message: '' });
      return { ...at, message: `the contract would not pass its checks: ${i.path || '/'}: ${i.message}` };
    });
    throw new ContractValidationError(issues);
  }
}
