/**
 * Semantic checks on how and when data arrives: the source (keys per source type,
 * landing paths), the schedule (cron, time zone) and the SLA. Part of checkSemantics.
 */
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import type { Contract, SourceType } from '../domain/contract';
import { positiveDurationProblem } from '../lib/duration';
import { type Finding, finding } from './locate';

export function checkSla(c: Contract): Finding[] {
  return duration(c.sla?.freshness, '/sla/freshness');
}

function duration(value: string | undefined, at: string): Finding[] {
  const problem = value === undefined ? undefined : positiveDurationProblem(value);
  return problem ? [finding(at, problem)] : [];
}

/** Keys each source type understands, besides `type` itself. */
const SOURCE_KEYS: Record<SourceType, string[]> = {
  csv: ['path', 'delimiter', 'quote', 'header', 'nullValues', 'encoding'],
  jsonl: ['path', 'nullValues', 'encoding'],
  push: ['nullValues'],
  nats: ['subject', 'batch', 'nullValues'],
  'redis-stream': ['stream', 'batch', 'nullValues'],
};
const SOURCE_NEEDS: Partial<Record<SourceType, 'path' | 'subject' | 'stream'>> = {
  csv: 'path',
  jsonl: 'path',
  nats: 'subject',
  'redis-stream': 'stream',
};

export function checkSource(c: Contract): Finding[] {
  const s = c.source;
  const allowed = new Set(['type', ...SOURCE_KEYS[s.type]]);
  const out = Object.keys(s)
    .filter((k) => !allowed.has(k))
    .map((k) => finding(`/source/${k}`, `'${k}' does not apply to source type '${s.type}'`, 'key'));
  const needed = SOURCE_NEEDS[s.type];
  if (needed && s[needed] === undefined)
    out.push(finding(`/source/${needed}`, `source type '${s.type}' needs '${needed}'`));
  if (s.path !== undefined && allowed.has('path')) out.push(...landingPath(s.path));
  return [...out, ...duration(s.batch?.maxWait, '/source/batch/maxWait')];
}

/** Sources read only inside the landing directory: no absolute paths, no escaping it with `..`. */
function landingPath(p: string): Finding[] {
  if (path.posix.isAbsolute(p) || path.win32.isAbsolute(p)) {
    return [finding('/source/path', `path '${p}' must be relative to the landing directory`)];
  }
  if (p.split(/[\\/]/).includes('..')) return [finding('/source/path', `path '${p}' must not contain '..'`)];
  return [];
}

export function checkSchedule(c: Contract): Finding[] {
  const s = c.schedule;
  if (!s) return [];
  const out: Finding[] = [];
  if (s.timezone !== undefined && !isTimeZone(s.timezone)) {
    out.push(
      finding(
        '/schedule/timezone',
        `unknown time zone '${s.timezone}' (use an IANA name such as Europe/Paris)`,
      ),
    );
  }
  const cronProblem = s.cron === undefined ? undefined : checkCron(s.cron);
  if (cronProblem) out.push(finding('/schedule/cron', `invalid cron expression '${s.cron}': ${cronProblem}`));
  return out;
}

function checkCron(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).length;
  // cron-parser quietly fills in missing trailing fields; a contract must spell them all.
  if (!expr.trim().startsWith('@') && (fields < 5 || fields > 6)) {
    return `expected 5 fields (minute hour day month weekday) or 6 with seconds, got ${fields}`;
  }
  try {
    CronExpressionParser.parse(expr);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
