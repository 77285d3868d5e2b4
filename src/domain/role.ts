/** Roles, in increasing power: each includes what the ones below it may do. */
export const ROLES = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/** Who is calling: a key's owner and role, or anonymous access in development mode. */
export interface Principal {
  /** Named in the audit trail. */
  actor: string;
  role: Role;
  keyId: string | null;
}
