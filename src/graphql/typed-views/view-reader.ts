/** A typed view reads through the same service as the generic `features` field: same bounds, same errors. */
import { given } from '../given';
import type { ViewReader } from './view-schema';

export const readView: ViewReader = (view, args, ctx) =>
  ctx.services.features.features({
    contract: view.contract,
    version: String(view.major),
    entities: args.entities,
    asOf: given(args.asOf),
    knownAt: given(args.knownAt),
    environment: given(args.environment),
  }) as unknown as ReturnType<ViewReader>;
