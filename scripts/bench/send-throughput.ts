/** One `send` instance at several concurrencies against the fake RBM, next to calling the fake RBM directly. */
import { randomUUID } from 'node:crypto';
import { TEXT_MESSAGE } from './cold-start.js';
import { closedLoop, medianRun, type LoadResult } from './load.js';

export interface SendThroughputRow {
  readonly concurrency: number;
  readonly send: LoadResult;
  readonly direct: LoadResult;
  readonly sendRuns: readonly LoadResult[];
  readonly directRuns: readonly LoadResult[];
  /** direct requests/s ÷ send requests/s. */
  readonly throughputRatio: number;
  /** send p50 ÷ direct p50. */
  readonly p50Ratio: number;
}

const body = JSON.stringify(TEXT_MESSAGE);
const headers = { 'content-type': 'application/json' };

async function ok(response: Response): Promise<boolean> {
  await response.arrayBuffer();
  return response.status === 200;
}

export async function measureSendThroughput(options: {
  sendUrl: string;
  rbmUrl: string;
  agentId: string;
  phone: string;
  concurrencies: readonly number[];
  repetitions: number;
  durationMs: number;
  warmupMs: number;
  progress: (line: string) => void;
}): Promise<SendThroughputRow[]> {
  const viaSend = () =>
    fetch(`${options.sendUrl}/v1/phones/${options.phone}/agentMessages?messageId=${randomUUID()}`, {
      method: 'POST',
      headers,
      body,
    }).then(ok);
  const direct = () =>
    fetch(
      `${options.rbmUrl}/v1/phones/${options.phone}/agentMessages?messageId=${randomUUID()}&agentId=${options.agentId}`,
      { method: 'POST', headers, body },
    ).then(ok);
  await closedLoop(4, options.warmupMs, viaSend);
  await closedLoop(4, options.warmupMs, direct);
  const rows: SendThroughputRow[] = [];
  for (const concurrency of options.concurrencies) {
    const sendRuns: LoadResult[] = [];
    const directRuns: LoadResult[] = [];
    for (let rep = 0; rep < options.repetitions; rep++) {
      sendRuns.push(await closedLoop(concurrency, options.durationMs, viaSend));
      directRuns.push(await closedLoop(concurrency, options.durationMs, direct));
    }
    const send = medianRun(sendRuns);
    const directRun = medianRun(directRuns);
    rows.push({
      concurrency,
      send,
      direct: directRun,
      sendRuns,
      directRuns,
      throughputRatio: Math.round((directRun.requestsPerSecond / send.requestsPerSecond) * 10) / 10,
      p50Ratio: Math.round((send.latencyMs.p50 / directRun.latencyMs.p50) * 10) / 10,
    });
    progress(
      options,
      `send c=${concurrency}: ${send.requestsPerSecond} req/s vs direct ${directRun.requestsPerSecond}`,
    );
  }
  return rows;
}

function progress(options: { progress: (line: string) => void }, line: string): void {
  options.progress(line);
}
