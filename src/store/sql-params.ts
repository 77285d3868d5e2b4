/**
 * Bindings for a statement built from pieces: each placeholder is a marker naming its
 * value, and `bind` turns the finished text into `?`s with the values in text order, so
 * the order the pieces are built in does not matter.
 */
import type { Engine } from './dialect';

export class Params {
  private readonly values: unknown[] = [];
  constructor(readonly engine: Engine) {}
  /** A placeholder for `v`; `pgType` casts it on PostgreSQL, which cannot always infer one. */
  p(v: unknown, pgType?: string): string {
    this.values.push(v);
    return `{{p${this.values.length - 1}}}${this.engine === 'postgres' && pgType ? `::${pgType}` : ''}`;
  }
  bind(text: string): { sql: string; bindings: unknown[] } {
    const bindings: unknown[] = [];
    const sql = text.replace(/\{\{p(\d+)\}\}/g, (_, i: string) => {
      bindings.push(this.values[Number(i)]);
      return '?';
    });
    return { sql, bindings };
  }
}
