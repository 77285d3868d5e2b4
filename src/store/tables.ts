/** Table names, in one place: repositories and migrations both use these. */
export const T = {
  contractVersions: 'contract_versions',
  promotions: 'promotions',
  rawBatches: 'raw_batches',
  runs: 'runs',
  runRawBatches: 'run_raw_batches',
  featureRows: 'feature_rows',
  featureViews: 'feature_views',
  rejectedRows: 'rejected_rows',
  lineageEdges: 'lineage_edges',
  auditLog: 'audit_log',
  apiKeys: 'api_keys',
  streamOffsets: 'stream_offsets',
  landingSegments: 'landing_segments',
  runProfiles: 'run_profiles',
  viewCheckState: 'view_check_state',
} as const;
