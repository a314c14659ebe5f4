/** A closed-loop load generator: `concurrency` workers, each sending its next request when the last one ended. */
import { summarize, type Summary } from './stats.js';

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: Summary;
}

export async function closedLoop(
  concurrency: number,
  durationMs: number,
  request: () => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      const t = performance.now();
      const ok = await request().catch(() => false);
      if (ok) latencies.push(performance.now() - t);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency,
    requests: latencies.length,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    latencyMs: summarize(latencies),
  };
}

/** The repetition with the median throughput, plus all of them. */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no runs');
  return middle;
}
