/**
 * Query texts the fast execution path has already judged, keyed by the text itself:
 * a document that parsed and passed validation with the rules Apollo runs (graphql's
 * specifiedRules followed by ours), or the verdict that Apollo must answer it. Parsing
 * and validating cost more than executing the online read; clients send the same few
 * texts over and over, so each is judged once. Bounded in entries and in text (a
 * document's AST grows with its text): the least recently used entry goes first.
 */
import {
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';

export interface ValidDocument {
  document: DocumentNode;
  operations: OperationDefinitionNode[];
}

/** Apollo answers this text: it does not parse, does not validate, or asks for introspection. */
export const APOLLO_ANSWERS = null;

export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** Apollo's `validationRules`, run after graphql's specifiedRules as Apollo runs them. */
  validationRules: readonly ValidationRule[];
  /** Entries kept (default 500). */
  maxEntries?: number;
  /** Characters of query text kept in all (default 1M). */
  maxTotalLength?: number;
  /** Longer texts are not kept (default 64 KiB): Apollo answers them. */
  maxQueryLength?: number;
}

export class DocumentCache {
  private readonly entries = new Map<string, ValidDocument | typeof APOLLO_ANSWERS>();
  private readonly rules: ValidationRule[];
  private readonly maxEntries: number;
  private readonly maxTotalLength: number;
  private readonly maxQueryLength: number;
  private totalLength = 0;

  constructor(private readonly opts: DocumentCacheOptions) {
    this.rules = [...specifiedRules, ...opts.validationRules];
    this.maxEntries = opts.maxEntries ?? 500;
    this.maxTotalLength = opts.maxTotalLength ?? 1_000_000;
    this.maxQueryLength = opts.maxQueryLength ?? 64 * 1024;
  }

  /** The validated document for `query`, or APOLLO_ANSWERS. */
  get(query: string): ValidDocument | typeof APOLLO_ANSWERS {
    const hit = this.entries.get(query);
    if (hit !== undefined) {
      // Most recently used last (a Map keeps insertion order): eviction takes the front.
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    if (query.length > this.maxQueryLength) return APOLLO_ANSWERS;
    const judged = this.judge(query);
    this.totalLength += query.length;
    this.entries.set(query, judged);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.totalLength <= this.maxTotalLength) break;
      this.entries.delete(oldest);
      this.totalLength -= oldest.length;
    }
    return judged;
  }

  /** Entries kept now (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private judge(query: string): ValidDocument | typeof APOLLO_ANSWERS {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return APOLLO_ANSWERS;
    }
    // Whether introspection is allowed is Apollo's setting (and its own rule): leave it to Apollo.
    if (asksForIntrospection(document)) return APOLLO_ANSWERS;
    if (validate(this.opts.schema, document, this.rules).length > 0) return APOLLO_ANSWERS;
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    return { document, operations };
  }
}

function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
