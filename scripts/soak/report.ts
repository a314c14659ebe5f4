/** The soak report as text (for the terminal and BENCHMARKS.md). */
import { formatOutcomes } from './outcome-report.js';
import type { SoakReport } from './run.js';

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function formatReport(report: SoakReport): string {
  const { summary: f, timings: t } = report;
  const states = Object.entries(f.records)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, count]) => `${state} ${count}`)
    .join(', ');
  const lines = [
    `soak: ${report.messages} messages to ${report.phones} phones (seed ${report.seed})`,
    `  time: stack ${s(t.startMs)}, load ${s(t.loadMs)}, drain ${s(t.drainMs)}, verify ${s(t.verifyMs)}`,
    `  sends: ${f.sends.answered200} × 200, ${f.sends.answered404} × 404, ${f.sends.clientRetries} client retries after 503, ` +
      `${f.sends.replayedResends} replayed resends; ${f.sends.sendsPerSecond} sends/s; ` +
      `latency p50 ${f.sends.latencyMs.p50} ms, p95 ${f.sends.latencyMs.p95} ms, p99 ${f.sends.latencyMs.p99} ms, max ${f.sends.latencyMs.max} ms`,
    `  revokes: ${f.revokes}`,
    `  fake RBM: ${f.rbm.createCalls} create calls, ${f.rbm.faultStatus} answered 429/503, ${f.rbm.faultHang} hung, ` +
      `${f.rbm.duplicateCreates} duplicates of a created id, ${f.rbm.successfulCreates} successful creates`,
    `  callbacks: ${f.callbacks.requests} requests (${f.callbacks.duplicateCopies} duplicate copies, reordered and delayed), ` +
      `${f.callbacks.attempts} attempts, ${f.callbacks.answered500} answered 500 (injected publish failures), ` +
      `${f.callbacks.neverAnswered200} never answered 200`,
    `  webhook: ${f.webhook.published} published to rbm-inbound, ${f.webhook.publishFaults} publish failures`,
    `  inbound: ${f.inbound.handled} Pub/Sub messages handled, ${f.inbound.transientFailures} transient failures redelivered`,
    `  records: ${states}`,
    `  user messages: ${f.userMessages.planned} sent, ${f.userMessages.stored} stored, ${f.userMessages.publishedMessages} published`,
    `  garbage: ${f.garbage.injected} injected, ${f.garbage.rejects} inboundRejects records`,
    // Reports stored before the outcome checks existed have none.
    ...(report.outcomes ? formatOutcomes(report.outcomes) : []),
    report.violations.length === 0
      ? '  verdict: PASS (no violations)'
      : `  verdict: FAIL, ${report.violations.length} violations:\n` +
        report.violations
          .slice(0, 50)
          .map((v) => `    [${v.check}] ${v.detail}`)
          .join('\n') +
        (report.violations.length > 50 ? `\n    … and ${report.violations.length - 50} more` : ''),
  ];
  return lines.join('\n');
}
