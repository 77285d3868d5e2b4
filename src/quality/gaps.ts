/**
 * no_gaps: a regular series (daily, hourly, ...) per entity has no step longer than
 * `interval` between two consecutive event times. Batch scope looks at the run's rows
 * (entity order, shared with the sequence checks); view scope at the visible view
 * (view-checks.ts, in SQL). A series ending early is not a gap: that is freshness.
 */
import { parseIsoDuration } from '../lib/duration';
import type { TableCheck, TableOutcome } from './checks.types';
import type { CompileEnv } from './compile-env';
import { isoOrNull } from './report';
import type { UnexpectedSample } from '../domain/validation-report';
import { SAMPLE_LIMIT, sampleOf } from './tally';
import type { Gap } from '../domain/view-reader';

export type { Gap } from '../domain/view-reader';

/** The `interval` in ms, parsed once at compile time. */
export function intervalOf(env: CompileEnv): number {
  const interval = env.spec.interval ?? env.fail('needs `interval`');
  try {
    const ms = parseIsoDuration(interval);
    return ms > 0 ? ms : env.fail('has a zero `interval`');
  } catch (e) {
    return env.fail((e as Error).message);
  }
}

/** Whole steps missing between two event times: a step of 1.5 intervals still lacks one. */
export const missingSteps = (from: number, to: number, intervalMs: number): number =>
  Math.floor((to - from - 1) / intervalMs);

/** Entity keys are stored as JSON text; a sample shows the key's value. */
export function entityValue(entityKey: string): unknown {
  try {
    return JSON.parse(entityKey);
  } catch {
    return entityKey;
  }
}

export function gapSample(
  g: Gap,
  intervalMs: number,
  at?: { rowNumber: number; rawBatchId: string | undefined },
): UnexpectedSample {
  const value = {
    entity: entityValue(g.entityKey),
    from: isoOrNull(g.from),
    to: isoOrNull(g.to),
    missing: missingSteps(g.from, g.to, intervalMs),
  };
  return at === undefined ? { value } : sampleOf(at.rowNumber, value, at.rawBatchId);
}

/**
 * The outcome shared by both scopes: elementCount counts entities, unexpectedCount the
 * gaps; details say how many entities have one and how many steps are missing.
 */
export function gapOutcome(
  interval: string,
  counts: { entities: number; gaps: number; entitiesWithGaps: number; missing: number },
  sample: UnexpectedSample[],
): TableOutcome {
  return {
    success: counts.gaps === 0,
    elementCount: counts.entities,
    unexpectedCount: counts.gaps,
    sample,
    observedValue: counts.entitiesWithGaps,
    details: {
      interval,
      gaps: counts.gaps,
      entitiesWithGaps: counts.entitiesWithGaps,
      missing: counts.missing,
    },
  };
}

/** Batch scope: walks the batch's entity order once; no key is built per row. */
export function noGaps(env: CompileEnv): TableCheck {
  const intervalMs = intervalOf(env);
  const interval = env.spec.interval!;
  return {
    kind: 'table',
    spec: env.spec,
    failsRun: env.spec.severity !== 'warn',
    message: `${env.contract.eventTime} has gaps longer than ${interval}`,
    evaluate({ rows, entityOrder }) {
      const order = entityOrder();
      const counts = { entities: 0, gaps: 0, entitiesWithGaps: 0, missing: 0 };
      const sample: UnexpectedSample[] = [];
      // Entities are contiguous in the order, so a gap of a new entity is a new entity with gaps.
      let lastWithGap = -1;
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        const prev = k > 0 ? order[k - 1]! : -1;
        if (prev < 0 || rows.entityId(prev) !== rows.entityId(i)) {
          counts.entities++;
          continue;
        }
        const from = rows.eventTime(prev);
        const to = rows.eventTime(i);
        if (to - from <= intervalMs) continue;
        if (rows.entityId(i) !== lastWithGap) counts.entitiesWithGaps++;
        lastWithGap = rows.entityId(i);
        counts.gaps++;
        counts.missing += missingSteps(from, to, intervalMs);
        if (sample.length < SAMPLE_LIMIT)
          sample.push(
            gapSample({ entityKey: rows.entityKey(i), from, to }, intervalMs, {
              rowNumber: rows.rowNumber(i),
              rawBatchId: rows.rawBatchId(i),
            }),
          );
      }
      return gapOutcome(interval, counts, sample);
    },
  };
}
