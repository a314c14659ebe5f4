/**
 * Campaign benchmarks (docs/campaigns.md), on the emulators with the built campaigns function, a fake RBM and
 * a fake Cloud Tasks: accepting and enqueueing a large campaign, the pacing achieved at RBM, the Firestore
 * operations per recipient, and the cost of a progress read at two campaign sizes.
 * `npm run bench -- --only campaigns [--quick] [--recipients N]`.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { residentMemory, resetPeak } from '../../devtools/process-memory.js';
import { campaignMessageId } from '../../shared/campaigns/ids.js';
import { COLLECTIONS } from '../../shared/store/collections.js';
import { achievedRate, maxWindowRate, percentile } from '../soak/campaign-checks.js';
import { pollUntil } from '../soak/util.js';
import { benchPhones, startCampaignHarness, type CampaignHarness } from '../../devtools/campaign-harness.js';
import { countCampaignOperations, type CampaignOpsRow } from './campaign-ops.js';
import { cpuMsOfProcesses } from './process-cpu.js';
import { table } from './markdown-table.js';
import type { MeasuredRun } from './measured-run.js';

export interface EnqueueResult {
  readonly recipients: number;
  readonly bodyBytes: number;
  /** POST answered 202: the campaign and its chunks stored, the chunk tasks created. */
  readonly acceptMs: number;
  /** From the POST until every recipient task existed. */
  readonly enqueueMs: number;
  readonly tasksPerSecond: number;
  /** Peak resident memory of the function while it accepted and enqueued. */
  readonly peakRssMiB: number;
}

export interface PacingResult {
  readonly recipients: number;
  readonly ratePerSecond: number;
  /** Dispatches per second the queue started, first to last: the pacing itself. */
  readonly dispatchedPerSecond: number;
  /** Creates per second at RBM, first to last. */
  readonly achievedPerSecond: number;
  readonly deviationPercent: number;
  /** The busiest 10 s window, as a share of the rate. */
  readonly maxWindowPercent: number;
  /** How long after its slot each recipient reached RBM. */
  readonly lateP50Ms: number;
  readonly lateP95Ms: number;
  readonly lateMaxMs: number;
  /** CPU time each process spent per recipient while the campaign ran: what bounds the rate on this machine. */
  readonly cpuMsPerRecipient: CpuPerRecipient;
  /** The rate this machine's cores could sustain at that cost: cores × 1000 / the summed CPU ms per recipient. */
  readonly ceilingPerSecond: number;
}

export interface CpuPerRecipient {
  readonly function: number;
  readonly firestoreEmulator: number;
  readonly pubsubEmulator: number;
  /** This process: the fake RBM, the fake Cloud Tasks and the bench's own polling. */
  readonly fakes: number;
}

export interface ProgressReadResult {
  readonly records: number;
  readonly documentReads: number;
  readonly aggregationQueries: number;
  readonly medianMs: number;
}

export interface CampaignBenchResults {
  readonly enqueue: EnqueueResult;
  readonly pacing: readonly PacingResult[];
  readonly operations: readonly CampaignOpsRow[];
  readonly progressReads: readonly ProgressReadResult[];
}

export interface CampaignBenchOptions {
  readonly quick: boolean;
  /** Recipients of the accept-and-enqueue run (default 100,000; 10,000 with --quick). */
  readonly recipients?: number;
  readonly log: (line: string) => void;
}

const PROJECT_ID = 'rbm-bench-campaigns';
const AGENT_ID = 'bench-agent';
const MESSAGE = { contentMessage: { text: 'Spring sale: 20% off' }, messageTrafficType: 'PROMOTION' };

