/**
 * One reconcile pass, bounded per call: publish the events whose publish was never confirmed, then run the
 * timer rules (docs/status-and-fallback.md#timers): a failed revoke or TTL revoke with no DELIVERED within
 * grace, a sent message past its expireTime plus grace, and PENDING records past the pending timeout are
 * revoked once, and RBM's answer decides the fallback. Idempotent: a record acted on is never due again.
 */
import type { AgentMessageRecord, DeliveryFact, RevokeAnswer } from '../delivery-state.js';
import type { PublishReport } from '../publishing/outcome-publisher.js';
import { unconfirmedEntries } from '../events/outbox.js';
import { dueTimerRule, type TimerRule, type TimerSettings } from '../fallback/timers.js';
import type { Logger } from '../log/logger.js';
import type { RbmOutcome } from '../rbm/client.js';
import type { MutationResult } from '../store/optimistic.js';

export interface ReconcileSettings extends TimerSettings {
  /** Events queued this long ago or more are published by reconcile (their writer's publish failed). */
  unconfirmedAfterMs: number;
  /** Records looked at per kind of work and call. */
  batchSize: number;
}

export interface ReconcileStore {
  withUnconfirmedEvents(queuedBy: Date, limit: number): Promise<AgentMessageRecord[]>;
  withTimerStartedBy(startedBy: Date, limit: number): Promise<AgentMessageRecord[]>;
  pendingCreatedBy(createdBy: Date, limit: number): Promise<AgentMessageRecord[]>;
  applyFact(messageId: string, fact: DeliveryFact): Promise<MutationResult<AgentMessageRecord>>;
}

export interface ReconcileDeps {
  store: ReconcileStore;
  rbm: { deleteAgentMessage(phoneNumber: string, messageId: string): Promise<RbmOutcome> };
  events: {
    afterWrite(result: MutationResult<AgentMessageRecord>): Promise<PublishReport>;
    queued(record: AgentMessageRecord, entries?: AgentMessageRecord['outbox']): Promise<PublishReport>;
  };
  logger: Logger;
  now?: () => Date;
}

export interface TimerSummary {
  /** Records whose rule was due. */
  due: number;
  /** RBM answered the revoke 200. */
  revoked: number;
  /** RBM answered 404. */
  notFound: number;
  /** RBM could not be reached or refused otherwise: tried again on a later pass. */
  deferred: number;
}

export interface ReconcileSummary {
  unconfirmed: { records: number; published: number; failed: number };
  timers: Record<TimerRule, TimerSummary>;
  /** True when a batch was full: more work is waiting for the next call. */
  moreWork: boolean;
}

const emptyTimers = (): TimerSummary => ({ due: 0, revoked: 0, notFound: 0, deferred: 0 });

export async function reconcile(settings: ReconcileSettings, deps: ReconcileDeps): Promise<ReconcileSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const summary: ReconcileSummary = {
    unconfirmed: { records: 0, published: 0, failed: 0 },
    timers: {
      afterFailedRevoke: emptyTimers(),
      afterExpireTime: emptyTimers(),
      pendingTimeout: emptyTimers(),
    },
    moreWork: false,
  };

  const queuedBy = new Date(now.getTime() - settings.unconfirmedAfterMs);
  const unconfirmed = await deps.store.withUnconfirmedEvents(queuedBy, settings.batchSize);
  summary.moreWork ||= unconfirmed.length === settings.batchSize;
  for (const record of unconfirmed) {
    const report = await deps.events.queued(record, unconfirmedEntries(record, queuedBy));
    summary.unconfirmed.records += 1;
    summary.unconfirmed.published += report.published;
    summary.unconfirmed.failed += report.failed;
  }

  const sent = await deps.store.withTimerStartedBy(
    new Date(now.getTime() - settings.graceMs),
    settings.batchSize,
  );
  const pending = await deps.store.pendingCreatedBy(
    new Date(now.getTime() - settings.pendingTimeoutMs),
    settings.batchSize,
  );
  summary.moreWork ||= sent.length === settings.batchSize || pending.length === settings.batchSize;
  for (const record of [...sent, ...pending]) {
    const rule = dueTimerRule(record, now, settings);
    if (rule === undefined) continue;
    const counts = summary.timers[rule];
    counts.due += 1;
    const answer = await revokeOnce(record, deps);
    if (answer === undefined) {
      counts.deferred += 1;
      continue;
    }
    counts[answer === 'revoked' ? 'revoked' : 'notFound'] += 1;
    const result = await deps.store.applyFact(record.messageId, {
      kind: 'timerRevoke',
      rule,
      answer,
      at: now,
    });
    await deps.events.afterWrite(result);
    deps.logger.info('Timer rule applied', {
      messageId: record.messageId,
      rule,
      answer,
      state: result.after?.state,
      fallback: result.after?.fallback?.reason,
    });
  }
  return summary;
}

/** RBM's answer to one more revoke: `undefined` when it gave none worth acting on (tried again later). */
async function revokeOnce(
  record: AgentMessageRecord,
  deps: ReconcileDeps,
): Promise<RevokeAnswer | undefined> {
  const outcome = await deps.rbm.deleteAgentMessage(record.phoneNumber, record.messageId);
  if (outcome.kind === 'ok') return 'revoked';
  if (outcome.kind === 'rejected' && outcome.status === 404) return 'notFound';
  deps.logger.warn('Timer revoke not answered; tried again on a later pass', {
    messageId: record.messageId,
    outcome: outcome.kind,
    rbmStatus: outcome.kind === 'rejected' ? outcome.status : outcome.error.code,
  });
  return undefined;
}
