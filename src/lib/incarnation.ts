/**
 * Who holds a run, and whether that holder still lives. A run's `claimed_by` is
 * `<owner>:<pid>`, where the owner is the host name plus, on Linux, the process-id
 * namespace; the claim also records the holder's incarnation, which tells one process
 * from a later one that got the same pid (after a reboot, or a container restart where
 * the server is always pid 1). Two claims with the same owner were made in the same
 * process space, so a claimer can be looked up there:
 *
 * - gone (no such pid, or the pid now belongs to another incarnation): its runs are
 *   recovered at once, without waiting for their lease to lapse;
 * - alive with the recorded incarnation: its runs are its own business, whatever their
 *   lease says. A lease lapses when its heartbeat cannot be written in time (on SQLite
 *   another connection holding the write lock, e.g. the holder's own million-row
 *   commit; a CPU-bound stage delaying the timer), not only when the process died;
 * - anything else (another owner, a claim without an incarnation, a pid that cannot be
 *   inspected): the lease decides.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
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

let bootId: string | null | undefined;

/**
 * Which process `pid` is: on Linux the boot id and the process's start time in clock
 * ticks since boot (`/proc/<pid>/stat` field 22), elsewhere its start time as `ps`
 * prints it. null when it cannot be told (no such process, no /proc and no ps).
 */
export function processIncarnation(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (start && /^\d+$/.test(start)) return `${bootId}/${start}`;
  } catch {
    if (process.platform === 'linux') return null; // /proc exists there: the pid is gone
  }
  if (process.platform === 'win32') return null;
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
    });
    const s = started.trim().replace(/\s+/g, ' ');
    return s ? `started ${s}` : null;
  } catch {
    return null;
  }
}

let self: string | null | undefined;

/** This process's incarnation (see processIncarnation), recorded with each claim it makes. */
export function selfIncarnation(): string | null {
  if (self === undefined) self = processIncarnation(process.pid);
  return self;
}

export type Holder = 'alive' | 'gone' | 'unknown';

export interface HolderProbe {
  alive(pid: number): boolean;
  incarnation(pid: number): string | null;
}

const system: HolderProbe = { alive: pidAlive, incarnation: processIncarnation };

/**
 * Whether the process that made a claim is still there, seen from `self` (this
 * process's instance id). A claim of this very process is `unknown`: only its executor
 * knows whether it still works on the run, and the dispatcher asks it first.
 */
export function claimHolder(
  claimedBy: string | null,
  incarnation: string | null,
  selfId: string,
  probe: HolderProbe = system,
): Holder {
  const claim = parseClaim(claimedBy);
  const me = parseClaim(selfId);
  if (!claim || !me || claim.owner !== me.owner) return 'unknown';
  if (claim.pid === me.pid) {
    // The same pid under another incarnation is a predecessor (container restarts reuse pid 1).
    return incarnation !== null && incarnation !== selfIncarnation() && selfIncarnation() !== null
      ? 'gone'
      : 'unknown';
  }
  if (!probe.alive(claim.pid)) return 'gone';
  if (incarnation === null) return 'unknown'; // a claim made before incarnations were recorded
  const now = probe.incarnation(claim.pid);
  if (now === null) return 'unknown';
  return now === incarnation ? 'alive' : 'gone';
}

/** True when `claimedBy` is a process of this instance's owner that no longer exists. */
export function heldByDeadIncarnation(
  claimedBy: string | null,
  self: string,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  return claimHolder(claimedBy, null, self, { alive, incarnation: () => null }) === 'gone';
}
