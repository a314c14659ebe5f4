/**
 * One reconcile pass, bounded per call: publish the events whose publish was never confirmed and the consent
 * changes left unpublished (their caller crashed or its publish failed, and no call for the phone came), then run the
 * timer rules (docs/status-and-fallback.md#timers): a failed revoke or TTL revoke with no DELIVERED within
 * grace, a sent message past its expireTime plus grace, and PENDING records past the pending timeout are
 * revoked once, and RBM's answer decides the fallback; a revoke request left open past grace (its outcome was
 * never written) is revoked once more and RBM's answer recorded as the revoke's own. Idempotent: a record
 * acted on is never due again.
 */
import type { AgentMessageRecord, DeliveryFact, RevokeAnswer } from '../delivery-state.js';
import type { PublishReport } from '../publishing/outcome-publisher.js';
import { publishPhoneConsentChanges } from '../publishing/consent-publisher.js';
import type { ConsentPublishClaims } from '../store/consents.js';
import type { Publish } from '../pubsub/publisher.js';
import { unconfirmedEntries } from '../events/outbox.js';
import { dueTimerRule, revokeRequestDue, type TimerRule, type TimerSettings } from '../fallback/timers.js';
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

/** Consent documents for reconcile: the query for phones left with unpublished changes, and their claims. */
export interface ReconcileConsentStore<V = unknown> extends ConsentPublishClaims<V> {
  /** Phones whose oldest unpublished change was recorded at `by` or before, oldest first. */
  phonesWithUnpublishedChanges(by: Date, limit: number): Promise<string[]>;
}

export interface ReconcileConsentDeps<V = unknown> {
  store: ReconcileConsentStore<V>;
  publish: Publish;
  topicId: string;
  /** The lease of reconcile's claim on a phone's changes. */
  claimLeaseMs: number;
}

export interface ReconcileDeps {
  store: ReconcileStore;
  /** Without it (callers with no consent topic) the consent sweep is skipped. */
  consents?: ReconcileConsentDeps;
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

export interface RevokeRequestSummary {
  /** SENT records whose revoke request was still open after grace. */
  due: number;
  /** RBM answered 200: now REVOKED. */
  revoked: number;
  /** RBM answered 404: recorded as a failed revoke. */
  notFound: number;
  /** RBM refused otherwise: the request is closed. */
  refused: number;
  /** RBM could not be reached: tried again on a later pass. */
  deferred: number;
}

export interface ReconcileSummary {
  unconfirmed: { records: number; published: number; failed: number };
  /**
   * Phones found with consent changes unpublished past `unconfirmedAfterMs`: changes published, phones left
   * to a live claim of another caller, phones whose publish failed (tried again on a later pass).
   */
  consents: { phones: number; published: number; heldByAnother: number; failed: number };
  timers: Record<TimerRule, TimerSummary>;
  revokeRequests: RevokeRequestSummary;
  /** True when a batch was full: more work is waiting for the next call. */
  moreWork: boolean;
}

const emptyTimers = (): TimerSummary => ({ due: 0, revoked: 0, notFound: 0, deferred: 0 });

export async function reconcile(settings: ReconcileSettings, deps: ReconcileDeps): Promise<ReconcileSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const summary: ReconcileSummary = {
    unconfirmed: { records: 0, published: 0, failed: 0 },
    consents: { phones: 0, published: 0, heldByAnother: 0, failed: 0 },
    timers: {
      afterFailedRevoke: emptyTimers(),
      afterExpireTime: emptyTimers(),
      pendingTimeout: emptyTimers(),
    },
    revokeRequests: { due: 0, revoked: 0, notFound: 0, refused: 0, deferred: 0 },
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

  if (deps.consents !== undefined) {
    const phones = await deps.consents.store.phonesWithUnpublishedChanges(queuedBy, settings.batchSize);
    summary.moreWork ||= phones.length === settings.batchSize;
    for (const phoneNumber of phones) {
      await publishLeftConsents(phoneNumber, deps.consents, summary.consents, deps.logger);
    }
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
    if (revokeRequestDue(record, now, settings)) {
      await finishRevokeRequest(record, now, deps, summary.revokeRequests);
      continue;
    }
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

/**
 * A revoke whose outcome was never written: revoke once more and record RBM's answer as the revoke itself
 * would have (200 revoked, 404 a failed revoke, another refusal closes the request).
 */
async function finishRevokeRequest(
  record: AgentMessageRecord,
  now: Date,
  deps: ReconcileDeps,
  counts: RevokeRequestSummary,
): Promise<void> {
  counts.due += 1;
  const outcome = await deps.rbm.deleteAgentMessage(record.phoneNumber, record.messageId);
  let fact: DeliveryFact;
  if (outcome.kind === 'ok') {
    counts.revoked += 1;
    fact = { kind: 'revoked', at: now };
  } else if (outcome.kind === 'rejected' && outcome.status === 404) {
    counts.notFound += 1;
    fact = { kind: 'revokeFailed', source: 'revoke', at: now };
  } else if (outcome.kind === 'rejected') {
    counts.refused += 1;
    fact = { kind: 'revokeRefused' };
  } else {
    counts.deferred += 1;
    deps.logger.warn('Open revoke request not answered; tried again on a later pass', {
      messageId: record.messageId,
      rbmStatus: outcome.error.code,
    });
    return;
  }
  const result = await deps.store.applyFact(record.messageId, fact);
  await deps.events.afterWrite(result);
  deps.logger.info('Open revoke request finished', {
    messageId: record.messageId,
    answer: fact.kind,
    state: result.after?.state,
  });
}

/** One phone's unpublished consent changes, under a claim of reconcile's own (a live claim of another is left). */
async function publishLeftConsents(
  phoneNumber: string,
  consents: ReconcileConsentDeps,
  counts: ReconcileSummary['consents'],
  logger: Logger,
): Promise<void> {
  counts.phones += 1;
  try {
    const report = await publishPhoneConsentChanges(phoneNumber, {
      consents: consents.store,
      publish: consents.publish,
      topicId: consents.topicId,
      claimLeaseMs: consents.claimLeaseMs,
    });
    counts.published += report.published;
    if (report.leftToHolder) counts.heldByAnother += 1;
  } catch (error) {
    // What went out is confirmed; the rest stays listed with its timestamp for a later pass.
    counts.failed += 1;
    logger.warn('Consent changes left unpublished; tried again on a later pass', { err: error });
  }
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
