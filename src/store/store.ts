/**
 * The store: every repository over one connection, and transactions that give the
 * same repositories bound to the transaction. Only src/store speaks SQL.
 */
import type { Knex } from 'knex';
import type { Db } from './connection';
import type { Engine } from './dialect';
import { ContractRepository } from './contract.repository';
import { AuditRepository } from './audit.repository';
import { RunRepository } from './run.repository';
import { RawBatchRepository } from './raw-batch.repository';
import { FeatureRepository } from './feature.repository';
import { RejectRepository } from './reject.repository';
import { LineageRepository } from './lineage.repository';
import { ApiKeyRepository } from './api-key.repository';
import { lockKey } from './dialect';
import { migrationStatus } from './migrate';
import { StreamOffsetRepository } from './stream-offset.repository';
import { LandingSegmentRepository } from './landing-segment.repository';
import { LeaseRepository } from './lease.repository';
import { ViewCheckRepository } from './view-check.repository';
import { RunEventLog } from './run-event-log';
import { ProfileRepository } from './profile.repository';

export class Repositories {
  readonly contracts: ContractRepository;
  readonly audit: AuditRepository;
  readonly runs: RunRepository;
  readonly rawBatches: RawBatchRepository;
  readonly features: FeatureRepository;
  readonly rejects: RejectRepository;
  readonly lineage: LineageRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly streamOffsets: StreamOffsetRepository;
  readonly landingSegments: LandingSegmentRepository;
  readonly viewChecks: ViewCheckRepository;
  readonly profiles: ProfileRepository;
  /** The run event log, read beside the writer where the online reads go. */
  readonly runEvents: RunEventLog;

  constructor(
    readonly db: Knex | Knex.Transaction,
    readonly engine: Engine,
  ) {
    this.features = new FeatureRepository(db, engine);
    this.contracts = new ContractRepository(db, () => this.features.reader());
    this.audit = new AuditRepository(db);
    this.runs = new RunRepository(db, engine);
    this.rawBatches = new RawBatchRepository(db);
    this.rejects = new RejectRepository(db, engine);
    this.lineage = new LineageRepository(db);
    this.apiKeys = new ApiKeyRepository(db, () => this.features.reader());
    this.streamOffsets = new StreamOffsetRepository(db, engine);
    this.landingSegments = new LandingSegmentRepository(db);
    this.viewChecks = new ViewCheckRepository(db, engine);
    this.profiles = new ProfileRepository(db);
    this.runEvents = new RunEventLog(db, () => this.features.reader());
  }

  /**
   * Rows of a statement made outside the repositories (the online store's set-based
   * reads), read where the online reads go: on SQLite their own connection beside the
   * writer, so a long commit does not hold them up.
   */
  async readRows<R>(sql: string, bindings: readonly unknown[]): Promise<R[]> {
    const reads = this.features.reader();
    if (reads) return reads.all<R>(sql, [...bindings]);
    const res = await this.db.raw(sql, bindings as Knex.RawBinding[]);
    return (this.engine === 'postgres' ? res.rows : res) as R[];
  }
}

/** Repositories bound to one transaction, plus locks that last until it ends. */
export class TxRepositories extends Repositories {
  constructor(
    private readonly trx: Knex.Transaction,
    engine: Engine,
  ) {
    super(trx, engine);
  }

  /** Serialises transactions on the same logical key, across processes. */
  lock(key: string): Promise<void> {
    return lockKey(this.trx, this.engine, key);
  }
}

export class Store extends Repositories {
  private leaseRepository: LeaseRepository | null = null;

  constructor(private readonly handle: Db) {
    super(handle.knex, handle.engine);
  }

  /** Run lease renewals, on a connection of their own (opened on first use). */
  get leases(): LeaseRepository {
    return (this.leaseRepository ??= new LeaseRepository(this.handle.leases()));
  }

  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: TxRepositories) => Promise<T>): Promise<T> {
    return this.handle.knex.transaction((trx) => fn(new TxRepositories(trx, this.handle.engine)));
  }

  /** Applied and pending migrations; also proves the database answers. */
  migrationStatus(): Promise<{ applied: string[]; pending: string[] }> {
    return migrationStatus(this.handle.knex);
  }

  async close(): Promise<void> {
    await this.features.close();
    await this.handle.close();
  }
}
