import type { Role } from './roles';

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
