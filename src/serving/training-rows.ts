/**
 * The GraphQL form of a multi-view training set: one object per spine row with its
 * values by output column (dates and timestamps as text, as every GraphQL answer
 * gives them), the typed feature list and, per view, which stored row matched.
 */
import { formatTemporal } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import type { FeatureValue } from './feature.service';
import type { TrainingPlan } from './multi-view';
import { valueAt, type JoinedChunk, type SpineRow } from './spine-join';

export interface ViewMatch {
  contract: string;
  major: number;
  eventTime: Date | null;
  runId: string | null;
  contractVersion: string | null;
}

export interface TrainingRow {
  entity: unknown;
  timestamp: Date;
  values: Record<string, Value>;
  features: FeatureValue[];
  views: ViewMatch[];
}

export function toTrainingRows(plan: TrainingPlan, rows: SpineRow[], joined: JoinedChunk): TrainingRow[] {
  const { columns } = plan;
  const temporal = columns.map((c) => c.type === 'date' || c.type === 'timestamp');
  const out: TrainingRow[] = new Array(joined.length);
  for (let i = 0; i < joined.length; i++) {
    const values: Record<string, Value> = {};
    const features: FeatureValue[] = new Array(columns.length);
    for (let j = 0; j < columns.length; j++) {
      const c = columns[j]!;
      let value = valueAt(joined.values[j]!, i);
      if (temporal[j] && typeof value === 'number')
        value = formatTemporal(value, c.type as 'date' | 'timestamp');
      values[c.name] = value;
      features[j] = { name: c.name, type: c.type, value };
    }
    out[i] = {
      entity: rows[i]!.entity,
      timestamp: new Date(rows[i]!.at),
      values,
      features,
      views: plan.views.map((v, vi) => {
        const m = joined.matches[vi]!;
        const t = m.eventTime[i]!;
        return {
          contract: v.contract.name,
          major: v.contract.major,
          eventTime: Number.isNaN(t) ? null : new Date(t),
          runId: m.runId[i]!,
          contractVersion: m.contractVersion[i]!,
        };
      }),
    };
  }
  return out;
}
