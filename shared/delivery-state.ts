/**
 * The delivery-state machine of an agent message (CONTRACT §5), as pure functions over plain records.
 *
 * A state has a rank; a fact can only raise it: PENDING 0 < SENT 1 < REVOKED = EXPIRED = FAILED 2 <
 * DELIVERED 3 < READ 4, and FAILED is entered only from PENDING. Each fact also fills its own timestamp
 * (once), so facts that arrive late or out of order are still recorded without moving the state back.
 * Applying the same fact twice gives the same record, which makes concurrent and duplicated deliveries safe.
 */

export const MESSAGE_STATES = [
  'PENDING',
  'SENT',
  'DELIVERED',
  'READ',
  'REVOKED',
  'EXPIRED',
  'FAILED',
] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export const STATE_RANK: Readonly<Record<MessageState, number>> = {
  PENDING: 0,
  SENT: 1,
  REVOKED: 2,
  EXPIRED: 2,
  FAILED: 2,
  DELIVERED: 3,
  READ: 4,
};

export interface StoredError {
  code: number;
  status: string;
  message: string;
}

export interface AgentMessageRecord {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  state: MessageState;
  contentType?: string;
  trafficType?: string;
  contentSha256?: string;
  createdAt: Date;
  updatedAt: Date;
  sentAt?: Date;
  deliveredAt?: Date;
  readAt?: Date;
  revokedAt?: Date;
  expiredAt?: Date;
  failedAt?: Date;
  /** RBM's resource name and send time, kept to answer replays. */
  name?: string;
  sendTime?: Date;
  expireTime?: Date;
  attempts: number;
  error?: StoredError;
  revokeFailed?: boolean;
  /** Ids of the RBM events already applied, so a redelivered event changes nothing. */
  appliedEventIds?: string[];
}

export type DeliveryFact =
  | { kind: 'sent'; at: Date; attempts: number; name?: string; sendTime?: Date; expireTime?: Date }
  | { kind: 'failed'; at: Date; attempts: number; error: StoredError }
  /** RBM could not be reached: the record stays where it is, with the error and the attempts made. */
  | { kind: 'unavailable'; attempts: number; error: StoredError }
  | { kind: 'revoked'; at: Date }
  | { kind: 'revokeFailed' }
  | { kind: 'delivered'; at: Date }
  | { kind: 'read'; at: Date }
  | { kind: 'expired'; at: Date };

type TimestampField = 'sentAt' | 'failedAt' | 'revokedAt' | 'deliveredAt' | 'readAt' | 'expiredAt';

const FACT_TARGET: Partial<Record<DeliveryFact['kind'], { state: MessageState; timestamp: TimestampField }>> =
  {
    sent: { state: 'SENT', timestamp: 'sentAt' },
    failed: { state: 'FAILED', timestamp: 'failedAt' },
    revoked: { state: 'REVOKED', timestamp: 'revokedAt' },
    delivered: { state: 'DELIVERED', timestamp: 'deliveredAt' },
    read: { state: 'READ', timestamp: 'readAt' },
    expired: { state: 'EXPIRED', timestamp: 'expiredAt' },
  };

/** The state after moving towards `target`: only ever up, and FAILED only from PENDING. */
export function nextState(current: MessageState, target: MessageState): MessageState {
  if (target === 'FAILED' && current !== 'PENDING') return current;
  return STATE_RANK[target] > STATE_RANK[current] ? target : current;
}

/** True once the message left PENDING: RBM has answered a create for it, one way or the other. */
export function isSettled(state: MessageState): boolean {
  return state !== 'PENDING';
}

/** The record after `fact`, or undefined when the fact changes nothing. */
export function applyFact(
  record: AgentMessageRecord,
  fact: DeliveryFact,
  now: Date,
): AgentMessageRecord | undefined {
  const next: AgentMessageRecord = { ...record };
  if (fact.kind === 'sent' || fact.kind === 'failed' || fact.kind === 'unavailable') {
    next.attempts = record.attempts + fact.attempts;
  }
  if (fact.kind === 'failed' || fact.kind === 'unavailable') next.error = fact.error;
  if (fact.kind === 'revokeFailed') next.revokeFailed = true;
  if (fact.kind === 'sent') {
    if (next.name === undefined && fact.name !== undefined) next.name = fact.name;
    if (next.sendTime === undefined && fact.sendTime !== undefined) next.sendTime = fact.sendTime;
    if (next.expireTime === undefined && fact.expireTime !== undefined) next.expireTime = fact.expireTime;
  }
  const target = FACT_TARGET[fact.kind];
  if (target) {
    const state = nextState(record.state, target.state);
    const entered = state !== record.state;
    // A fact is recorded when it happened, even if the state is already past it (READ before
    // DELIVERED fills deliveredAt); a FAILED that cannot be entered is not a fact about this message.
    const applies = fact.kind !== 'failed' || entered;
    if (applies && next[target.timestamp] === undefined && 'at' in fact) next[target.timestamp] = fact.at;
    next.state = state;
  }
  if (sameRecord(record, next)) return undefined;
  next.updatedAt = now;
  return next;
}

export interface DeliveryEvent {
  eventId: string;
  messageId: string;
  agentId: string;
  phoneNumber: string;
  fact: DeliveryFact;
}

const MAX_APPLIED_EVENT_IDS = 32;

/**
 * Applies an RBM event (DELIVERED, READ, TTL) to the record, creating the record when the message is
 * unknown (sent by other code, or the record was lost). A repeated event id changes nothing.
 */
export function applyDeliveryEvent(
  record: AgentMessageRecord | undefined,
  event: DeliveryEvent,
  now: Date,
): AgentMessageRecord | undefined {
  if (record?.appliedEventIds?.includes(event.eventId)) return undefined;
  const base: AgentMessageRecord = record ?? {
    messageId: event.messageId,
    agentId: event.agentId,
    phoneNumber: event.phoneNumber,
    state: 'SENT',
    createdAt: now,
    updatedAt: now,
    attempts: 0,
  };
  const applied = applyFact(base, event.fact, now) ?? { ...base, updatedAt: now };
  return {
    ...applied,
    appliedEventIds: [...(base.appliedEventIds ?? []), event.eventId].slice(-MAX_APPLIED_EVENT_IDS),
  };
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
