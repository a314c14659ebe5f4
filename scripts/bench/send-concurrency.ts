/**
 * `npm run bench -- --only send-concurrency`: the send case alone (one instance at concurrency 1, 8, 32 and 80,
 * with its memory and CPU per request), without the rest of the bench. Its rows replace `sendThroughput` in
 * docs/benchmarks/bench.json, marked with when and how they were measured, and BENCHMARKS.md is re-rendered.
 * Set FUNCTIONS_NODE to measure send on the deployed runtime's Node (README, "Node versions").
 */
import { execFileSync } from 'node:child_process';
import { startEmulators } from '../../devtools/emulators.js';
import { functionsNodeBinary } from '../../devtools/functions-node.js';
import { startLocalStack } from '../../devtools/local-stack.js';
import { measureSendThroughput, type SendThroughputRow } from './send-throughput.js';
import { updateStoredResults } from './stored-results.js';

/** The concurrencies per instance measured: 1 is gen2's default, 80 Cloud Run's usual ceiling. */
export const SEND_CONCURRENCIES = [1, 8, 32, 80] as const;

export interface SendBenchOptions {
  readonly sendUrl: string;
  readonly sendPid: number | undefined;
  readonly rbmUrl: string;
  readonly agentId: string;
  readonly phone: string;
  readonly quick: boolean;
  readonly progress: (line: string) => void;
}

/** The send case as the full bench and `--only send-concurrency` both run it. */
export function measureSendConcurrency(options: SendBenchOptions): Promise<SendThroughputRow[]> {
  return measureSendThroughput({
    ...options,
    concurrencies: SEND_CONCURRENCIES,
    repetitions: options.quick ? 1 : 3,
    durationMs: options.quick ? 2_000 : 5_000,
    warmupMs: 1_500,
  });
}

/** The version of the Node that serves the functions (FUNCTIONS_NODE, or this one). */
export function functionsNodeVersion(): string {
  const binary = functionsNodeBinary();
  return binary === process.execPath
    ? process.version
    : execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}

export async function runSendConcurrencyOnly(options: {
  projectId: string;
  agentId: string;
  clientToken: string;
  phone: string;
  quick: boolean;
  log: (line: string) => void;
}): Promise<void> {
  const { log } = options;
  const startedAt = new Date();
  log('starting the emulators');
  const emulators = await startEmulators({ projectId: options.projectId });
  try {
    const stack = await startLocalStack({
      projectId: options.projectId,
      emulators: { pubsubHost: emulators.pubsubHost, firestoreHost: emulators.firestoreHost },
      agentId: options.agentId,
      clientToken: options.clientToken,
    });
    let rows: SendThroughputRow[];
    try {
      rows = await measureSendConcurrency({
        sendUrl: stack.functions.send.url,
        sendPid: stack.functions.send.pid,
        rbmUrl: stack.rbm.url,
        agentId: options.agentId,
        phone: options.phone,
        quick: options.quick,
        progress: log,
      });
    } finally {
      await stack.stop();
    }
    await updateStoredResults({
      sendThroughput: rows,
      sendThroughputRun: {
        date: startedAt.toISOString(),
        command: `npm run bench -- --only send-concurrency${options.quick ? ' --quick' : ''}`,
        functionsNode: functionsNodeVersion(),
      },
    });
    log('updated the send rows of docs/benchmarks/bench.json and re-rendered BENCHMARKS.md');
  } finally {
    await emulators.stop();
  }
}
