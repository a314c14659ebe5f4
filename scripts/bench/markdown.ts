/** BENCHMARKS.md from the measured results, the hand-written analysis (analysis.md) and the last soak report. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { formatCampaignReport, type CampaignSoakReport } from '../soak/campaign-report.js';
import { formatReport } from '../soak/report.js';
import type { SoakReport } from '../soak/run.js';
import type { BodyLimitRow } from './body-limits.js';
import type { BundleSize } from './bundles.js';
import { campaignsSection, type CampaignBenchResults } from './campaigns.js';
import type { ColdStartResult } from './cold-start.js';
import { firestoreOpsSection, type OperationRow } from './firestore-ops.js';
import { queryApiSection, type QueryApiBench } from './query-api.js';
import type { InboundRun } from './inbound-throughput.js';
import { table } from './markdown-table.js';
import type { MeasuredRun } from './measured-run.js';
import type { SendThroughputRow } from './send-throughput.js';

export interface BenchResults {
  date: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  durationSeconds: number;
  bundles: BundleSize[];
  coldStarts: ColdStartResult[];
  sendThroughput: SendThroughputRow[];
  inbound: InboundRun[];
  firestoreOps: OperationRow[];
  /** Absent from runs made before it was measured. */
  bodyLimits?: BodyLimitRow[];
  /** Absent from runs made before it was measured. */
  queryApi?: QueryApiBench;
  /** Set when the cold-start rows come from `--only cold-start` rather than from this run. */
  coldStartRun?: { date: string; command: string };
  /** Set when the send rows come from `--only send-concurrency` rather than from this run. */
  sendThroughputRun?: MeasuredRun;
  /** Absent from runs made before it was measured. */
  campaigns?: CampaignBenchResults;
  /** Set when the campaign figures come from `--only campaigns` rather than from this run. */
  campaignsRun?: MeasuredRun;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

async function optionalFile(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

const size = (bytes: number): string =>
  bytes < 2 ** 20 ? kib(bytes) : `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The oversized-body section: heading, what was measured, and the table. */
export function bodyLimitsSection(rows: readonly BodyLimitRow[]): string {
  return [
    '## Oversized request bodies (webhook bundle, 1 MiB limit)',
    '',
    'Each body sent once per repetition to a fresh, warmed-up instance; peak RSS growth is VmHWM during the request',
    'above VmRSS before it (largest over the repetitions); time is to the status line (median).',
    '',
    table(
      ['body', 'on the wire', 'decoded', 'answers', 'ms to status', 'peak RSS growth'],
      rows.map((r) => [
        r.body,
        size(r.wireBytes),
        size(r.decodedBytes),
        [...new Set(r.statuses)].join(', '),
        r.msToStatus,
        `${r.peakRssGrowthMiB} MiB`,
      ]),
    ),
    '',
  ].join('\n');
}

/**
 * The cold-start section: heading, what was measured, and the table. Ratios are of medians: to the hello-world
 * floor, and to the floor a function's first request is set against (a bare client-library or publisher call).
 */
export function coldStartSection(results: BenchResults): string {
  const rows = results.coldStarts;
  const ratio = (value: number | undefined, floor: number | undefined): string =>
    value !== undefined && floor !== undefined && Number.isFinite(value / floor)
      ? (value / floor).toFixed(2)
      : '–';
  const hello = rows.find((c) => c.name.startsWith('hello'));
  const libraryFloor = (c: ColdStartResult): string => {
    const floor = rows.find((candidate) => candidate.name === c.libraryFloor);
    if (floor === undefined) return '–';
    return `${ratio(c.summary.p50, floor.summary.p50)} / ${ratio(c.cpuSummary?.p50, floor.cpuSummary?.p50)}`;
  };
  const run = results.coldStartRun;
  return [
    '## Cold start (process spawn → first successful response)',
    '',
    `Median of ${rows[0]?.summary.n ?? 0} runs each, after one warm-up, variants interleaved. The first`,
    'request of a function does real work (Firestore write, RBM call, Pub/Sub publish), so client start-up is included.',
    'The library floors are bundles (built like the functions) whose first request only creates one Firestore',
    "document or publishes one Pub/Sub message, through the client library (gRPC, or REST: Firestore's `preferRest`,",
    "the Pub/Sub client's `fallback`) or through the project's publisher (one REST call). CPU ms is the user +",
    'system time of the process when it answered, which a loaded machine disturbs far less than the wall clock.',
    ...(run ? [`Measured ${run.date} with \`${run.command}\`.`] : []),
    '',
    table(
      [
        'variant',
        'median ms',
        'p95 ms',
        'min ms',
        'max ms',
        'CPU ms',
        '× floor',
        'CPU × floor',
        '× library floor (wall / CPU)',
      ],
      rows.map((c) => [
        c.name,
        c.summary.p50,
        c.summary.p95,
        c.summary.min,
        c.summary.max,
        c.cpuSummary?.p50 ?? '–',
        ratio(c.summary.p50, hello?.summary.p50),
        ratio(c.cpuSummary?.p50, hello?.cpuSummary?.p50),
        libraryFloor(c),
      ]),
    ),
    '',
  ].join('\n');
}

