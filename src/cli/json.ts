/**
 * JSON output of the CLI, spelled like the GraphQL API: times as ISO 8601 strings
 * (the store keeps epoch milliseconds) and run statuses as the RunStatus enum
 * (`SUCCEEDED`, `ROLLED_BACK`, …), so a script can switch between the two.
 */
import { InvalidArgumentError } from 'commander';
import { RUN_STATUSES, type RunStatus } from '../domain/run';

/** Fields holding a point in time: `at`, `…At`, `eventTime`, `timestamp`, `notBefore`. */
const isTimeKey = (key: string) =>
  key === 'at' || /[a-z]At$/.test(key) || key === 'eventTime' || key === 'timestamp' || key === 'notBefore';

/** A run status as GraphQL spells it. */
export function statusName(status: RunStatus | string): string {
  return status.toUpperCase();
}

const STATUS_SET: ReadonlySet<string> = new Set(RUN_STATUSES);

function replacer(key: string, value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value) && isTimeKey(key))
    return new Date(value).toISOString();
  if (key === 'status' && typeof value === 'string' && STATUS_SET.has(value)) return statusName(value);
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer, 2) + '\n';
}

/** The same on one line, for values inside a text line. */
export function toCompactJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** `--status`: a run status in either spelling (`rolled_back`, `ROLLED_BACK`). */
export function parseStatus(value: string): RunStatus {
  const status = value.toLowerCase();
  if (!STATUS_SET.has(status))
    throw new InvalidArgumentError(`expected one of ${RUN_STATUSES.map(statusName).join(', ')}`);
  return status as RunStatus;
}
