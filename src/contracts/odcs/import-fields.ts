/**
 * The contract's own fields from an ODCS document: its name, owner, description,
 * entity, event time, source, default features and freshness. Each is taken from the
 * caller's options, Tidemark's custom properties or the document's structure, with
 * where it came from recorded in the ledger; what none of them says is refused
 * (`refuse`) with the reason and the line.
 */
import type { Contract, FeatureSpec, SourceSpec } from '../../domain/contract';
import { CONTRACT_NAME_PATTERN } from '../meta-schema';
import { CONTRACT_CUSTOM, SLA_UNIT_ALIASES, SLA_UNITS } from './custom-properties';
import type { ImportLedger } from './import-report';
import type { ImportedTable } from './import-table';
import type { Custom, Obj } from './import-read';
import type { OdcsImportOptions } from './import';

export function contractName(
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

export function owner(
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

export function descriptionOf(
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

export function entity(
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

export function eventTime(
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

export function defaultSource(ledger: ImportLedger): SourceSpec {
  ledger.note(
    `source: push (records sent with GraphQL ingest), as the document has no ${CONTRACT_CUSTOM.source}`,
  );
  return { type: 'push' };
}

export function defaultFeatures(
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
export function requireIdentity(c: Contract, ledger: ImportLedger): void {
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
export function freshness(doc: Obj, c: Contract, ledger: ImportLedger): string | undefined {
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
