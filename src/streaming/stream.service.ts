/**
 * What GraphQL asks of the stream consumers: their status, and resuming a paused one.
 * Environments arrive as strings and are checked here (InputError), defaulting to
 * the configured one.
 */
import { parseEnvironment } from '../config';
import { type Environment } from '../domain/environment';
import type { StreamConsumerManager } from './consumer-manager';
import type { StreamStatus } from '../domain/stream';

export interface StreamService {
  status(filter: { contract?: string; environment?: string }): StreamStatus[];
  resume(
    contract: string,
    environment: string | undefined,
    opts: { skip: boolean; actor: string },
  ): Promise<StreamStatus>;
}

export function createStreamService(
  manager: Pick<StreamConsumerManager, 'status' | 'resume'>,
  defaultEnvironment: Environment,
): StreamService {
  return {
    status: (f) =>
      manager.status({ contract: f.contract, environment: f.environment && parseEnvironment(f.environment) }),
    resume: (contract, environment, opts) =>
      manager.resume(contract, environment ? parseEnvironment(environment) : defaultEnvironment, opts),
  };
}
