/**
 * Length bounds on the identifiers a caller passes (contract names, versions,
 * feature names), checked before they reach semver, the store or a message. A
 * 5,000-character version once reached semver, which throws on anything over 256
 * characters, and answered INTERNAL. The bounds are those a contract file can hold
 * (meta-schema.ts), so nothing registered is ever out of reach.
 */
import { InputError } from '../errors';

/** Contract, column and feature names: identifiers (the meta-schema's bound). */
export const MAX_NAME_LENGTH = 63;
/** A semantic version with pre-release and build parts fits easily; semver itself stops at 256. */
export const MAX_VERSION_LENGTH = 64;

/** Throws InputError naming `what` when `value` is longer than `max`. */
export function checkLength(value: string, what: string, max: number): void {
  if (value.length > max) {
    throw new InputError(
      `${what} '${value.slice(0, 20)}…' is ${value.length} characters; the limit is ${max}`,
    );
  }
}

export function checkName(name: string, what = 'contract name'): void {
  checkLength(name, what, MAX_NAME_LENGTH);
}

export function checkVersion(version: string | undefined, what = 'version'): void {
  if (version !== undefined) checkLength(version, what, MAX_VERSION_LENGTH);
}
