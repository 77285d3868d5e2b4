/**
 * The parts of a Tidemark contract ODCS has no field for, kept as top-level ODCS
 * `customProperties` so that export → import → export loses nothing. Names follow the
 * standard's advice (camel case) with a `tidemark` prefix so no other tool's property
 * is mistaken for one of ours.
 */
export const CONTRACT_CUSTOM = {
  entity: 'tidemarkEntity',
  eventTime: 'tidemarkEventTime',
  source: 'tidemarkSource',
  features: 'tidemarkFeatures',
  filters: 'tidemarkFilters',
  schedule: 'tidemarkSchedule',
  policy: 'tidemarkPolicy',
  links: 'tidemarkLinks',
} as const;

export type ContractCustomKey = keyof typeof CONTRACT_CUSTOM;

/** ISO-8601 designators ↔ ODCS SLA units, largest first (an export uses the largest exact one). */
export const SLA_UNITS: Array<{ unit: string; ms: number; iso: (n: number) => string }> = [
  { unit: 'd', ms: 86_400_000, iso: (n) => `P${n}D` },
  { unit: 'h', ms: 3_600_000, iso: (n) => `PT${n}H` },
  { unit: 'm', ms: 60_000, iso: (n) => `PT${n}M` },
  { unit: 's', ms: 1_000, iso: (n) => `PT${n}S` },
];

/** Spellings of the units the standard's examples and users write. */
export const SLA_UNIT_ALIASES: Record<string, string> = {
  d: 'd',
  day: 'd',
  days: 'd',
  h: 'h',
  hr: 'h',
  hour: 'h',
  hours: 'h',
  m: 'm',
  min: 'm',
  minute: 'm',
  minutes: 'm',
  s: 's',
  sec: 's',
  second: 's',
  seconds: 's',
};
