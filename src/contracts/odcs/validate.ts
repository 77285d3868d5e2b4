/**
 * Validation against the Open Data Contract Standard's own JSON Schema (v3.1.0,
 * draft 2019-09, hence Ajv2019). Both directions use it: an import refuses a document
 * the standard refuses, and an export that the standard would refuse is a bug here.
 */
import { readFileSync } from 'node:fs';
import Ajv2019, { type ErrorObject } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { Finding } from '../locate';

export const ODCS_API_VERSION = 'v3.1.0';

const SCHEMA_FILE = new URL('./odcs-json-schema-v3.1.0.json', import.meta.url);

let compiled: ReturnType<Ajv2019['compile']> | undefined;

function validator(): ReturnType<Ajv2019['compile']> {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
  // Not strict: the standard's schema lists `required` keys that are defined in a
  // $ref'd schema (SchemaProperty → SchemaBaseProperty), which strictRequired refuses.
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  compiled = ajv.compile(schema);
  return compiled;
}

/** Every way `doc` breaks the ODCS v3.1.0 schema, as findings at JSON pointers; [] when valid. */
export function odcsSchemaFindings(doc: unknown): Finding[] {
  const validate = validator();
  if (validate(doc)) return [];
  return readable(validate.errors ?? []);
}

/**
 * Ajv reports every failed branch of the schema's if/then and oneOf combinators; the
 * leaf errors (a wrong type, a missing or unexpected key, a value outside an enum)
 * are what an author can act on, so the combinator summaries are dropped when a leaf
 * explains the same spot.
 */
function readable(errors: ErrorObject[]): Finding[] {
  const combinators = new Set(['if', 'oneOf', 'anyOf', 'allOf']);
  const leaves = errors.filter((e) => !combinators.has(e.keyword));
  const chosen = leaves.length > 0 ? leaves : errors;
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const e of chosen) {
    const f = toFinding(e);
    const id = `${f.path} ${f.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(f);
  }
  return out;
}

function toFinding(e: ErrorObject): Finding {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return {
        path: `${e.instancePath}/${String(p.missingProperty)}`,
        message: `'${String(p.missingProperty)}' is required by ODCS ${ODCS_API_VERSION}`,
      };
    case 'additionalProperties':
      return {
        path: `${e.instancePath}/${String(p.additionalProperty)}`,
        message: `'${String(p.additionalProperty)}' is not a key ODCS ${ODCS_API_VERSION} allows here`,
        target: 'key',
      };
    case 'unevaluatedProperties':
      return {
        path: `${e.instancePath}/${String(p.unevaluatedProperty)}`,
        message: `'${String(p.unevaluatedProperty)}' is not a key ODCS ${ODCS_API_VERSION} allows here`,
        target: 'key',
      };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}
