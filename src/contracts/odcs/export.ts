/**
 * Contract → ODCS v3.1.0 document. Pure: the caller says the status (from the
 * registry's promotions, or `draft` for a file). The document is checked against the
 * standard's JSON Schema before it is handed out; a refusal there is a bug here.
 */
import { stringify } from 'yaml';
import type { ColumnSpec, Contract, ExpectationSpec } from '../../domain/contract';
import { parseIsoDuration } from '../../lib/duration';
import { CONTRACT_CUSTOM, SLA_UNITS } from './custom-properties';
import { enumRule, toRule, type OdcsRule } from './quality';
import { PHYSICAL_TYPES } from './types-map';
import { ODCS_API_VERSION, odcsSchemaFindings } from './validate';

export interface OdcsExportOptions {
  /** ODCS status: active (active in an environment), proposed (registered only), draft (a file). */
  status?: string;
}

export type OdcsDocument = Record<string, unknown>;

export function toOdcs(c: Contract, opts: OdcsExportOptions = {}): OdcsDocument {
  const doc: OdcsDocument = {
    apiVersion: ODCS_API_VERSION,
    kind: 'DataContract',
    id: c.name,
    name: c.name,
    version: c.version,
    status: opts.status ?? 'draft',
  };
  if (c.description !== undefined) doc.description = { purpose: c.description };
  if (c.tags !== undefined) doc.tags = c.tags;
  doc.team = { name: c.owner };
  doc.schema = [table(c)];
  const sla = slaProperties(c);
  if (sla.length > 0) doc.slaProperties = sla;
  doc.customProperties = customProperties(c);
  return doc;
}

/** The ODCS YAML of a contract, validated against the ODCS v3.1.0 JSON Schema. */
export function toOdcsYaml(c: Contract, opts: OdcsExportOptions = {}): string {
  const doc = toOdcs(c, opts);
  const findings = odcsSchemaFindings(doc);
  if (findings.length > 0) {
    const list = findings.map((f) => `${f.path}: ${f.message}`).join('; ');
    throw new Error(`ODCS export of ${c.name}@${c.version} breaks the ODCS schema: ${list}`);
  }
  return stringify(doc, { lineWidth: 0 });
}

function table(c: Contract): Record<string, unknown> {
  const byColumn = new Map<string, ExpectationSpec[]>();
  const tableRules: OdcsRule[] = [];
  const columns = new Set(c.schema.map((s) => s.name));
  for (const e of c.expectations) {
    // A rule on one column sits under that property, where an ODCS reader looks for it.
    if (e.column !== undefined && columns.has(e.column)) {
      byColumn.set(e.column, [...(byColumn.get(e.column) ?? []), e]);
    } else tableRules.push(toRule(e));
  }
  const out: Record<string, unknown> = {
    name: c.name,
    physicalType: 'table',
    logicalType: 'object',
    properties: c.schema.map((col) => property(col, c.entity.key, byColumn.get(col.name) ?? [])),
  };
  if (tableRules.length > 0) out.quality = tableRules;
  return out;
}

function property(col: ColumnSpec, key: string[], rules: ExpectationSpec[]): Record<string, unknown> {
  const p: Record<string, unknown> = {
    name: col.name,
    logicalType: col.type,
    physicalType: PHYSICAL_TYPES[col.type],
  };
  if (col.from !== undefined) p.physicalName = col.from;
  if (col.description !== undefined) p.description = col.description;
  if (col.required !== undefined) p.required = col.required;
  if (col.unique !== undefined) p.unique = col.unique;
  const position = key.indexOf(col.name);
  if (position >= 0) Object.assign(p, { primaryKey: true, primaryKeyPosition: position + 1 });
  const options: Record<string, unknown> = {};
  for (const k of ['minLength', 'maxLength', 'pattern', 'minimum', 'maximum'] as const) {
    if (col[k] !== undefined) options[k] = col[k];
  }
  if (Object.keys(options).length > 0) p.logicalTypeOptions = options;
  const quality = [...(col.enum ? [enumRule(col.enum)] : []), ...rules.map(toRule)];
  if (quality.length > 0) p.quality = quality;
  return p;
}

/** `sla.freshness` is the ODCS latency of the event-time column, in the largest exact unit. */
function slaProperties(c: Contract): Array<Record<string, unknown>> {
  const freshness = c.sla?.freshness;
  if (freshness === undefined) return [];
  const ms = parseIsoDuration(freshness);
  const unit = SLA_UNITS.find((u) => ms % u.ms === 0 && ms >= u.ms);
  const value = unit ? ms / unit.ms : ms / 1000;
  return [{ property: 'latency', value, unit: unit?.unit ?? 's', element: `${c.name}.${c.eventTime}` }];
}

function customProperties(c: Contract): Array<{ property: string; value: unknown }> {
  const entity: Record<string, unknown> = { name: c.entity.name };
  if (c.entity.nullable !== undefined) entity.nullable = c.entity.nullable;
  if (c.entity.description !== undefined) entity.description = c.entity.description;
  const values: Array<[keyof typeof CONTRACT_CUSTOM, unknown]> = [
    ['entity', entity],
    ['eventTime', c.eventTime],
    ['source', c.source],
    ['features', c.features],
    ['filters', c.filters],
    ['schedule', c.schedule],
    ['policy', c.policy],
    ['links', c.links],
  ];
  return values
    .filter(([, v]) => v !== undefined)
    .map(([k, value]) => ({ property: CONTRACT_CUSTOM[k], value }));
}

/** A registered version's ODCS status: active where promoted, proposed when registered only. */
export function odcsStatus(activeEnvironments: readonly string[]): string {
  return activeEnvironments.length > 0 ? 'active' : 'proposed';
}
