/**
 * Oversized request bodies against the webhook bundle: for each kind (compression bombs, a long chunked body, a
 * long body with Content-Length), the answer, the time to its status line, and how far the serving process's
 * peak resident memory rose above where it stood. A fresh warm instance per body, so one body's heap growth
 * cannot hide the next one's.
 */
import { startFunction } from '../../devtools/function-server.js';
import { hostileBodies, postStreamed, type HostileBodySizes } from '../../devtools/hostile-bodies.js';
import { peakGrowthDuring } from '../../devtools/process-memory.js';
import { median } from './stats.js';

export interface BodyLimitRow {
  readonly body: string;
  readonly wireBytes: number;
  readonly decodedBytes: number;
  /** Every status answered, one per repetition. */
  readonly statuses: readonly number[];
  readonly msToStatus: number;
  /** Largest peak RSS growth over the repetitions. */
  readonly peakRssGrowthMiB: number;
}

const MIB = 1024 * 1024;
export const BENCH_BODY_SIZES: HostileBodySizes = { inflatedBytes: 256 * MIB, streamedBytes: 96 * MIB };

export async function measureBodyLimits(options: {
  /** The webhook's environment; it answers a refused body without reaching Pub/Sub. */
  env: Readonly<Record<string, string>>;
  clientToken: string;
  repetitions: number;
  progress: (line: string) => void;
}): Promise<BodyLimitRow[]> {
  const handshake = JSON.stringify({ clientToken: options.clientToken, secret: 'bench' });
  const rows: BodyLimitRow[] = [];
  for (const body of await hostileBodies(BENCH_BODY_SIZES)) {
    const statuses: number[] = [];
    const times: number[] = [];
    let growth = 0;
    for (let rep = 0; rep < options.repetitions; rep++) {
      const server = await startFunction({ name: 'webhook', env: options.env });
      try {
        if (server.pid === undefined) throw new Error('the webhook server has no pid');
        for (let warm = 0; warm < 3; warm++) {
          const answer = await fetch(server.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: handshake,
          });
          if (answer.status !== 200) throw new Error(`webhook warm-up answered ${answer.status}`);
        }
        const measured = await peakGrowthDuring(server.pid, () => postStreamed(server.url, body));
        statuses.push(measured.result.status);
        times.push(measured.result.msToStatus);
        growth = Math.max(growth, measured.growthBytes);
      } finally {
        await server.stop();
      }
    }
    rows.push({
      body: body.name,
      wireBytes: body.wireBytes,
      decodedBytes: body.decodedBytes,
      statuses,
      msToStatus: median(times),
      peakRssGrowthMiB: Math.round((growth / MIB) * 10) / 10,
    });
    options.progress(`oversized body: ${body.name} done`);
  }
  return rows;
}
