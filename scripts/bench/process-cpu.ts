/** CPU time a local process has used so far, from /proc/<pid>/stat (Linux): user + system, in milliseconds. */
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux everywhere that matters). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc/<pid>/stat line, in ms. The command name (field 2) may hold spaces: skip past ")". */
export function cpuMsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name, state is field 3; utime and stime are fields 14 and 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable /proc stat line');
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

export async function cpuMs(pid: number): Promise<number> {
  return cpuMsOfStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** The process group of a /proc/<pid>/stat line (field 5). */
function processGroupOfStat(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[5 - 3]);
}

/**
 * CPU used so far by every live process that `matches`: given its process group and command line. Sums a
 * function started in a group of its own, or an emulator's JVM found by the port on its command line.
 */
export async function cpuMsOfProcesses(
  matches: (process: { pid: number; processGroup: number; commandLine: string }) => boolean,
): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      if (matches({ pid: Number(entry), processGroup: processGroupOfStat(stat), commandLine })) {
        total += cpuMsOfStat(stat);
      }
    } catch {
      // The process ended while it was read.
    }
  }
  return total;
}
