/**
 * The bench measures the server, not its abuse limits: a load generator on one
 * address is exactly what the per-caller rate limit and subscription cap are there
 * to refuse. In the bench's server processes only, lift them before the server is
 * created (the limiter still runs on every request; it just never refuses).
 */
import { LIMITS } from '../../src/graphql/limits';

export function liftAbuseLimits(): void {
  const limits = LIMITS as unknown as Record<string, number>;
  for (const key of ['ratePerSec', 'rateBurst', 'maxSubscriptionsPerCaller']) {
    if (key in limits) limits[key] = 1e9;
  }
}
