/**
 * Who holds a run, and whether that holder is a previous incarnation of this instance
 * that died: the fast path of crash recovery. A run's `claimed_by` is `<owner>:<pid>`,
 * where the owner is the host name plus, on Linux, the process-id namespace. Two
 * claims with the same owner were made in the same process space, so a claimer whose
 * pid no longer exists there is gone for good: its runs need not wait for their lease
 * to lapse. Anything else (another owner, a live pid, a pid reused since, an id that
 * does not parse) is left to the lease, so a live instance's runs are never failed.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** `host` or `host/pidns<inode>`: processes with the same owner see each other's pids. */
export function processOwner(): string {
  try {
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return ns ? `${hostname()}/pidns${ns}` : hostname();
  } catch {
    return hostname();
  }
}

export const defaultInstanceId = `${processOwner()}:${process.pid}`;

export function parseClaim(claimedBy: string | null): { owner: string; pid: number } | null {
  const m = /^(.+):(\d+)$/.exec(claimedBy ?? '');
  return m ? { owner: m[1]!, pid: Number(m[2]) } : null;
}

/** Whether `pid` exists in this process's pid namespace (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `claimedBy` is a process of this instance's owner that no longer exists. */
export function heldByDeadIncarnation(
  claimedBy: string | null,
  self: string,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  const claim = parseClaim(claimedBy);
  const me = parseClaim(self);
  if (!claim || !me || claim.owner !== me.owner || claim.pid === me.pid) return false;
  return !alive(claim.pid);
}
