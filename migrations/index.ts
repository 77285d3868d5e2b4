/**
 * Every migration, in order. Imported statically (not discovered from the file
 * system) so migrations work the same under tsx, vitest and any bundler.
 */
import type { Knex } from 'knex';
import * as initial from './20261127000001_initial';
import * as runQueue from './20261127000002_run_queue';
import * as apiKeys from './20261127000004_api_keys';
import * as precedence from './20261127000005_run_precedence';
import * as streamOffsets from './20261127000003_stream_offsets';
import * as newestEventTime from './20261127000006_run_newest_event_time';
import * as runEvents from './20261203050001_run_events';
import * as landingSegments from './20261204100001_landing_segments';
import * as claimIncarnation from './20261204600001_run_claim_incarnation';
import * as rejectsPageIndex from './20261204700001_rejects_page_index';
import * as runWarnings from './20261204700002_run_warnings';
import * as leanFeatureRows from './20261204800001_lean_feature_rows';
import * as rejectsStored from './20261205010001_run_rejects_stored';
import * as partitionFeatureRows from './20261205060001_partition_feature_rows';
import * as runProfiles from './20261205050001_run_profiles';
import * as runStages from './20261206000001_run_stages';
import * as rejectsKeyset from './20261206000002_rejects_keyset_index';
import * as coveringPitIndex from './20261206030001_covering_pit_index';
import * as viewCheckState from './20261207000001_view_check_state';
import * as runsListIndex from './20261207100001_runs_list_index';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '20261127000001_initial', ...initial },
  { name: '20261127000002_run_queue', ...runQueue },
  { name: '20261127000003_stream_offsets', ...streamOffsets },
  { name: '20261127000004_api_keys', ...apiKeys },
  { name: '20261127000005_run_precedence', ...precedence },
  { name: '20261127000006_run_newest_event_time', ...newestEventTime },
  { name: '20261203050001_run_events', ...runEvents },
  { name: '20261204100001_landing_segments', ...landingSegments },
  { name: '20261204600001_run_claim_incarnation', ...claimIncarnation },
  { name: '20261204700001_rejects_page_index', ...rejectsPageIndex },
  { name: '20261204700002_run_warnings', ...runWarnings },
  { name: '20261204800001_lean_feature_rows', ...leanFeatureRows },
  { name: '20261205010001_run_rejects_stored', ...rejectsStored },
  { name: '20261205050001_run_profiles', ...runProfiles },
  { name: '20261205060001_partition_feature_rows', ...partitionFeatureRows },
  { name: '20261206000001_run_stages', ...runStages },
  { name: '20261206000002_rejects_keyset_index', ...rejectsKeyset },
  { name: '20261206030001_covering_pit_index', ...coveringPitIndex },
  { name: '20261207000001_view_check_state', ...viewCheckState },
  { name: '20261207100001_runs_list_index', ...runsListIndex },
];
