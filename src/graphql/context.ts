/** What every resolver receives: the services it may call and who is asking. */
import type { Logger } from 'pino';
import type { Runtime } from '../runtime';
import { ContractService } from './services/contract.service';

export interface Services {
  contracts: ContractService;
}

export interface GraphQLContext {
  services: Services;
  actor: string;
  logger: Logger;
}

export function createServices(rt: Runtime): Services {
  return { contracts: new ContractService(rt) };
}
