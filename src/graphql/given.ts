/**
 * An optional GraphQL argument as the services take it: absent and explicit null (what
 * a client sends for a variable it left unset) both mean "not given".
 */
export function given<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}
