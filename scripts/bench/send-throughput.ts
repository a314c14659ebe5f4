/**
 * One `send` instance at several concurrencies against the fake RBM, next to calling the fake RBM directly. With
 * the instance's pid, also what it costs: peak resident memory and CPU time per request (what sizes a deployed
 * instance's concurrency and CPU, docs/operations.md).
 */
import { randomUUID } from 'node:crypto';
import { peakGrowthDuring } from '../../devtools/process-memory.js';
import { TEXT_MESSAGE } from './cold-start.js';
import { closedLoop, medianRun, type LoadResult } from './load.js';
import { cpuMs } from './process-cpu.js';

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
  /** Peak resident memory of the send process during this concurrency's runs (absent in older runs). */
  readonly peakRssMiB?: number;
  /** CPU time of the send process per answered request, over this concurrency's runs (absent in older runs). */
  readonly cpuMsPerRequest?: number;
}

const MIB = 1024 * 1024;

interface InstanceCost<T> {
  readonly result: T;
  readonly peakRssMiB: number;
  readonly cpuMs: number;
}

/** Runs `work` and reads what it cost the process `pid`: its peak RSS and the CPU time it used. */
async function costOf<T>(pid: number, work: () => Promise<T>): Promise<InstanceCost<T>> {
  const cpuBefore = await cpuMs(pid);
  const measured = await peakGrowthDuring(pid, work);
  return {
    result: measured.result,
    peakRssMiB: Math.round((measured.after.peakBytes / MIB) * 10) / 10,
    cpuMs: (await cpuMs(pid)) - cpuBefore,
  };
}

const body = JSON.stringify(TEXT_MESSAGE);
const headers = { 'content-type': 'application/json' };

async function ok(response: Response): Promise<boolean> {
  await response.arrayBuffer();
  return response.status === 200;
}

export async function measureSendThroughput(options: {
  sendUrl: string;
  /** Pid of the process serving send: adds its peak RSS and CPU time per request to each row. */
  sendPid?: number | undefined;
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
    let peakRssMiB = 0;
    let sendCpuMs = 0;
    for (let rep = 0; rep < options.repetitions; rep++) {
      const run = () => closedLoop(concurrency, options.durationMs, viaSend);
      if (options.sendPid === undefined) sendRuns.push(await run());
      else {
        const cost = await costOf(options.sendPid, run);
        sendRuns.push(cost.result);
        peakRssMiB = Math.max(peakRssMiB, cost.peakRssMiB);
        sendCpuMs += cost.cpuMs;
      }
      directRuns.push(await closedLoop(concurrency, options.durationMs, direct));
    }
    const answered = sendRuns.reduce((sum, run) => sum + run.requests, 0);
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
      ...(options.sendPid === undefined
        ? {}
        : { peakRssMiB, cpuMsPerRequest: Math.round((sendCpuMs / Math.max(1, answered)) * 100) / 100 }),
    });
    progress(
      options,
      `send c=${concurrency}: ${send.requestsPerSecond} req/s vs direct ${directRun.requestsPerSecond}` +
        (options.sendPid === undefined ? '' : `, peak RSS ${peakRssMiB} MiB`),
    );
  }
  return rows;
}

function progress(options: { progress: (line: string) => void }, line: string): void {
  options.progress(line);
}
