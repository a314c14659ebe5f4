/**
 * Resident memory of a local process, read from /proc/<pid>/status (Linux): VmRSS now and VmHWM, the peak since
 * the peak was last reset. Tests and benchmarks use it to see how much memory one request made a server take.
 */
import { readFile, writeFile } from 'node:fs/promises';

export interface ResidentMemory {
  readonly rssBytes: number;
  readonly peakBytes: number;
}

/** Reads a `Vm…: N kB` line of /proc/<pid>/status. */
export function statusKilobytes(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s*(\\d+) kB$`, 'm').exec(status);
  if (match?.[1] === undefined) throw new Error(`no ${field} line in /proc status`);
  return Number(match[1]);
}

export async function residentMemory(pid: number): Promise<ResidentMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return {
    rssBytes: statusKilobytes(status, 'VmRSS') * 1024,
    peakBytes: statusKilobytes(status, 'VmHWM') * 1024,
  };
}

/** Sets the process's VmHWM back to its current VmRSS (clear_refs value 5; same user or root). */
export async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

export interface PeakGrowth<T> {
  readonly result: T;
  /** How far the peak RSS rose above the RSS at the start of `action`. */
  readonly growthBytes: number;
  readonly before: ResidentMemory;
  readonly after: ResidentMemory;
}

/** Runs `action` and reports how far `pid`'s resident memory peaked above where it stood when `action` began. */
export async function peakGrowthDuring<T>(pid: number, action: () => Promise<T>): Promise<PeakGrowth<T>> {
  await resetPeak(pid);
  const before = await residentMemory(pid);
  const result = await action();
  const after = await residentMemory(pid);
  return { result, growthBytes: Math.max(0, after.peakBytes - before.rssBytes), before, after };
}
