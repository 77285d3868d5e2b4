/**
 * The ODCS document an import reads: parsed with its lines kept (every finding names
 * one), within its size limit, valid against the ODCS v3.1.0 schema; Tidemark's own
 * custom properties picked out, and the one table the contract will describe chosen.
 */
import { isMap, LineCounter, parseDocument } from 'yaml';
import { ContractValidationError, type Issue } from '../../errors';
import { YamlLocator } from '../locate';
import { CONTRACT_CUSTOM, type ContractCustomKey } from './custom-properties';
import type { ImportLedger } from './import-report';
import { odcsSchemaFindings } from './validate';
import type { OdcsImportOptions } from './import';

export type Obj = Record<string, unknown>;

/** ODCS documents are larger than contracts (descriptions, examples, several tables). */
export const MAX_ODCS_BYTES = 1024 * 1024;

export function readOdcs(text: string, file: string): { doc: Obj; locator: YamlLocator } {
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

export type Custom = Partial<Record<ContractCustomKey, { value: unknown; at: string }>>;

export function customProperties(doc: Obj, ledger: ImportLedger): Custom {
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

export function chooseTable(
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
