/**
 * Sending agent events (READ, IS_TYPING) through RBM with send's retry rules. The event id is chosen as send
 * chooses a message id: the caller's, else one derived from the Idempotency-Key, else for READ one derived
 * from the user's message id (every READ of a message is the same event, so RBM ignores repeats), else new.
 * A READ that RBM accepted is noted on the user's message (`readByAgentAt`) when it is stored.
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { isValidIdempotencyKey, messageIdForIdempotencyKey, newMessageId, readEventIdFor } from '../ids.js';
import { dateFrom } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { checkAgentId, checkPhoneNumber } from '../outbound/request-checks.js';
import { isUuid } from '../ids.js';
import { checkQueryNames, singleValue, type QueryValues } from '../query/params.js';
import type { AgentEventCallOptions, RbmAgentEvent, RbmError, RbmOutcome } from '../rbm/client.js';
import { parseAgentEvent } from './agent-event.js';

/** The event id used, on every answer to a valid request (a retry with it is ignored by RBM). */
export const EVENT_ID_HEADER = 'Rbm-Event-Id';

/** A typing indicator is worth nothing once late: its call, retries included, ends within this. */
export const IS_TYPING_RETRY_MS = 5_000;

export interface AgentEventPort {
  sendAgentEvent(
    phoneNumber: string,
    eventId: string,
    event: RbmAgentEvent,
    options?: AgentEventCallOptions,
  ): Promise<RbmOutcome>;
}

/** Notes the agent's READ on the stored user message; resolves to whether the message was stored. */
export type RecordReadByAgent = (userMessageId: string, at: Date) => Promise<boolean>;

export interface AgentEventDeps {
  agentId: string;
  rbm: AgentEventPort;
  recordReadByAgent: RecordReadByAgent;
  logger: Logger;
  now?: () => Date;
}

export interface AgentEventRequest {
  phoneNumber: string;
  /** `eventId` and `agentId`, as RBM's own path takes them. */
  query: QueryValues;
  idempotencyKey: string | undefined;
  body: unknown;
}

/** What became of a valid request; `eventId` is the id used, always. */
export type AgentEventOutcome =
  /** RBM accepted it: its AgentEvent answer. */
  | { kind: 'sent'; eventId: string; body: Record<string, unknown> }
  /** RBM refused it (404: the phone is not on RCS). */
  | { kind: 'rejected'; eventId: string; status: number; error: RbmError }
  /** RBM could not be reached within the retry budget. */
  | { kind: 'rbmUnavailable'; eventId: string; attempts: number; rbmStatus: string };

/** The event id of a request (see the module comment). */
export function chooseEventId(
  agentId: string,
  event: RbmAgentEvent,
  given: { eventId: string | undefined; idempotencyKey: string | undefined },
): string {
  if (given.eventId !== undefined) return given.eventId;
  if (given.idempotencyKey !== undefined) return messageIdForIdempotencyKey(agentId, given.idempotencyKey);
  if (event.eventType === 'READ') return readEventIdFor(agentId, event.messageId);
  return newMessageId();
}

/** `POST /v1/phones/{E.164}/agentEvents`: checks the whole request, then sends. */
export async function sendAgentEvent(
  request: AgentEventRequest,
  deps: AgentEventDeps,
): Promise<AgentEventOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['eventId', 'agentId'], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  const eventId = singleValue(request.query, 'eventId', violations);
  if (eventId !== undefined && !isUuid(eventId)) {
    violations.push({ field: 'eventId', description: 'must be an RFC 4122 UUID.' });
  }
  checkAgentId(singleValue(request.query, 'agentId', violations), deps.agentId, violations);
  if (request.idempotencyKey !== undefined && !isValidIdempotencyKey(request.idempotencyKey)) {
    violations.push({ field: 'Idempotency-Key', description: 'must be 1 to 256 printable characters.' });
  }
  const event = parseAgentEvent(request.body, violations);
  if (event === undefined || violations.length > 0) throw ApiError.invalidArgument(violations);
  const chosen = chooseEventId(deps.agentId, event, { eventId, idempotencyKey: request.idempotencyKey });
  return deliver(request.phoneNumber, chosen, event, deps);
}

/**
 * The READ of a user's message, with the deterministic event id: what inbound sends for each new user message
 * when automatic reads are on. `rbmUnavailable` is transient (retry later; RBM ignores the repeat).
 */
export async function sendReadEvent(
  request: { phoneNumber: string; userMessageId: string },
  deps: AgentEventDeps,
): Promise<AgentEventOutcome> {
  const event: RbmAgentEvent = { eventType: 'READ', messageId: request.userMessageId };
  return deliver(request.phoneNumber, readEventIdFor(deps.agentId, request.userMessageId), event, deps);
}

async function deliver(
  phoneNumber: string,
  eventId: string,
  event: RbmAgentEvent,
  deps: AgentEventDeps,
): Promise<AgentEventOutcome> {
  const logger = deps.logger.child({ eventId, eventType: event.eventType });
  const options = event.eventType === 'IS_TYPING' ? { maxRetryMs: IS_TYPING_RETRY_MS } : {};
  const outcome = await deps.rbm.sendAgentEvent(phoneNumber, eventId, event, options);
  switch (outcome.kind) {
    case 'ok': {
      if (event.eventType === 'READ') {
        // RBM's sendTime, so a repeated READ (answered with the original event) writes the same instant.
        const at = dateFrom(outcome.body.sendTime) ?? (deps.now ?? (() => new Date()))();
        const stored = await deps.recordReadByAgent(event.messageId, at);
        logger.info('Agent event sent', { attempt: outcome.attempts, userMessageStored: stored });
      } else {
        logger.info('Agent event sent', { attempt: outcome.attempts });
      }
      return { kind: 'sent', eventId, body: outcome.body };
    }
    case 'rejected':
      logger.info('Agent event rejected by RBM', { rbmStatus: outcome.status, attempt: outcome.attempts });
      return { kind: 'rejected', eventId, status: outcome.status, error: outcome.error };
    case 'unavailable':
      logger.warn('Agent event not sent: RBM unavailable', { attempt: outcome.attempts });
      return {
        kind: 'rbmUnavailable',
        eventId,
        attempts: outcome.attempts,
        rbmStatus: outcome.error.status,
      };
  }
}