export async function measureCampaigns(options: CampaignBenchOptions): Promise<CampaignBenchResults> {
  const harness = await startCampaignHarness({ projectId: PROJECT_ID, agentId: AGENT_ID });
  try {
    const recipients = options.recipients ?? (options.quick ? 10_000 : 100_000);
    options.log(`campaigns: accept and enqueue ${recipients.toLocaleString('en')} recipients`);
    const enqueue = await measureEnqueue(harness, recipients);
    const pacing = [];
    // At 100/s as asked, and at a rate this machine's CPU keeps up with, to tell pacing from throughput.
    const runs = options.quick
      ? [
          [500, 100],
          [100, 10],
        ]
      : [
          [2_000, 100],
          [200, 10],
        ];
    for (const [size = 0, rate = 1] of runs) {
      options.log(`campaigns: pacing ${size} recipients at ${rate}/s`);
      pacing.push(await measurePacing(harness, size, rate));
    }
    options.log('campaigns: Firestore operations per recipient');
    const operations = await countCampaignOperations({
      db: harness.db,
      rbm: harness.rbm,
      agentId: AGENT_ID,
      recipients: options.quick ? 200 : 1_000,
    });
    const sizes = options.quick ? [100, 2_000] : [1_000, 20_000];
    options.log(`campaigns: progress reads at ${sizes.join(' and ')} records`);
    const progressReads = [];
    for (const size of sizes) progressReads.push(await measureProgressRead(harness, size));
    return { enqueue, pacing, operations, progressReads };
  } finally {
    await harness.stop();
  }
}

async function measureEnqueue(harness: CampaignHarness, recipients: number): Promise<EnqueueResult> {
  const body = JSON.stringify({
    campaignId: `bench-enqueue-${Date.now().toString(36)}`,
    agentMessage: MESSAGE,
    recipients: benchPhones(recipients),
    startTime: new Date(Date.now() + 3_600_000).toISOString(), // nothing is dispatched while it is measured
  });
  const pid = harness.campaigns().pid;
  if (pid !== undefined) await resetPeak(pid);
  const started = performance.now();
  const answer = await fetch(`${harness.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const acceptMs = performance.now() - started;
  const text = await answer.text();
  if (answer.status !== 202) throw new Error(`create answered ${answer.status}: ${text.slice(0, 500)}`);
  const { campaignId } = JSON.parse(text) as { campaignId: string };
  await pollUntil(() => (harness.cloudTasks.pending(harness.queue) >= recipients ? true : undefined), {
    timeoutMs: 30 * 60_000,
    intervalMs: 100,
    description: `${recipients} recipient tasks`,
  });
  const enqueueMs = performance.now() - started;
  const peak = pid === undefined ? 0 : (await residentMemory(pid)).peakBytes;
  await fetch(`${harness.url}/v1/campaigns/${campaignId}:cancel`, { method: 'POST' });
  harness.cloudTasks.reset();
  return {
    recipients,
    bodyBytes: Buffer.byteLength(body),
    acceptMs: Math.round(acceptMs),
    enqueueMs: Math.round(enqueueMs),
    tasksPerSecond: Math.round((recipients * 1000) / enqueueMs),
    peakRssMiB: Math.round(peak / 1024 / 1024),
  };
}

async function measurePacing(
  harness: CampaignHarness,
  recipients: number,
  ratePerSecond: number,
): Promise<PacingResult> {
  const campaignId = `bench-pacing-${Date.now().toString(36)}`;
  const phones = benchPhones(recipients, 1_000_000);
  const answer = await fetch(`${harness.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaignId, agentMessage: MESSAGE, recipients: phones, ratePerSecond }),
  });
  const created = (await answer.json()) as { startTime: string };
  if (answer.status !== 202) throw new Error(`create answered ${answer.status}`);
  const ids = new Map(phones.map((phone, position) => [campaignMessageId(campaignId, phone), position]));
  const cpuBefore = await cpuSnapshot(harness);
  const creates = await pollUntil(
    () => {
      const found = harness.rbm.successfulCreates().filter((call) => ids.has(call.messageId ?? ''));
      return found.length >= recipients ? found : undefined;
    },
    { timeoutMs: 10 * 60_000, intervalMs: 250, description: `${recipients} sends at RBM` },
  );
  const cpu = perRecipient(cpuBefore, await cpuSnapshot(harness), recipients);
  const cpuTotal = cpu.function + cpu.firestoreEmulator + cpu.pubsubEmulator + cpu.fakes;
  const start = new Date(created.startTime).getTime();
  const times = creates.map((call) => call.at.getTime());
  const dispatched = harness.cloudTasks
    .dispatches()
    .filter((record) => record.url.endsWith(`/${campaignId}:dispatch`) && record.attempt === 1)
    .map((record) => record.startedAt.getTime());
  const late = creates.map(
    (call) => call.at.getTime() - (start + ((ids.get(call.messageId ?? '') ?? 0) * 1000) / ratePerSecond),
  );
  const achieved = achievedRate(times);
  return {
    recipients,
    ratePerSecond,
    dispatchedPerSecond: Math.round(achievedRate(dispatched) * 10) / 10,
    achievedPerSecond: Math.round(achieved * 10) / 10,
    deviationPercent: Math.round(((achieved - ratePerSecond) / ratePerSecond) * 1000) / 10,
    maxWindowPercent: Math.round((maxWindowRate(times, 10_000) / ratePerSecond) * 1000) / 10,
    lateP50Ms: Math.round(percentile(late, 50)),
    lateP95Ms: Math.round(percentile(late, 95)),
    lateMaxMs: Math.round(percentile(late, 100)),
    cpuMsPerRecipient: cpu,
    ceilingPerSecond: Math.round((availableParallelism() * 1000) / cpuTotal),
  };
}

