/**
 * The store: every repository over one connection, and transactions that give the
 * same repositories bound to the transaction. Only src/store speaks SQL.
 */
import type { Knex } from 'knex';
import type { Db } from './connection';
import type { Engine } from './dialect';
import { ContractRepository } from './contract.repository';
import { AuditRepository } from './audit.repository';

export class Repositories {
  readonly contracts: ContractRepository;
  readonly audit: AuditRepository;

  constructor(
    readonly db: Knex | Knex.Transaction,
    readonly engine: Engine,
  ) {
    this.contracts = new ContractRepository(db);
    this.audit = new AuditRepository(db);
  }
}

export class Store extends Repositories {
  constructor(private readonly handle: Db) {
    super(handle.knex, handle.engine);
  }

  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.handle.knex.transaction((trx) => fn(new Repositories(trx, this.handle.engine)));
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
