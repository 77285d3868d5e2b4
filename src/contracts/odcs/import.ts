/**
 * ODCS document → Tidemark contract. The document must pass the ODCS v3.1.0 schema;
 * then what has a meaning here is mapped, everything else is reported with its line
 * (never silently dropped), and the result must pass every contract check. What a
 * contract needs and the document does not say (entity key, event time, owner) comes
 * from Tidemark's own custom properties, from the document's structure (primaryKey,
 * the one date/timestamp property, team.name) or from the caller; otherwise the
 * import is refused with the reason and the line.
 */
import { Document, isMap, LineCounter, parseDocument } from 'yaml';
import { ContractValidationError, type Issue } from '../../errors';
import { CONTRACT_KEYS, type Contract, type FeatureSpec, type SourceSpec } from '../../domain/contract';
import { CONTRACT_NAME_PATTERN } from '../meta-schema';
import { YamlLocator } from '../locate';
import { parseContract } from '../parse';
import { CONTRACT_CUSTOM, type ContractCustomKey, SLA_UNIT_ALIASES, SLA_UNITS } from './custom-properties';
import { ImportLedger } from './import-report';
import { importTable, type ImportedTable } from './import-table';
import { odcsSchemaFindings } from './validate';

type Obj = Record<string, unknown>;

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

/** ODCS documents are larger than contracts (descriptions, examples, several tables). */
export const MAX_ODCS_BYTES = 1024 * 1024;

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

function readOdcs(text: string, file: string): { doc: Obj; locator: YamlLocator } {
  const fileIssue = (message: string): Issue => ({ file, path: '', line: 0, column: 0, message });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_ODCS_BYTES) {
    throw new ContractValidationError([
      fileIssue(`ODCS document is ${bytes} bytes; the limit is ${MAX_ODCS_BYTES}`),
    ]);
  }
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new YamlLocator(parsed, lineCounter, file);
  if (parsed.errors.length > 0) {
    throw new ContractValidationError(
      parsed.errors.map((e) => ({
        file,
        path: '',
        ...locator.offsetPosition(e.pos[0]),
        message: e.message.split('\n')[0]!,
      })),
    );
  }
  if (!isMap(parsed.contents))
    throw new ContractValidationError([
      fileIssue('an ODCS document is a mapping (apiVersion: ..., kind: DataContract, ...)'),
    ]);
  let doc: Obj;
  try {
    doc = parsed.toJS({ maxAliasCount: 10 }) as Obj;
  } catch (e) {
    throw new ContractValidationError([fileIssue(`unreadable YAML: ${(e as Error).message}`)]);
  }
  const findings = odcsSchemaFindings(doc);
  if (findings.length > 0) {
    const issues = findings
      .slice(0, 100)
      .map((f) => locator.issue({ ...f, message: `not a valid ODCS v3.1.0 document: ${f.message}` }));
    throw new ContractValidationError(issues);
  }
  return { doc, locator };
}

type Custom = Partial<Record<ContractCustomKey, { value: unknown; at: string }>>;

function customProperties(doc: Obj, ledger: ImportLedger): Custom {
  const out: Custom = {};
  const byName = new Map<string, ContractCustomKey>(
    Object.entries(CONTRACT_CUSTOM).map(([k, v]) => [v, k as ContractCustomKey]),
  );
  ((doc.customProperties ?? []) as Obj[]).forEach((p, i) => {
    const at = `/customProperties/${i}`;
    const key = byName.get(String(p.property));
    if (!key) {
      ledger.lose(at, `custom property '${String(p.property)}' is not one Tidemark reads; not kept`);
      return;
    }
    out[key] = { value: p.value, at: `${at}/value` };
    const target = key === 'entity' ? '/entity' : `/${key}`;
    ledger.from(target, `${at}/value`);
  });
  return out;
}

function chooseTable(
  doc: Obj,
  opts: OdcsImportOptions,
  refuse: (p: string, m: string) => never,
  ledger: ImportLedger,
) {
  const tables = (doc.schema ?? []) as Obj[];
  if (tables.length === 0)
    refuse(
      '/schema',
      'the document describes no table (schema is empty): a Tidemark contract is the columns of one table',
    );
  let index = 0;
  if (opts.table !== undefined) {
    index = tables.findIndex((t) => t.name === opts.table);
    if (index < 0)
      refuse(
        '/schema',
        `no table named '${opts.table}'; the document has ${tables.map((t) => `'${String(t.name)}'`).join(', ')}`,
      );
  } else if (tables.length > 1) {
    refuse(
      '/schema',
      `the document describes ${tables.length} tables (${tables.map((t) => `'${String(t.name)}'`).join(', ')}); a contract is one table: choose one with --table`,
    );
  }
  tables.forEach((t, i) => {
    if (i !== index)
      ledger.lose(
        `/schema/${i}`,
        `table '${String(t.name)}' not imported (one contract describes one table; import it with --table ${String(t.name)})`,
      );
  });
  return { table: tables[index]!, tableAt: `/schema/${index}` };
}

