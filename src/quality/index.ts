/** The quality module's public surface: compile a contract's checks once, validate batches with them. */
export { compileChecks } from './compile';
export { validateBatch, validateBatchInSlices } from './validate';
export { CATALOGUE } from './catalogue';
export { mostlyHolds, DEFAULT_MOSTLY } from './mostly';
export { median, sampleStdev, statsOf } from './aggregates';
export type { BatchValidation, CompiledChecks, PreviousValues, ValidationContext } from './checks.types';
