/**
 * How a feature (or spine key column) type is written by the bulk formats: the one
 * place that maps the store's types to file types. It takes a contract column type
 * (`integer`, `number`, …) or a declared feature type (`int`, `float`, `bool`, …), so
 * either vocabulary types the Arrow columns and the CSV cells.
 */
export type OutputKind = 'int64' | 'float64' | 'bool' | 'string' | 'date' | 'timestamp';

export function outputKind(type: string): OutputKind {
  switch (type) {
    case 'integer':
    case 'int':
      return 'int64';
    case 'number':
    case 'float':
      return 'float64';
    case 'boolean':
    case 'bool':
      return 'bool';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    default:
      return 'string';
  }
}

/**
 * A stored date or timestamp as epoch ms: stored as a number, or text a reader wrote;
 * null where it is neither (text that is no date-time included).
 */
export function storedMillis(v: unknown): number | null {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? ms : null;
}
