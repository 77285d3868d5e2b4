/**
 * Query texts parsed and validated once, keyed by the text itself, for both roads
 * that run documents without Apollo's own document store: the HTTP fast path
 * (fast-execution.ts) and subscriptions over WebSocket (websocket.ts). A text is parsed
 * with the token limit, checked against the limits (limits.ts) before anything else,
 * as limits.plugin.ts does on Apollo's road, then validated with the rules Apollo runs:
 * graphql's specifiedRules followed by Apollo's `validationRules`.
 * Parsing and validating cost more than executing the online read, and clients send
 * the same few texts over and over. Errors are kept too (the same text fails the same
 * way). Bounded in entries and in text (a document's AST grows with its text): the
 * least recently used entry goes first.
 */
import {
  BREAK,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { documentLimits, PARSE_OPTIONS } from './limits';

export interface ValidDocument {
  document: DocumentNode;
  operations: OperationDefinitionNode[];
  /** Whether it selects `__schema` or `__type` (whether that is allowed is Apollo's setting). */
  introspection: boolean;
  /** Whether a variable sizes a list: then limitErrors must run with each request's variables. */
  variableSized: boolean;
  errors?: undefined;
}

export type Checked = ValidDocument | { errors: GraphQLError[] };

export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** Apollo's `validationRules`, run after graphql's specifiedRules as Apollo runs them. */
  validationRules: readonly ValidationRule[];
  /** Entries kept (default 500). */
  maxEntries?: number;
  /** Characters of query text kept in all (default 1M). */
  maxTotalLength?: number;
  /** Longer texts are neither checked nor kept: `get` gives undefined (default: no limit). */
  maxQueryLength?: number;
}

export class DocumentCache {
  private readonly entries = new Map<string, Checked>();
  private readonly rules: ValidationRule[];
  private readonly maxEntries: number;
  private readonly maxTotalLength: number;
  private readonly maxQueryLength: number;
  private totalLength = 0;

  constructor(private readonly opts: DocumentCacheOptions) {
    this.rules = [...specifiedRules, ...opts.validationRules];
    this.maxEntries = opts.maxEntries ?? 500;
    this.maxTotalLength = opts.maxTotalLength ?? 1_000_000;
    this.maxQueryLength = opts.maxQueryLength ?? Infinity;
  }

  /** The checked document for `query`; undefined for a text over maxQueryLength. */
  get(query: string): Checked | undefined {
    const hit = this.entries.get(query);
    if (hit !== undefined) {
      // Most recently used last (a Map keeps insertion order): eviction takes the front.
      this.entries.delete(query);
      this.entries.set(query, hit);
      return hit;
    }
    if (query.length > this.maxQueryLength) return undefined;
    const checked = this.check(query);
    this.totalLength += query.length;
    this.entries.set(query, checked);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.totalLength <= this.maxTotalLength) break;
      this.entries.delete(oldest);
      this.totalLength -= oldest.length;
    }
    return checked;
  }

  /** Entries kept now (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private check(query: string): Checked {
    let document: DocumentNode;
    try {
      document = parse(query, PARSE_OPTIONS);
    } catch (err) {
      return { errors: [err as GraphQLError] };
    }
    const limits = documentLimits(this.opts.schema, document);
    if (limits.errors.length > 0) return { errors: limits.errors };
    const errors = validate(this.opts.schema, document, this.rules);
    if (errors.length > 0) {
      return {
        errors: errors.map(
          (e) =>
            new GraphQLError(e.message, {
              extensions: { code: e.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED' },
            }),
        ),
      };
    }
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    return {
      document,
      operations,
      introspection: asksForIntrospection(document),
      variableSized: limits.variableSized,
    };
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