function contractName(
  doc: Obj,
  opts: OdcsImportOptions,
  table: Obj,
  refuse: (p: string, m: string) => never,
): string {
  const name = opts.name ?? (typeof doc.name === 'string' ? doc.name : String(table.name));
  if (!new RegExp(CONTRACT_NAME_PATTERN).test(name) || name.length > 63) {
    const where = opts.name !== undefined ? '--name' : doc.name !== undefined ? 'name' : 'the table name';
    refuse(
      doc.name !== undefined ? '/name' : '',
      `${where} '${name}' is not a Tidemark contract name (lower case letters, digits and _, starting with a letter, at most 63 characters): pass --name`,
    );
  }
  return name;
}

function owner(
  doc: Obj,
  opts: OdcsImportOptions,
  refuse: (p: string, m: string) => never,
  ledger: ImportLedger,
): string {
  const team = doc.team;
  if (Array.isArray(team)) {
    // ODCS v3.0 lists members; the member whose role is owner owns the contract.
    const members = team as Obj[];
    const o = members.findIndex((m) => typeof m.role === 'string' && /owner/i.test(m.role));
    members.forEach((m, i) => {
      if (i !== o)
        ledger.lose(`/team/${i}`, `team member '${String(m.username)}' not kept: a contract names one owner`);
    });
    if (opts.owner !== undefined) return opts.owner;
    if (o >= 0) {
      ledger.from('/owner', `/team/${o}/username`);
      return String(members[o]!.username);
    }
    return refuse(
      '/team',
      'no team member has the role owner: Tidemark names one owner in reports and the audit trail; pass --owner',
    );
  }
  const t = (team ?? {}) as Obj;
  for (const key of Object.keys(t)) {
    if (key !== 'name')
      ledger.lose(
        `/team/${key}`,
        `team ${key} has no Tidemark equivalent (a contract names its owner only); not kept`,
        'key',
      );
  }
  if (opts.owner !== undefined) return opts.owner;
  if (typeof t.name === 'string' && /\S/.test(t.name)) {
    ledger.from('/owner', '/team/name');
    return t.name;
  }
  return refuse(
    team ? '/team' : '',
    'the document names no team: Tidemark names an owner in reports and the audit trail; add team.name or pass --owner',
  );
}

function descriptionOf(
  doc: Obj,
  table: ImportedTable,
  tableAt: string,
  ledger: ImportLedger,
): string | undefined {
  const d = (doc.description ?? {}) as Obj;
  for (const key of Object.keys(d)) {
    if (key !== 'purpose')
      ledger.lose(
        `/description/${key}`,
        `description.${key} not kept: a Tidemark contract has one description (description.purpose)`,
        'key',
      );
  }
  if (typeof d.purpose === 'string') {
    ledger.from('/description', '/description/purpose');
    if (table.description !== undefined) {
      ledger.lose(
        `${tableAt}/description`,
        'table description not kept: the contract has one description, taken from description.purpose',
        'key',
      );
    }
    return d.purpose;
  }
  return table.description;
}

function entity(
  table: ImportedTable,
  custom: Custom,
  opts: OdcsImportOptions,
  tableAt: string,
  refuse: (p: string, m: string) => never,
  ledger: ImportLedger,
): Contract['entity'] {
  const key = opts.key ?? table.primaryKey;
  if (key.length === 0) {
    refuse(
      `${tableAt}/properties`,
      'no property is a primaryKey: Tidemark needs the entity key (the column(s) identifying an entity): mark them primaryKey: true, or pass --key column[,column]',
    );
  }
  for (const k of key) {
    if (!table.columnPaths.has(k))
      refuse(`${tableAt}/properties`, `key column '${k}' is not a property of the table`);
  }
  const spec = (custom.entity?.value ?? {}) as Obj;
  if (custom.entity === undefined) {
    ledger.from('/entity', table.columnPaths.get(key[0]!)!);
    ledger.note(
      `entity named '${key.length === 1 ? key[0] : 'entity'}' after its key (the document has no ${CONTRACT_CUSTOM.entity})`,
    );
  }
  const out: Contract['entity'] = {
    name: typeof spec.name === 'string' ? spec.name : key.length === 1 ? key[0]! : 'entity',
    key,
  };
  if (spec.nullable !== undefined) out.nullable = spec.nullable as string[];
  if (spec.description !== undefined) out.description = spec.description as string;
  return out;
}

