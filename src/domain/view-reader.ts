/**
 * What `scope: view` expectations read of a feature view: its visible rows as they will
 * be once the run commits. The quality checks ask through this interface and the store
 * answers it in set-based SQL, so neither imports the other.
 */

/** A group of visible rows sharing one entity and event time. */
export interface DuplicateKey {
  entityKey: string;
  eventTime: number;
  rows: number;
}

/** One gap as a report shows it: the entity, the two event times around it. */
export interface Gap {
  entityKey: string;
  from: number;
  to: number;
}

export interface GapCounts {
  /** Entities with at least one visible row. */
  entities: number;
  gaps: number;
  entitiesWithGaps: number;
  /** Whole intervals missing, summed over every gap. */
  missing: number;
}

/** The visible view as the checks read it; every method is one set-based statement. */
export interface ViewReader {
  rowCount(): Promise<number>;
  /** Groups of more than one visible row per (entity, event time), the first `limit` of them listed. */
  duplicates(limit: number): Promise<{ groups: number; extraRows: number; sample: DuplicateKey[] }>;
  gaps(intervalMs: number, limit: number): Promise<{ counts: GapCounts; sample: Gap[] }>;
  newestEventTime(): Promise<number | null>;
}
