/** Times given to the CLI: a date (midnight UTC) or an ISO 8601 date-time with its zone, as GraphQL's DateTime takes them. */
import { InputError } from '../errors';

const ISO_TIME = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))?$/;

export function parseTime(s: string, flag: string): Date {
  const refuse = () =>
    new InputError(`${flag} '${s}' is neither a date-time (2020-03-15T12:00:00Z) nor a date (2020-03-15)`);
  if (!ISO_TIME.test(s)) throw refuse();
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  // 2020-02-30 parses as 1 March: a date must name its own day.
  if (Number.isNaN(d.getTime()) || (s.length === 10 && !d.toISOString().startsWith(s))) throw refuse();
  return d;
}
