/**
 * Limits that keep one request from taking the server down. The same rules run for
 * HTTP (Apollo validationRules) and WebSocket (graphql-ws onSubscribe), because
 * Apollo's validation does not run for subscriptions over graphql-ws.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { InputError } from '../errors';

export const LIMITS = {
  maxDepth: 10,
  maxComplexity: 5_000,
  maxEntities: 1_000,
  maxTrainingRows: 100_000,
  maxRecords: 10_000,
  maxPage: 500,
  maxBodyBytes: 16 * 1024 * 1024,
  /** Per caller (API key, or anonymous per address), per instance. */
  ratePerSec: 50,
  rateBurst: 200,
  maxSubscriptionsPerCaller: 100,
} as const;

/** Refuses a list argument longer than `max`, naming it. */
export function bounded<T>(list: T[], max: number, name: string): T[] {
  if (list.length > max)
    throw new InputError(`${name} has ${list.length} items; at most ${max} are allowed per request`);
  return list;
}

/** Depth and complexity of every operation, fragments included. */
export function limitRules(
  maxDepth = LIMITS.maxDepth,
  maxComplexity = LIMITS.maxComplexity,
): ValidationRule[] {
  return [(ctx) => operationLimits(ctx, maxDepth, maxComplexity)];
}

function operationLimits(ctx: ValidationContext, maxDepth: number, maxComplexity: number): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of ctx.getDocument().definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return {
    OperationDefinition(op) {
      const { depth, cost } = measure(op.selectionSet, fragments, 0, new Set());
      const name = op.name?.value ?? 'anonymous';
      if (depth > maxDepth) {
        ctx.reportError(
          new GraphQLError(`operation '${name}' is ${depth} levels deep; the limit is ${maxDepth}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          }),
        );
      }
      if (cost > maxComplexity) {
        ctx.reportError(
          new GraphQLError(`operation '${name}' has complexity ${cost}; the limit is ${maxComplexity}`, {
            extensions: { code: 'BAD_USER_INPUT' },
          }),
        );
      }
    },
  };
}

/**
 * Cost: every field costs 1; a field with a `first` argument multiplies the cost of
 * its selection by it (default 10 for lists without one would need types; we keep
 * the rule syntactic and predictable).
 */
function measure(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  depth: number,
  seen: Set<string>,
): { depth: number; cost: number } {
  if (!set) return { depth, cost: 0 };
  let maxDepth = depth;
  let cost = 0;
  for (const sel of set.selections) {
    let inner: { depth: number; cost: number };
    if (sel.kind === Kind.FIELD) {
      const child = measure(sel.selectionSet, fragments, depth + 1, seen);
      inner = { depth: child.depth, cost: 1 + child.cost * multiplier(sel) };
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(sel.selectionSet, fragments, depth, seen);
    } else {
      const frag = fragments.get(sel.name.value);
      if (!frag || seen.has(sel.name.value)) continue;
      inner = measure(frag.selectionSet, fragments, depth, new Set([...seen, sel.name.value]));
    }
    maxDepth = Math.max(maxDepth, inner.depth);
    cost += inner.cost;
  }
  return { depth: maxDepth, cost };
}

function multiplier(field: FieldNode): number {
  const first = field.arguments?.find((a) => a.name.value === 'first');
  if (first?.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
  return 1;
}
