/**
 * The project's own timers, for messages whose outcome RBM may never report: reconcile asks which rule is
 * due for a record, revokes the message once, and applies the answer as a `timerRevoke` fact.
 */
import type { TimerRule } from '../fallback-decision.js';
import type { AgentMessageRecord } from '../message-record.js';

export { TIMER_RULES, type TimerRule } from '../fallback-decision.js';

export interface TimerSettings {
  /** How long to wait for a DELIVERED before a timer rule fires (`RBM_FALLBACK_GRACE_S`). */
  graceMs: number;
  /** Age after which a PENDING record is resolved (`RBM_PENDING_TIMEOUT_S`). */
  pendingTimeoutMs: number;
}

export interface ScheduledTimer {
  rule: TimerRule;
  dueAt: Date;
}

/**
 * The timer that applies to `record` and when it falls due, or undefined when none ever will: a message
 * with a known outcome (delivered, revoked, expired, failed), one that reconcile already revoked, or one
 * with a decision (but a failed revoke), needs no timer.
 */
export function scheduledTimer(
  record: AgentMessageRecord,
  settings: TimerSettings,
): ScheduledTimer | undefined {
  if (record.timerRevoke !== undefined) return undefined;
  if (record.state === 'SENT' && record.revokeFailed === true) {
    // Revoked once more even when a decision came at once (EXPIRY_UNCONFIRMED under critical): the SMS is
    // on its way, and an RCS message RBM can still take back must not arrive after it. The decision stays.
    // Records written before revokeFailedAt existed count from their last change.
    const learnedAt = record.revokeFailedAt ?? record.updatedAt;
    return { rule: 'afterFailedRevoke', dueAt: after(learnedAt, settings.graceMs) };
  }
  if (record.fallback !== undefined) return undefined;
  if (record.state === 'PENDING') {
    return { rule: 'pendingTimeout', dueAt: after(record.createdAt, settings.pendingTimeoutMs) };
  }
  if (record.state !== 'SENT') return undefined;
  if (record.expireTime !== undefined) {
    return { rule: 'afterExpireTime', dueAt: after(record.expireTime, settings.graceMs) };
  }
  return undefined;
}

/** The rule reconcile should act on for `record` at `now`, if one is due (from its due time on). */
export function dueTimerRule(
  record: AgentMessageRecord,
  now: Date,
  settings: TimerSettings,
): TimerRule | undefined {
  const timer = scheduledTimer(record, settings);
  return timer !== undefined && now.getTime() >= timer.dueAt.getTime() ? timer.rule : undefined;
}

/**
 * When a SENT record's open revoke request falls due: a grace after it was made, so a revoke still in
 * flight is not asked twice. Reconcile then revokes once and records RBM's answer, as the revoke itself
 * would have. A PENDING record needs none: the pending timeout revokes it anyway.
 */
export function revokeRequestDueAt(record: AgentMessageRecord, settings: TimerSettings): Date | undefined {
  if (record.state !== 'SENT' || record.revokeRequestedAt === undefined) return undefined;
  return after(record.revokeRequestedAt, settings.graceMs);
}

/** Whether reconcile should finish `record`'s open revoke request at `now`. */
export function revokeRequestDue(record: AgentMessageRecord, now: Date, settings: TimerSettings): boolean {
  const dueAt = revokeRequestDueAt(record, settings);
  return dueAt !== undefined && now.getTime() >= dueAt.getTime();
}

/**
 * When a SENT record's earliest piece of timed work (its timer rule or its open revoke request) starts
 * counting: the store's derived `timerAt`, which reconcile queries with the grace subtracted.
 */
export function timerStartAt(record: AgentMessageRecord): Date | undefined {
  if (record.state !== 'SENT') return undefined;
  const none = { graceMs: 0, pendingTimeoutMs: 0 };
  const starts = [revokeRequestDueAt(record, none), scheduledTimer(record, none)?.dueAt].filter(
    (at): at is Date => at !== undefined,
  );
  return starts.length === 0 ? undefined : new Date(Math.min(...starts.map((at) => at.getTime())));
}

/**
 * Whether a rule can act on a record in `state`: a state may have moved on between reconcile reading the
 * record and applying its revoke's answer, and a stale answer must not be taken for the current one.
 */
export function timerApplies(rule: TimerRule, state: AgentMessageRecord['state']): boolean {
  return rule === 'pendingTimeout' ? state === 'PENDING' : state === 'SENT';
}

const after = (start: Date, ms: number) => new Date(start.getTime() + ms);
