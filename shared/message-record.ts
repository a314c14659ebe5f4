/**
 * The agent-message record and the facts that change it, as types: what the state machine
 * (delivery-state.ts), the fallback rules, the events and the store all speak. Kept apart so those modules
 * depend on the shape, not on each other (docs/data-model.md).
 */
import type { FallbackDecision, FallbackPolicy, TimerRule } from './fallback-decision.js';

/** An event queued on the record with the write that caused it; the events module gives `data` its shape. */
export interface OutboxEntry {
  eventKey: string;
  topic: 'status' | 'fallback';
  data: Record<string, unknown>;
  attributes: Record<string, string>;
  /** RFC 3339. */
  queuedAt: string;
}

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
  /** Why the project itself refused or gave up, e.g. `RECIPIENT_UNSUBSCRIBED`, `PENDING_TIMEOUT`. */
  reason?: string;
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
  /** When the project first learned that a revoke failed: grace periods count from here. */
  revokeFailedAt?: Date;
  /**
   * When a revoke was last requested and its outcome not yet recorded: written before RBM is asked, cleared
   * by the outcome (or once the message leaves SENT/PENDING), so reconcile can finish a revoke whose
   * outcome write was lost (docs/status-and-fallback.md#timers).
   */
  revokeRequestedAt?: Date;
  /** The send request's `Correlation-Id` and `Idempotency-Key` headers. */
  correlationId?: string;
  idempotencyKey?: string;
  /** Absent means `none`. */
  fallbackPolicy?: FallbackPolicy;
  fallback?: FallbackDecision;
  campaignId?: string;
  /** Reconcile's own revoke of the message, made once when a timer rule fell due. */
  timerRevoke?: { rule: TimerRule; answer: RevokeAnswer; at: Date };
  /** Events written with the record and not yet confirmed published (internal, never returned by APIs). */
  outbox?: OutboxEntry[];
  /** When Firestore's TTL policy deletes the record (creation time plus the retention; internal). */
  deleteAt?: Date;
  /** Ids of the RBM events already applied, so a redelivered event changes nothing. */
  appliedEventIds?: string[];
}

/** RBM's answer to a revoke: 200, or 404 (delivered, or never there). */
export type RevokeAnswer = 'revoked' | 'notFound';

export type DeliveryFact =
  | { kind: 'sent'; at: Date; attempts: number; name?: string; sendTime?: Date; expireTime?: Date }
  | { kind: 'failed'; at: Date; attempts: number; error: StoredError }
  /** RBM could not be reached: the record stays where it is, with the error and the attempts made. */
  | { kind: 'unavailable'; attempts: number; error: StoredError }
  | { kind: 'revoked'; at: Date }
  /** A revoke is about to be asked of RBM: its outcome is unknown until a fact about it is recorded. */
  | { kind: 'revokeRequested'; at: Date }
  /** RBM refused a revoke for good with an answer other than 404: nothing to finish. */
  | { kind: 'revokeRefused' }
  /**
   * A revoke answered 404 (`source: 'revoke'`, the default) or a TTL_EXPIRATION_REVOKE_FAILED
   * (`source: 'ttl'`); `at` is when the project learned of it (default: now).
   */
  | { kind: 'revokeFailed'; source?: 'revoke' | 'ttl'; at?: Date }
  | { kind: 'delivered'; at: Date }
  | { kind: 'read'; at: Date }
  | { kind: 'expired'; at: Date }
  /** The answer to reconcile's revoke, made because `rule` fell due. */
  | { kind: 'timerRevoke'; rule: TimerRule; answer: RevokeAnswer; at: Date };
