/** Contract parts as a reader reads them: constraints, feature definitions, expectations. */
import { isoDuration, value } from '../../format';

/** { minimum: 0, enum: [...] } → ["minimum 0", "enum EUR, USD"]. */
export function constraintList(c: unknown): string[] {
  if (!c || typeof c !== 'object') return [];
  return Object.entries(c as Record<string, unknown>).map(([k, v]) =>
    Array.isArray(v)
      ? `${k} ${v.map((x) => String(x)).join(', ')}`
      : `${k} ${typeof v === 'string' ? v : value(v, 60)}`,
  );
}

interface Window {
  op?: string;
  column?: string;
  rows?: number;
  duration?: string;
  offset?: number;
  skipNulls?: boolean;
}

/** column → "column amount"; expr → the expression; window → "sum(amount) over 24 hours". */
export function featureDefinition(kind: string, definition: unknown): string {
  if (kind === 'column') return `column ${String(definition)}`;
  if (kind === 'expr') return String(definition);
  if (kind === 'window' && definition && typeof definition === 'object') {
    const w = definition as Window;
    const over = w.duration
      ? ` over the last ${isoDuration(w.duration)}`
      : w.rows
        ? ` over the last ${w.rows} rows`
        : '';
    const back = w.offset ? `, ${w.offset} rows back` : '';
    const skip = w.skipNulls ? ', skipping nulls' : '';
    return `${w.op ?? '?'}(${w.column ?? '?'})${over}${back}${skip}`;
  }
  return value(definition, 120);
}

const NOT_BOUND = new Set(['expect', 'column', 'columns', 'severity', 'mostly', 'description']);

export interface ExpectationView {
  name: string;
  severity: string;
  bounds: string;
  mostly: number | null;
  description: string | null;
}

export function expectationView(e: Record<string, unknown>): ExpectationView {
  const cols = e.column
    ? `(${String(e.column)})`
    : Array.isArray(e.columns)
      ? `(${e.columns.join(', ')})`
      : '';
  const bounds = Object.entries(e)
    .filter(([k]) => !NOT_BOUND.has(k))
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.map((x) => String(x)).join(', ') : value(v, 40)}`)
    .join(', ');
  return {
    name: `${String(e.expect)}${cols}`,
    severity: String(e.severity ?? 'fail'),
    bounds: bounds || '—',
    mostly: typeof e.mostly === 'number' ? e.mostly : null,
    description: typeof e.description === 'string' ? e.description : null,
  };
}

export const ENVIRONMENTS = ['dev', 'test', 'prod'];

/** The environment a version promotes to next: one above the highest it is active in. */
export function nextEnvironment(activeIn: string[]): string | null {
  const top = Math.max(...activeIn.map((e) => ENVIRONMENTS.indexOf(e)));
  if (top < 0) return null;
  return ENVIRONMENTS[top + 1] ?? null;
}

/** The name and version a YAML text declares (top-level keys), for the confirmation. */
export function declared(yaml: string): { name: string | null; version: string | null } {
  const key = (k: string) => new RegExp(`^${k}:\\s*['"]?([^'"#\\s]+)`, 'm').exec(yaml)?.[1] ?? null;
  return { name: key('name'), version: key('version') };
}
