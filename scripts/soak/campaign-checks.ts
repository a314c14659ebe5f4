/** What a campaign run must show, as pure functions of what the fake RBM recorded (docs/campaigns.md). */

/** Recipients per second between the first and the last of `times` (epoch ms); 0 with fewer than two. */
export function achievedRate(times: readonly number[]): number {
  if (times.length < 2) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  const spanMs = (sorted.at(-1) ?? 0) - (sorted[0] ?? 0);
  return spanMs <= 0 ? Number.POSITIVE_INFINITY : ((sorted.length - 1) * 1000) / spanMs;
}

/**
 * The highest rate over any window of `windowMs` (each window starting at one of the times): the most events
 * within [t, t + windowMs), per second.
 */
export function maxWindowRate(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const limit = (sorted[start] ?? 0) + windowMs;
    while (end < sorted.length && (sorted[end] ?? 0) < limit) end++;
    most = Math.max(most, end - start);
  }
  return (most * 1000) / windowMs;
}

/** Keys that occur more than once, with their count. */
export function repeated(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return new Map([...counts].filter(([, count]) => count > 1));
}

/** p-th percentile (0–100) by nearest rank; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}