/** CPU used so far by each process a dispatch runs through. */
async function cpuSnapshot(harness: CampaignHarness): Promise<CpuPerRecipient> {
  const functionGroup = harness.campaigns().pid;
  const onPort = (host: string) => {
    const flag = `--port=${host.slice(host.lastIndexOf(':') + 1)}`;
    return (commandLine: string) => commandLine.startsWith('java ') && commandLine.includes(flag);
  };
  const firestore = onPort(harness.emulators.firestoreHost);
  const pubsub = onPort(harness.emulators.pubsubHost);
  const own = process.cpuUsage();
  return {
    function: await cpuMsOfProcesses((p) => p.processGroup === functionGroup),
    firestoreEmulator: await cpuMsOfProcesses((p) => firestore(p.commandLine)),
    pubsubEmulator: await cpuMsOfProcesses((p) => pubsub(p.commandLine)),
    fakes: (own.user + own.system) / 1000,
  };
}

function perRecipient(before: CpuPerRecipient, after: CpuPerRecipient, recipients: number): CpuPerRecipient {
  const per = (key: keyof CpuPerRecipient) => Math.round(((after[key] - before[key]) / recipients) * 10) / 10;
  return {
    function: per('function'),
    firestoreEmulator: per('firestoreEmulator'),
    pubsubEmulator: per('pubsubEmulator'),
    fakes: per('fakes'),
  };
}

/** A finished campaign of `records` recipients, written directly, then read through the function. */
async function measureProgressRead(harness: CampaignHarness, records: number): Promise<ProgressReadResult> {
  const campaignId = `bench-read-${records}-${Date.now().toString(36)}`;
  const now = new Date();
  const messages = harness.db.collection(COLLECTIONS.agentMessages);
  const phones = benchPhones(records, 2_000_000);
  const states = ['SENT', 'DELIVERED', 'READ', 'FAILED'];
  for (let from = 0; from < records; from += 400) {
    const batch = harness.db.batch();
    phones.slice(from, from + 400).forEach((phone, i) => {
      const messageId = campaignMessageId(campaignId, phone);
      batch.set(messages.doc(messageId), {
        messageId,
        agentId: AGENT_ID,
        phoneNumber: phone,
        state: states[(from + i) % states.length],
        campaignId,
        createdAt: now,
        updatedAt: now,
        attempts: 1,
      });
    });
    await batch.commit();
  }
  await harness.db
    .collection(COLLECTIONS.campaigns)
    .doc(campaignId)
    .set({
      campaignId,
      state: 'RUNNING',
      recipientCount: records,
      ratePerSecond: 100,
      startTime: now,
      createdAt: now,
      updatedAt: now,
      contentType: 'text',
      fallbackPolicy: 'none',
      chunkCount: Math.ceil(records / 1000),
      chunkSize: 1000,
      requestSha256: '-',
      agentMessageJson: JSON.stringify(MESSAGE),
    });
  const durations: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const answer = await fetch(`${harness.url}/v1/campaigns/${campaignId}`);
    const view = (await answer.json()) as { counts?: Record<string, number> };
    durations.push(performance.now() - started);
    if (view.counts?.NOT_DISPATCHED !== 0) throw new Error('the progress read did not count every record');
  }
  // One document read and eight aggregation queries (7 states, the enqueued chunks): see campaign-ops.ts.
  return {
    records,
    documentReads: 1,
    aggregationQueries: 8,
    medianMs: Math.round(percentile(durations, 50)),
  };
}

