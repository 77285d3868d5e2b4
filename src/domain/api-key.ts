import type { Role } from './role';

export interface ApiKey {
  id: string;
  owner: string;
  role: Role;
  secretSha256: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}
