/**
 * The delivery-state machine of an agent message, as pure functions over plain records.
 *
 * A state has a rank; a fact can only raise it: PENDING 0 < SENT 1 < REVOKED = EXPIRED = FAILED 2 <
 * DELIVERED 3 < READ 4, and FAILED is entered only from PENDING. Each fact also fills its own timestamp
 * (once), so facts that arrive late or out of order are still recorded without moving the state back.
 * Applying the same fact twice gives the same record, which makes concurrent and duplicated deliveries safe.
 *
 * The same transition makes the fallback decision the fact calls for and queues the events to publish
 * (the record's outbox), so a state, its decision and its events are always written together.
 */
import { withOutbox } from './events/outbox.js';
import { awaitingOutcome, fallbackVerdict } from './fallback/rules.js';
import { timerApplies } from './fallback/timers.js';
import {
  STATE_RANK,
  type AgentMessageRecord,
  type DeliveryFact,
  type MessageState,
  type StoredError,
} from './message-record.js';

export * from './message-record.js';
import { boundedId } from './document-ids.js';

type TimestampField = 'sentAt' | 'failedAt' | 'revokedAt' | 'deliveredAt' | 'readAt' | 'expiredAt';

interface FactTarget {
  state: MessageState;
  timestamp: TimestampField;
  at: Date;
}

/** The state a fact moves towards, if any, and the timestamp that records it. */
function targetOf(fact: DeliveryFact): FactTarget | undefined {
  switch (fact.kind) {
    case 'sent':
      return { state: 'SENT', timestamp: 'sentAt', at: fact.at };
    case 'failed':
      return { state: 'FAILED', timestamp: 'failedAt', at: fact.at };
    case 'revoked':
      return { state: 'REVOKED', timestamp: 'revokedAt', at: fact.at };
    case 'delivered':
      return { state: 'DELIVERED', timestamp: 'deliveredAt', at: fact.at };
    case 'read':
      return { state: 'READ', timestamp: 'readAt', at: fact.at };
    case 'expired':
      return { state: 'EXPIRED', timestamp: 'expiredAt', at: fact.at };
    case 'timerRevoke':
      if (fact.answer === 'revoked') return { state: 'REVOKED', timestamp: 'revokedAt', at: fact.at };
      // A create never answered and a revoke that finds nothing: the message never reached RBM.
      return fact.rule === 'pendingTimeout'
        ? { state: 'FAILED', timestamp: 'failedAt', at: fact.at }
        : undefined;
    case 'unavailable':
    case 'revokeFailed':
    case 'revokeRequested':
    case 'revokeRefused':
      return undefined;
  }
}

export const PENDING_TIMEOUT_ERROR: Readonly<StoredError> = {
  code: 504,
  status: 'DEADLINE_EXCEEDED',
  message: 'RBM never confirmed the message, and revoking it found nothing: it was not sent.',
  reason: 'PENDING_TIMEOUT',
};

/** The state after moving towards `target`: only ever up, and FAILED only from PENDING. */
export function nextState(current: MessageState, target: MessageState): MessageState {
  if (target === 'FAILED' && current !== 'PENDING') return current;
  return STATE_RANK[target] > STATE_RANK[current] ? target : current;
}

/**
 * The record after `fact`, with its fallback decision and its queued events, or undefined when the fact
 * changes nothing.
 */
export function applyFact(
  record: AgentMessageRecord,
  fact: DeliveryFact,
  now: Date,
): AgentMessageRecord | undefined {
  const next = transition(record, fact, now);
  return next === undefined ? undefined : withOutbox(record, next);
}

