/**
 * What an operation would cost, measured on its document in one pass: every fragment
 * is measured once per list size it is spread under and the result reused, so a
 * document of fragments that spread each other twice (2^24 fields in 1 KB) costs as
 * much to measure as it is long, and its expanded size is a number, not a walk.
 *
 * - depth: data fields along the deepest path (introspection fields apart);
 * - cost: each field costs its weight (COST_MODEL.weights, default 1), and a list field
 *   multiplies the cost of what it selects by its size: its `first` argument (a
 *   connection's `first` sizes its `nodes`), else COST_MODEL.listSize;
 * - introspection (`__schema`, `__type` and the fields of the `__*` types) is measured
 *   apart: its own depth, its own cost and how many of its lists nest;
 * - fields and aliases: as if every fragment were written out where it is spread.
 *
 * A `first` given by a variable is read from `variables`; without them (a document
 * checked once for many requests) it counts as the argument's default and the document
 * is marked `variableSized`, to be measured again with each request's variables.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export const COST_MODEL = {
  /** Assumed size of a list without a `first` argument (contracts, features, children, ...). */
  listSize: 10,
  /** A connection or list with a `first` argument but no default, as its service pages. */
  defaultPage: 20,
  /** Fields that cost more than one value: the text or report they carry, or the reads behind them. */
  weights: {
    'Contract.yaml': 10,
    'Run.validation': 10,
    'Query.lineage': 100,
    'Query.trainingSet': 1_000,
    'Query.trainingSetMulti': 1_000,
  } as Record<string, number>,
};

export interface Measure {
  depth: number;
  cost: number;
  introspectionDepth: number;
  introspectionCost: number;
  /** Introspection lists nested in each other along the deepest path (types → fields → args is 3). */
  introspectionLists: number;
  fields: number;
  aliases: number;
  /** Whether a variable `first` sizes a list (its cost depends on the request's variables). */
  variableSized: boolean;
}

export interface OperationMeasure extends Measure {
  operation: OperationDefinitionNode;
  name: string;
}

const ZERO: Measure = {
  depth: 0,
  cost: 0,
  introspectionDepth: 0,
  introspectionCost: 0,
  introspectionLists: 0,
  fields: 0,
  aliases: 0,
  variableSized: false,
};

/** Every operation of `document`, measured. */
export function measureDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
): OperationMeasure[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const out: OperationMeasure[] = [];
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const walk = new Walk(schema, fragments, operationVariables(def, variables), variables !== undefined);
    const root = schema.getRootType(def.operation);
    out.push({
      ...walk.set(def.selectionSet, root ?? undefined),
      operation: def,
      name: def.name?.value ?? 'anonymous',
    });
  }
  return out;
}

/** The request's variables over the operation's declared defaults (literal integers only). */
function operationVariables(
  op: OperationDefinitionNode,
  given: Record<string, unknown> | undefined,
): Map<string, number> {
  const values = new Map<string, number>();
  for (const v of op.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    const value = given?.[name];
    if (typeof value === 'number' && Number.isInteger(value)) values.set(name, value);
    else if (v.defaultValue?.kind === Kind.INT && (given === undefined || value === undefined))
      values.set(name, Number(v.defaultValue.value));
  }
  return values;
}

class Walk {
  /** Fragment name and the list size it was spread under → its measure. */
  private readonly memo = new Map<string, Measure>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Map<string, number>,
    private readonly withVariables: boolean,
  ) {}

  set(set: SelectionSetNode | undefined, type: GraphQLNamedType | undefined, inherited?: number): Measure {
    let m = ZERO;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) m = add(m, this.field(sel, type, inherited));
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : type;
        m = add(m, this.set(sel.selectionSet, t ?? undefined, inherited));
      } else m = add(m, this.spread(sel.name.value, inherited));
    }
    return m;
  }

  private spread(name: string, inherited: number | undefined): Measure {
    const frag = this.fragments.get(name);
    // Unknown and cyclic spreads are graphql's own validation errors; they add nothing here.
    if (!frag || this.visiting.has(name)) return ZERO;
    const key = `${name}|${inherited ?? ''}`;
    let m = this.memo.get(key);
    if (!m) {
      this.visiting.add(name);
      m = this.set(
        frag.selectionSet,
        this.schema.getType(frag.typeCondition.name.value) ?? undefined,
        inherited,
      );
      this.visiting.delete(name);
      this.memo.set(key, m);
    }
    return m;
  }

  private field(node: FieldNode, parent: GraphQLNamedType | undefined, inherited?: number): Measure {
    const name = node.name.value;
    const def = this.definition(name, parent);
    const list = def ? isListType(getNullableType(def.type)) : false;
    const first = def ? this.first(node, def) : undefined;
    const size = list ? (first?.size ?? inherited ?? COST_MODEL.listSize) : 1;
    const named = def ? getNamedType(def.type) : undefined;
    // A connection's `first` sizes the list inside it (`nodes`), not the connection.
    const child = this.set(
      node.selectionSet,
      isCompositeType(named) ? named : undefined,
      list ? undefined : first?.size,
    );
    const weight = (parent && COST_MODEL.weights[`${parent.name}.${name}`]) ?? 1;
    const own = {
      fields: 1 + child.fields,
      aliases: (node.alias ? 1 : 0) + child.aliases,
      variableSized: child.variableSized || !!first?.variable,
    };
    const introspection =
      name === '__schema' || name === '__type' || (!!parent && isIntrospectionType(parent));
    if (introspection)
      return {
        ...child,
        ...own,
        introspectionDepth: 1 + child.introspectionDepth,
        introspectionCost: weight + size * child.introspectionCost,
        introspectionLists: (list ? 1 : 0) + child.introspectionLists,
      };
    return { ...child, ...own, depth: 1 + child.depth, cost: weight + size * child.cost };
  }

  private definition(
    name: string,
    parent: GraphQLNamedType | undefined,
  ): GraphQLField<unknown, unknown> | undefined {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
    return undefined;
  }

  /** The size a `first` argument gives, for fields that have one. */
  private first(
    node: FieldNode,
    def: GraphQLField<unknown, unknown>,
  ): { size: number; variable: boolean } | undefined {
    const arg = def.args.find((a) => a.name === 'first');
    if (!arg) return undefined;
    const fallback = typeof arg.defaultValue === 'number' ? arg.defaultValue : COST_MODEL.defaultPage;
    const value = node.arguments?.find((a) => a.name.value === 'first')?.value;
    if (value?.kind === Kind.INT) return { size: Math.max(1, Number(value.value)), variable: false };
    if (value?.kind === Kind.VARIABLE) {
      const given = this.variables.get(value.name.value);
      return { size: Math.max(1, given ?? fallback), variable: !this.withVariables };
    }
    return { size: fallback, variable: false };
  }
}

function add(a: Measure, b: Measure): Measure {
  return {
    depth: Math.max(a.depth, b.depth),
    cost: a.cost + b.cost,
    introspectionDepth: Math.max(a.introspectionDepth, b.introspectionDepth),
    introspectionCost: a.introspectionCost + b.introspectionCost,
    introspectionLists: Math.max(a.introspectionLists, b.introspectionLists),
    fields: a.fields + b.fields,
    aliases: a.aliases + b.aliases,
    variableSized: a.variableSized || b.variableSized,
  };
}
