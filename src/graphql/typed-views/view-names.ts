/**
 * The names a contract major's typed view has in the served schema:
 *
 * - the field under `featureView`: `<contract>_v<major>` (`country_daily_v1`). Contract
 *   names are `[a-z][a-z0-9_]*`, so this is always a valid GraphQL name, and one name
 *   never comes from two views (the major is the digits after the last `_v`);
 * - its object type: the contract name in PascalCase, then `V<major>` (`CountryDailyV1`).
 *   Underscores are dropped, so two contracts can meet (`a_b` and `a__b` are both `AB`):
 *   such views are left out, with a problem naming both;
 * - each feature's field: the feature's name, except a name GraphQL reserves (`__…`) or
 *   one of the view's own fields, which gets the prefix `f_` (`f_entity`); when that
 *   meets another feature, the view is left out, with a problem naming both.
 */
export interface ViewSource {
  contract: string;
  major: number;
  features: ReadonlyArray<{ name: string }>;
}

export interface NamedView<V extends ViewSource> {
  source: V;
  field: string;
  typeName: string;
  /** GraphQL field name → feature name, in contract order. */
  fields: Map<string, string>;
}

export interface Naming<V extends ViewSource> {
  views: NamedView<V>[];
  /** Why a view was left out, one sentence each. */
  problems: string[];
}

/** The fields every view type has before its features. */
export const VIEW_FIELDS = ['entity', 'timestamp', 'eventTime', 'runId', 'contractVersion'] as const;

export function viewFieldName(contract: string, major: number): string {
  return `${contract}_v${major}`;
}

export function viewTypeName(contract: string, major: number): string {
  const pascal = contract
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return `${pascal}V${major}`;
}

/** The GraphQL field for a feature name (before collisions are checked). */
export function featureFieldName(feature: string): string {
  return feature.startsWith('__') || (VIEW_FIELDS as readonly string[]).includes(feature)
    ? `f_${feature}`
    : feature;
}

/** Names every view; `taken` are the type names already in the schema. */
export function nameViews<V extends ViewSource>(sources: V[], taken: ReadonlySet<string>): Naming<V> {
  const problems: string[] = [];
  const byType = new Map<string, V[]>();
  for (const s of sources) {
    const t = viewTypeName(s.contract, s.major);
    byType.set(t, [...(byType.get(t) ?? []), s]);
  }
  const views: NamedView<V>[] = [];
  for (const s of sources) {
    const typeName = viewTypeName(s.contract, s.major);
    const label = `${s.contract} major ${s.major}`;
    const meeting = byType.get(typeName)!;
    if (meeting.length > 1) {
      const others = meeting.filter((o) => o !== s).map((o) => `${o.contract} major ${o.major}`);
      problems.push(
        `typed view of ${label} left out: its type name ${typeName} is also that of ${others.join(', ')}`,
      );
      continue;
    }
    if (taken.has(typeName)) {
      problems.push(
        `typed view of ${label} left out: its type name ${typeName} is already a type of the schema`,
      );
      continue;
    }
    const fields = featureFields(s, label, problems);
    if (fields) views.push({ source: s, field: viewFieldName(s.contract, s.major), typeName, fields });
  }
  return { views, problems };
}

function featureFields(s: ViewSource, label: string, problems: string[]): Map<string, string> | null {
  const fields = new Map<string, string>();
  for (const f of s.features) {
    const field = featureFieldName(f.name);
    const other = fields.get(field);
    if (other !== undefined) {
      problems.push(
        `typed view of ${label} left out: feature '${f.name}' would be field ${field}, which feature '${other}' already is`,
      );
      return null;
    }
    fields.set(field, f.name);
  }
  return fields;
}