function eventTime(
  table: ImportedTable,
  custom: Custom,
  opts: OdcsImportOptions,
  tableAt: string,
  refuse: (p: string, m: string) => never,
  ledger: ImportLedger,
): string {
  if (opts.eventTime !== undefined) {
    const at = table.columnPaths.get(opts.eventTime);
    if (at) ledger.from('/eventTime', at);
    return opts.eventTime;
  }
  if (typeof custom.eventTime?.value === 'string') return custom.eventTime.value;
  const times = table.columns.filter((c) => c.type === 'date' || c.type === 'timestamp').map((c) => c.name);
  if (times.length === 1) {
    ledger.from('/eventTime', table.columnPaths.get(times[0]!)!);
    ledger.note(`event time: '${times[0]}', the table's one date or timestamp column`);
    return times[0]!;
  }
  if (times.length === 0) {
    return refuse(
      `${tableAt}/properties`,
      'no date or timestamp property: Tidemark needs an event time column (when each row happened) for point-in-time reads; add one, or pass --event-time',
    );
  }
  return refuse(
    `${tableAt}/properties`,
    `${times.length} date/timestamp properties (${times.join(', ')}): say which is the event time with --event-time`,
  );
}

function defaultSource(ledger: ImportLedger): SourceSpec {
  ledger.note(
    `source: push (records sent with GraphQL ingest), as the document has no ${CONTRACT_CUSTOM.source}`,
  );
  return { type: 'push' };
}

function defaultFeatures(
  c: Contract,
  tableAt: string,
  lack: (p: string, m: string) => never,
  ledger: ImportLedger,
): FeatureSpec[] {
  const skip = new Set([...c.entity.key, c.eventTime]);
  const features = c.schema
    .filter((col) => !skip.has(col.name))
    .map((col) => ({ name: col.name, column: col.name }));
  if (features.length === 0) {
    lack(
      `${tableAt}/properties`,
      `no column besides the key and the event time (${[...skip].join(', ')}) to serve as a feature; a contract serves at least one`,
    );
  }
  ledger.note(
    `features: one per column besides the key and event time (${features.map((f) => f.name).join(', ') || 'none'}), as the document has no ${CONTRACT_CUSTOM.features}`,
  );
  return features;
}

/**
 * Every row needs its key and event time, so Tidemark requires them; ODCS leaves
 * `required` false by default, and a primary key or event time holds no null anyway.
 * A column the document marks `required: false` stays so, and the checks refuse it.
 */
function requireIdentity(c: Contract, ledger: ImportLedger): void {
  const nullable = new Set(c.entity.nullable ?? []);
  for (const name of new Set([...c.entity.key, c.eventTime])) {
    const col = c.schema.find((s) => s.name === name);
    if (!col || col.required !== undefined || nullable.has(name)) continue;
    col.required = true;
    ledger.note(
      `column '${name}' made required: it is ${c.entity.key.includes(name) ? 'a key column' : 'the event time'}, which every row must have`,
    );
  }
}

/** The ODCS latency SLA (on the event time) is the contract's freshness; other SLA properties are reported. */
function freshness(doc: Obj, c: Contract, ledger: ImportLedger): string | undefined {
  let out: string | undefined;
  if (doc.slaDefaultElement !== undefined)
    ledger.lose(
      '/slaDefaultElement',
      'slaDefaultElement not kept: Tidemark measures freshness on the event time column',
      'key',
    );
  ((doc.slaProperties ?? []) as Obj[]).forEach((s, i) => {
    const at = `/slaProperties/${i}`;
    if (s.property !== 'latency' || out !== undefined) {
      ledger.lose(
        at,
        `SLA property '${String(s.property)}' not kept: ${s.property === 'latency' ? 'an earlier latency is the freshness' : "Tidemark's SLA is freshness (the ODCS latency of the event time)"}`,
      );
      return;
    }
    const unit = SLA_UNITS.find((u) => u.unit === SLA_UNIT_ALIASES[String(s.unit ?? '').toLowerCase()]);
    if (typeof s.value !== 'number' || !Number.isInteger(s.value) || s.value <= 0 || !unit) {
      ledger.lose(
        at,
        `latency ${JSON.stringify(s.value)} ${String(s.unit ?? '')} not kept: freshness needs a whole positive number of d, h, m or s`,
      );
      return;
    }
    const element = typeof s.element === 'string' ? s.element : undefined;
    if (element !== undefined && element !== c.eventTime && !element.endsWith(`.${c.eventTime}`)) {
      ledger.lose(
        `${at}/element`,
        `element '${element}': Tidemark measures freshness on the event time column ('${c.eventTime}')`,
      );
    }
    for (const key of ['driver', 'description', 'scheduler', 'schedule', 'valueExt', 'id']) {
      if (s[key] !== undefined) ledger.lose(`${at}/${key}`, `latency ${key} not kept`, 'key');
    }
    out = unit.iso(s.value);
    ledger.from('/sla', at);
  });
  return out;
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
