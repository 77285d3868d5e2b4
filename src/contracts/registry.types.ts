import type { Contract } from './contract.types';
import type { Environment } from '../config';

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