export async function renderMarkdown(results: BenchResults): Promise<string> {
  const analysis = await optionalFile(join(REPO_ROOT, 'scripts', 'bench', 'analysis.md'));
  const soakJson = await optionalFile(join(REPO_ROOT, 'docs', 'benchmarks', 'soak-5000.json'));
  const soak =
    soakJson === undefined
      ? undefined
      : (JSON.parse(soakJson) as SoakReport & { date?: string; command?: string });
  const campaignSoakJson = await optionalFile(
    join(REPO_ROOT, 'docs', 'benchmarks', 'soak-campaign-5000.json'),
  );
  const campaignSoak =
    campaignSoakJson === undefined
      ? undefined
      : (JSON.parse(campaignSoakJson) as CampaignSoakReport & { date: string; command: string });
  const m = results.machine;
  const sections = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (scripts/bench/); edit scripts/bench/analysis.md for the prose. -->',
    '',
    `- Date: ${results.date}`,
    `- Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.platform}`,
    `- Node: ${m.node}`,
    `- Command: \`${results.command}\` (took ${results.durationSeconds} s); raw numbers in \`docs/benchmarks/bench.json\``,
    '- Everything runs on this one machine: the gcloud Firestore and Pub/Sub emulators, the functions under',
    '  functions-framework, the fake RBM and the load generator share the CPUs. Absolute numbers are those of the',
    '  emulators, not of Cloud Functions; the ratios and the operation counts are the portable part.',
    '',
    coldStartSection(results),
    '### Bundle sizes (dist/)',
    '',
    table(
      ['function', 'index.js', 'gzip', 'biggest inputs'],
      results.bundles.map((b) => [
        b.name,
        kib(b.bytes),
        kib(b.gzipBytes),
        b.topPackages.map((p) => `${p.name} ${kib(p.bytes)}`).join(', '),
      ]),
    ),
    '',
    '## send: one instance against the fake RBM',
    '',
    'Closed loop (each worker sends its next request when the last one is answered), new message id per request,',
    'median-throughput repetition shown; "direct" is the same request sent straight to the fake RBM. Peak RSS is',
    "the send process's VmHWM during the runs; CPU is its user + system time divided by the requests it answered.",
    ...(results.sendThroughputRun
      ? [
          `Measured ${results.sendThroughputRun.date} with \`${results.sendThroughputRun.command}\`, send served by`,
          `Node ${results.sendThroughputRun.functionsNode}.`,
        ]
      : []),
    '',
    table(
      [
        'concurrency',
        'send req/s',
        'send p50 / p95 / p99 ms',
        'direct req/s',
        'direct p50 / p95 / p99 ms',
        'throughput ratio',
        'p50 ratio',
        'send peak RSS',
        'send CPU ms / request',
      ],
      results.sendThroughput.map((r) => [
        r.concurrency,
        r.send.requestsPerSecond,
        `${r.send.latencyMs.p50} / ${r.send.latencyMs.p95} / ${r.send.latencyMs.p99}`,
        r.direct.requestsPerSecond,
        `${r.direct.latencyMs.p50} / ${r.direct.latencyMs.p95} / ${r.direct.latencyMs.p99}`,
        `${r.throughputRatio}×`,
        `${r.p50Ratio}×`,
        r.peakRssMiB === undefined ? '–' : `${r.peakRssMiB} MiB`,
        r.cpuMsPerRequest ?? '–',
      ]),
    ),
    '',
    '## inbound: publish to rbm-inbound → record updated in Firestore',
    '',
    'DELIVERED events for records seeded as SENT, published with the Pub/Sub client; the emulator pushes them to one',
    'inbound instance (push subscription from Terraform). Latency is publish → inbound logged the event processed',
    '(after its Firestore write); every record is checked DELIVERED afterwards.',
    '',
    table(
      ['mode', 'events', 'offered/s', 'achieved events/s', 'latency p50 / p95 / p99 ms', 'all DELIVERED'],
      results.inbound.map((r) => [
        r.mode,
        r.events,
        r.offeredPerSecond ?? 'all at once',
        r.eventsPerSecond,
        `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99}`,
        r.allDelivered ? 'yes' : '**no**',
      ]),
    ),
    '',
    firestoreOpsSection(results.firestoreOps),
  ];
  if (results.bodyLimits) sections.push(bodyLimitsSection(results.bodyLimits));
  if (results.queryApi) sections.push(queryApiSection(results.queryApi));
  if (results.campaigns) sections.push(campaignsSection(results.campaigns, results.campaignsRun));
  if (analysis) sections.push(analysis.trim(), '');
  if (soak) {
    sections.push(
      `## Soak: ${soak.messages} messages`,
      '',
      `${soak.date ? `Run ${soak.date}` : 'Run'} with \`${soak.command ?? `npm run soak -- --messages ${soak.messages}`}\`; raw report in \`docs/benchmarks/soak-5000.json\`.`,
      '',
      '```',
      formatReport(soak),
      '```',
      '',
    );
  }
  if (campaignSoak) {
    sections.push(
      `## Soak: a campaign of ${campaignSoak.recipients} recipients`,
      '',
      `Run ${campaignSoak.date} with \`${campaignSoak.command}\`; raw report in \`docs/benchmarks/soak-campaign-5000.json\`.`,
      '',
      '```',
      formatCampaignReport(campaignSoak),
      '```',
      '',
    );
  }
  return sections.join('\n');
}