export function campaignsSection(results: CampaignBenchResults, run?: MeasuredRun): string {
  const { enqueue, pacing } = results;
  return [
    '## Campaigns',
    '',
    'The built campaigns function on the emulators, with the fake RBM and the fake Cloud Tasks',
    '(scripts/bench/campaigns.ts). Accept and enqueue: one POST, then every recipient task created by the chunk',
    'tasks; the campaign starts an hour later, so nothing is dispatched meanwhile.',
    ...(run
      ? [`Measured ${run.date} with \`${run.command}\`, campaigns served by Node ${run.functionsNode}.`]
      : []),
    '',
    table(
      ['recipients', 'body', 'accepted (202)', 'all tasks enqueued', 'tasks/s', 'peak RSS of the function'],
      [
        [
          enqueue.recipients.toLocaleString('en'),
          `${(enqueue.bodyBytes / 1024 / 1024).toFixed(2)} MiB`,
          `${enqueue.acceptMs} ms`,
          `${(enqueue.enqueueMs / 1000).toFixed(1)} s`,
          String(enqueue.tasksPerSecond),
          `${enqueue.peakRssMiB} MiB`,
        ],
      ],
    ),
    '',
    'Pacing, measured where the queue started each dispatch and where the fake RBM received each create',
    '(late: how long after its slot each recipient reached RBM; the busiest 10 s window as a share of the rate).',
    'The CPU columns are what each process spent per recipient while the campaign ran; the ceiling is the rate',
    "this machine's cores sustain at that cost. Where the rate asked for is above the ceiling, the queue still",
    'paces at the rate (dispatched column) and the recipients reach RBM at the ceiling, late but each once:',
    'the emulators, not the function, are then the bottleneck (see "What the campaign figures say").',
    '',
    table(
      [
        'recipients',
        'rate',
        'dispatched by the queue',
        'created at RBM',
        'deviation at RBM',
        'busiest 10 s',
        'late p50 / p95 / max',
        'CPU ms per recipient: function / Firestore / Pub/Sub / fakes',
        'ceiling here',
      ],
      pacing.map((row) => [
        row.recipients.toLocaleString('en'),
        `${row.ratePerSecond}/s`,
        `${row.dispatchedPerSecond}/s (${withinFivePercent(row.dispatchedPerSecond, row.ratePerSecond)})`,
        `${row.achievedPerSecond}/s`,
        `${row.deviationPercent}% (${withinFivePercent(row.achievedPerSecond, row.ratePerSecond)})`,
        `${row.maxWindowPercent}%`,
        `${row.lateP50Ms} / ${row.lateP95Ms} / ${row.lateMaxMs} ms`,
        [
          row.cpuMsPerRecipient.function,
          row.cpuMsPerRecipient.firestoreEmulator,
          row.cpuMsPerRecipient.pubsubEmulator,
          row.cpuMsPerRecipient.fakes,
        ].join(' / '),
        `${row.ceilingPerSecond}/s`,
      ]),
    ),
    '',
    'Firestore operations, counted in-process (scripts/bench/campaign-ops.ts); an aggregation query is billed one',
    'read per 1,000 index entries it counts.',
    '',
    table(
      [
        'phase',
        'reads',
        'writes',
        'aggregation queries',
        'per recipient: reads / writes / aggregations',
        'what',
      ],
      results.operations.map((row) => [
        row.phase,
        String(row.total.reads),
        String(row.total.writes),
        String(row.total.aggregations),
        `${row.perRecipient.reads} / ${row.perRecipient.writes} / ${row.perRecipient.aggregations}`,
        row.note,
      ]),
    ),
    '',
    'A progress read (GET) reads the same whatever the campaign size:',
    '',
    table(
      ['records', 'document reads', 'aggregation queries', 'median latency'],
      results.progressReads.map((row) => [
        row.records.toLocaleString('en'),
        String(row.documentReads),
        String(row.aggregationQueries),
        `${row.medianMs} ms`,
      ]),
    ),
    '',
  ].join('\n');
}

function withinFivePercent(achieved: number, rate: number): string {
  return Math.abs(achieved - rate) <= rate * 0.05 ? 'within ±5%' : 'outside ±5%';
}
