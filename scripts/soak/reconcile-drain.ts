/**
 * The drain's last step: POST to the served reconcile, as Cloud Scheduler would, until nothing is left for it.
 * A pass that did something is followed by another (its batches are bounded, and its revokes may start
 * deliveries: revoke races); once a pass does nothing, the records tell whether a timer or an unconfirmed event
 * is still to fall due, and the drain waits for that moment and goes on.
 */
import type { Firestore } from '@google-cloud/firestore';
import type { AgentMessageRecord } from '../../shared/delivery-state.js';
import { revokeRequestDueAt, scheduledTimer, type TimerSettings } from '../../shared/fallback/timers.js';
import type { ReconcileSummary } from '../../shared/reconcile/reconcile.js';
import { readRecords } from './records.js';
import { pollUntil } from './util.js';

export interface ReconcileDrainSettings extends TimerSettings {
  /** reconcile's `RBM_RECONCILE_UNCONFIRMED_AFTER_S`, in ms. */
  readonly unconfirmedAfterMs: number;
}

export interface ReconcileDrainOptions {
  readonly reconcileUrl: string;
  readonly db: Firestore;
  readonly settings: ReconcileDrainSettings;
  /** Resolves once RBM's callbacks and inbound's work have settled (run between rounds). */
  readonly settle: () => Promise<void>;
  readonly timeoutMs: number;
  readonly progress?: (line: string) => void;
}

/** What reconcile reported, summed over the passes (JSON-serialisable). */
export interface ReconcileDrainReport {
  passes: number;
  /** Records whose queued events reconcile published, and how many events. */
  republishedRecords: number;
  republishedEvents: number;
  timerRevokes: { due: number; revoked: number; notFound: number; deferred: number };
}

/** Work a reconcile pass did (or found waiting in a full batch). */
export function passDidWork(summary: ReconcileSummary): boolean {
  const timers = Object.values(summary.timers);
  return (
    summary.moreWork ||
    summary.unconfirmed.records > 0 ||
    summary.consents.phones > 0 ||
    timers.some((timer) => timer.due > 0) ||
    summary.revokeRequests.due > 0
  );
}

/** When the next piece of reconcile's work falls due, from the records; undefined when none is left. */
export function nextDueAt(
  records: Iterable<AgentMessageRecord>,
  settings: ReconcileDrainSettings,
): Date | undefined {
  let next: number | undefined;
  const consider = (at: number) => {
    next = next === undefined ? at : Math.min(next, at);
  };
  for (const record of records) {
    const timer = scheduledTimer(record, settings);
    if (timer) consider(timer.dueAt.getTime());
    const revokeRequest = revokeRequestDueAt(record, settings);
    if (revokeRequest) consider(revokeRequest.getTime());
    for (const entry of record.outbox ?? [])
      consider(Date.parse(entry.queuedAt) + settings.unconfirmedAfterMs);
  }
  return next === undefined ? undefined : new Date(next);
}

/** Due work a pass leaves undone for this long is work reconcile does not see. */
const OVERDUE_MS = 10_000;

async function postReconcile(url: string): Promise<ReconcileSummary> {
  const response = await fetch(`${url}/`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`reconcile answered ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as ReconcileSummary;
}

export async function drainReconcile(options: ReconcileDrainOptions): Promise<ReconcileDrainReport> {
  const deadline = Date.now() + options.timeoutMs;
  const report: ReconcileDrainReport = {
    passes: 0,
    republishedRecords: 0,
    republishedEvents: 0,
    timerRevokes: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
  };
  const pass = async (): Promise<boolean> => {
    if (Date.now() > deadline) throw new Error(`reconcile still had work after ${options.timeoutMs} ms`);
    const summary = await postReconcile(options.reconcileUrl);
    report.passes += 1;
    report.republishedRecords += summary.unconfirmed.records;
    report.republishedEvents += summary.unconfirmed.published;
    for (const timer of Object.values(summary.timers)) {
      report.timerRevokes.due += timer.due;
      report.timerRevokes.revoked += timer.revoked;
      report.timerRevokes.notFound += timer.notFound;
      report.timerRevokes.deferred += timer.deferred;
    }
    return passDidWork(summary);
  };
  for (;;) {
    await options.settle();
    let worked = false;
    while (await pass()) worked = true;
    if (worked) continue;
    const dueAt = nextDueAt((await readRecords(options.db)).values(), options.settings);
    if (dueAt === undefined) return report;
    if (dueAt.getTime() < Date.now() - OVERDUE_MS) {
      throw new Error(`reconcile reports no work, yet work has been due since ${dueAt.toISOString()}`);
    }
    options.progress?.(`reconcile: next work due at ${dueAt.toISOString()}`);
    // Waiting for a clock: the due time is known, nothing else signals it.
    await pollUntil(() => (Date.now() > dueAt.getTime() + 100 ? true : undefined), {
      timeoutMs: Math.max(1, deadline - Date.now()),
      intervalMs: 100,
      description: 'the next reconcile work to fall due',
    });
  }
}
