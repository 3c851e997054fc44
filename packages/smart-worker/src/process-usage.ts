import fs from 'node:fs';

/** /proc reports CPU times in USER_HZ ticks, 100 per second on Linux whatever the kernel's HZ. */
const USER_HZ = 100;
const PAGE_KIB = 4;

export interface ProcessUsage {
  cpuMs: number;
  rssMb: number;
}

/** PIDs of the `workerd` processes this Node process started (Linux /proc; an empty set elsewhere). */
export function workerdChildren(): Set<number> {
  const pids = new Set<number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.comm === 'workerd' && stat.ppid === process.pid) pids.add(Number(entry));
  }
  return pids;
}

/** CPU time (user + system) and resident memory of a process, or undefined once it is gone. */
export function processUsage(pid: number): ProcessUsage | undefined {
  const stat = readStat(pid);
  return stat && { cpuMs: ((stat.utime + stat.stime) * 1000) / USER_HZ, rssMb: (stat.rssPages * PAGE_KIB) / 1024 };
}

function readStat(pid: number): { comm: string; ppid: number; utime: number; stime: number; rssPages: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    rssPages: Number(fields[21]),
  };
}
