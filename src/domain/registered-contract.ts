import type { Contract } from './contract';
import type { Environment } from './environment';

/** A contract version as registered: immutable once stored. */
export interface RegisteredContract {
  name: string;
  version: string;
  major: number;
  hash: string;
  owner: string;
  contract: Contract;
  yaml: string;
  createdAt: number;
  createdBy: string;
}

export interface Promotion {
  id: number;
  contractName: string;
  version: string;
  environment: Environment;
  fromEnvironment: Environment | null;
  state: 'active' | 'retired';
  createdAt: number;
  createdBy: string;
  reason: string | null;
}

/** The version in use for one (environment, contract, major). */
export interface ActiveVersion {
  environment: Environment;
  name: string;
  version: string;
  major: number;
  since: number;
}

/**
 * What starting a run needs of the registry: the contract version it runs. The
 * pipeline depends on this shape, not on contracts/registry.ts, whose checks compile
 * contracts with the pipeline's own compilers.
 */
export interface ContractResolver {
  /** `version` may be exact (1.2.0), a major (1) or absent (newest active in `environment`). */
  resolve(name: string, version: string | undefined, environment: Environment): Promise<RegisteredContract>;
}