/** `applyFact` without the outbox. */
function transition(
  record: AgentMessageRecord,
  fact: DeliveryFact,
  now: Date,
): AgentMessageRecord | undefined {
  const next: AgentMessageRecord = { ...record };
  if (fact.kind === 'sent' || fact.kind === 'failed' || fact.kind === 'unavailable') {
    next.attempts = record.attempts + fact.attempts;
  }
  if (fact.kind === 'failed' || fact.kind === 'unavailable') next.error = fact.error;
  if (fact.kind === 'revokeFailed') markRevokeFailed(next, fact.at ?? now);
  if (fact.kind === 'sent') {
    if (next.name === undefined && fact.name !== undefined) next.name = fact.name;
    if (next.sendTime === undefined && fact.sendTime !== undefined) next.sendTime = fact.sendTime;
    if (next.expireTime === undefined && fact.expireTime !== undefined) next.expireTime = fact.expireTime;
  }
  if (fact.kind === 'timerRevoke' && timerApplies(fact.rule, record.state)) {
    next.timerRevoke ??= { rule: fact.rule, answer: fact.answer, at: fact.at };
    // A 404 to a revoke of a sent message is a failed revoke; for a PENDING one it means "never sent".
    if (fact.answer === 'notFound' && fact.rule !== 'pendingTimeout') markRevokeFailed(next, fact.at);
  }
  const target = targetOf(fact);
  if (target) {
    const state = nextState(record.state, target.state);
    const entered = state !== record.state;
    // A fact is recorded when it happened, even if the state is already past it (READ before
    // DELIVERED fills deliveredAt); a FAILED that cannot be entered is not a fact about this message.
    const applies = target.state !== 'FAILED' || entered;
    if (applies && next[target.timestamp] === undefined) next[target.timestamp] = target.at;
    if (entered && fact.kind === 'timerRevoke' && state === 'FAILED') {
      next.error = { ...PENDING_TIMEOUT_ERROR };
    }
    next.state = state;
  }
  trackRevokeRequest(next, fact);
  const verdict = fallbackVerdict(record, next, fact);
  if (verdict !== undefined) next.fallback = { ...verdict, decidedAt: now };
  if ((fact.kind === 'delivered' || fact.kind === 'read') && next.fallback && !next.fallback.deliveredAfter) {
    next.fallback = { ...next.fallback, deliveredAfter: true };
  }
  if (sameRecord(record, next)) return undefined;
  next.updatedAt = now;
  return next;
}

/**
 * The open revoke request: set when a revoke of a PENDING or SENT message is about to be asked, cleared by
 * its outcome (revoked, a 404, a refusal) or once the message has left PENDING and SENT, where nothing is
 * left to finish. A TTL revoke failure is RBM's own revoke, not an answer to this one.
 */
function trackRevokeRequest(next: AgentMessageRecord, fact: DeliveryFact): void {
  if (fact.kind === 'revokeRequested' && awaitingOutcome(next.state)) next.revokeRequestedAt = fact.at;
  const answered =
    fact.kind === 'revoked' ||
    fact.kind === 'revokeRefused' ||
    (fact.kind === 'revokeFailed' && fact.source !== 'ttl');
  if (answered || !awaitingOutcome(next.state)) delete next.revokeRequestedAt;
}

function markRevokeFailed(record: AgentMessageRecord, at: Date): void {
  record.revokeFailed = true;
  record.revokeFailedAt ??= at;
}

export interface DeliveryEvent {
  eventId: string;
  messageId: string;
  agentId: string;
  phoneNumber: string;
  fact: DeliveryFact;
}

const MAX_APPLIED_EVENT_IDS = 32;
/** Longer event ids are kept as a digest, so the list stays small whatever ids arrive. */
const MAX_APPLIED_EVENT_ID_BYTES = 128;

/**
 * Applies an RBM event (DELIVERED, READ, TTL) to the record, creating the record when the message is
 * unknown (sent by other code, or the record was lost). A repeated event id changes nothing.
 */
export function applyDeliveryEvent(
  record: AgentMessageRecord | undefined,
  event: DeliveryEvent,
  now: Date,
): AgentMessageRecord | undefined {
  const appliedId = boundedId(event.eventId, MAX_APPLIED_EVENT_ID_BYTES);
  if (record?.appliedEventIds?.includes(appliedId)) return undefined;
  const base: AgentMessageRecord = record ?? {
    messageId: event.messageId,
    agentId: event.agentId,
    phoneNumber: event.phoneNumber,
    state: 'SENT',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
  };
  const applied = transition(base, event.fact, now) ?? { ...base, updatedAt: now };
  return withOutbox(record, {
    ...applied,
    appliedEventIds: [...(base.appliedEventIds ?? []), appliedId].slice(-MAX_APPLIED_EVENT_IDS),
  });
}

function sameRecord(a: AgentMessageRecord, b: AgentMessageRecord): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof AgentMessageRecord>);
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x instanceof Date && y instanceof Date) {
      if (x.getTime() !== y.getTime()) return false;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}
