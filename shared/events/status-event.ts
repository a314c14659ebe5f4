/** The status event published for every state change of an agent message. */
import type { AgentMessageRecord, MessageState, StoredError } from '../message-record.js';
import type { FallbackCertainty, FallbackReason } from '../fallback-decision.js';

/** A stored fallback decision as JSON. */
export interface FallbackJson {
  reason: FallbackReason;
  certainty: FallbackCertainty;
  decidedAt: string;
  deliveredAfter?: boolean;
}

export interface StatusEventData {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  state: MessageState;
  /** Null when the record was created directly in `state` (a refusal, an event for an unknown message). */
  previousState: MessageState | null;
  /** When the state became true, RFC 3339. */
  at: string;
  correlationId?: string;
  campaignId?: string;
  error?: StoredError;
  revokeFailed?: boolean;
  fallback?: FallbackJson;
}

export interface StatusEventAttributes {
  messageId: string;
  state: MessageState;
  eventKey: string;
  [name: string]: string;
}

export const statusEventKey = (messageId: string, state: MessageState) => `${messageId}/${state}`;

const STATE_TIMESTAMP: Readonly<Partial<Record<MessageState, keyof AgentMessageRecord>>> = {
  SENT: 'sentAt',
  DELIVERED: 'deliveredAt',
  READ: 'readAt',
  REVOKED: 'revokedAt',
  EXPIRED: 'expiredAt',
  FAILED: 'failedAt',
};

/**
 * The status event for the change from `before` to `after`, or undefined when the state did not change.
 * A new PENDING record is not a change: nothing has happened to the message yet.
 */
export function statusEventFor(
  before: AgentMessageRecord | undefined,
  after: AgentMessageRecord,
): StatusEventData | undefined {
  const previousState = before?.state ?? null;
  if (previousState === after.state) return undefined;
  if (previousState === null && after.state === 'PENDING') return undefined;
  const field = STATE_TIMESTAMP[after.state];
  const stateTime = field === undefined ? undefined : after[field];
  return {
    messageId: after.messageId,
    agentId: after.agentId,
    phoneNumber: after.phoneNumber,
    state: after.state,
    previousState,
    at: (stateTime instanceof Date ? stateTime : after.updatedAt).toISOString(),
    ...(after.correlationId === undefined ? {} : { correlationId: after.correlationId }),
    ...(after.campaignId === undefined ? {} : { campaignId: after.campaignId }),
    // A record keeps the last RBM error through later retries; only a failure is about that error.
    ...(after.state === 'FAILED' && after.error !== undefined ? { error: storedErrorJson(after.error) } : {}),
    ...(after.revokeFailed === true ? { revokeFailed: true } : {}),
    ...(after.fallback === undefined ? {} : { fallback: fallbackJson(after.fallback) }),
  };
}

export function statusEventAttributes(data: StatusEventData): StatusEventAttributes {
  return {
    messageId: data.messageId,
    state: data.state,
    eventKey: statusEventKey(data.messageId, data.state),
  };
}

export function fallbackJson(decision: NonNullable<AgentMessageRecord['fallback']>): FallbackJson {
  return {
    reason: decision.reason,
    certainty: decision.certainty,
    decidedAt: decision.decidedAt.toISOString(),
    ...(decision.deliveredAfter === true ? { deliveredAfter: true } : {}),
  };
}

function storedErrorJson(error: StoredError): StoredError {
  return {
    code: error.code,
    status: error.status,
    message: error.message,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
  };
}
