/**
 * Sending an agent message: validate, check consent, record PENDING, call RBM, record the outcome and
 * publish its events. The message id is the idempotency key end to end: a retried request never sends a
 * second message, and a replay answers from the record without calling RBM. See docs/http-api.md#send.
 */
import { contentTypeOf } from '../agent-message/content-type.js';
import type { AgentMessage } from '../agent-message/types.js';
import { validateAgentMessage } from '../agent-message/validate.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Consent } from '../consent/consent-rules.js';
import { consentRefusal, type ConsentMode } from '../consent/send-gate.js';
import type { AgentMessageRecord, DeliveryFact, StoredError } from '../delivery-state.js';
import { ApiError, type FieldViolation } from '../errors.js';
import type { PublishReport } from '../publishing/outcome-publisher.js';
import { withOutbox } from '../events/outbox.js';
import { CONSENT_REFUSAL_REASON } from '../fallback/rules.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { isValidIdempotencyKey, messageIdForIdempotencyKey, newMessageId } from '../ids.js';
import { dateFrom } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import type { MutationResult } from '../store/optimistic.js';
import type { AgentMessagePort, RbmMessaging } from './ports.js';
import { checkAgentId, checkMessageId, checkPhoneNumber } from './request-checks.js';
import { parseSendHeaders } from './send-headers.js';

export interface SendRequest {
  phoneNumber: string;
  messageId: string | undefined;
  agentId: string | undefined;
  idempotencyKey: string | undefined;
  /** Raw `Correlation-Id` and `Fallback-Policy` headers. */
  correlationId?: string | undefined;
  fallbackPolicy?: string | undefined;
  /** Set by campaign dispatch. */
  campaignId?: string;
  body: unknown;
  /**
   * Set by campaign dispatch: a body that no longer validates is recorded FAILED with this error (attempts 0,
   * RBM not called), as a consent refusal is, instead of being refused with 400. A campaign's message was valid
   * when stored; what fails later is time (its expireTime went by while its task waited or was retried).
   */
  failInvalidAs?: (violations: FieldViolation[]) => StoredError;
}

export interface SendDeps {
  agentId: string;
  store: AgentMessagePort;
  rbm: RbmMessaging;
  logger: Logger;
  /** The consent gate; without it every send passes. */
  consent?: { mode: ConsentMode; get(phoneNumber: string): Promise<Consent | undefined> };
  /** Publishes the events a write queued; without it they stay queued for reconcile. */
  events?: { afterWrite(result: MutationResult<AgentMessageRecord>): Promise<PublishReport> };
  /** Told when RBM answers 404 (the phone is not on RCS), to keep the capability cache true. */
  onNotReachable?: (phoneNumber: string) => Promise<void>;
  now?: () => Date;
}

/** What became of a valid send request; `messageId` is the id chosen for it, always. */
export type SendOutcome =
  /** RBM accepted it now (`body` is RBM's answer), or earlier (`replayed`, body from the record). */
  | { kind: 'sent'; messageId: string; body: Record<string, unknown>; replayed: boolean }
  /** RBM refused it now, or earlier (`replayed`): its status and error. */
  | { kind: 'rejected'; messageId: string; status: number; error: RbmError; replayed: boolean }
  /** The recipient unsubscribed and the consent mode blocks this traffic type; RBM was not called. */
  | { kind: 'unsubscribed'; messageId: string; replayed: boolean }
  /** The id was already used for a different request. */
  | { kind: 'idConflict'; messageId: string }
  /** RBM could not be reached within the retry budget; the record stays PENDING. */
  | { kind: 'rbmUnavailable'; messageId: string; attempts: number; rbmStatus: string }
  /** Storage failed; the caller retries with the same id and nothing is sent twice. */
  | { kind: 'storageUnavailable'; messageId: string }
  /** Anything else failed once the id was chosen (logged as an error); the same id makes a retry safe. */
  | { kind: 'internalError'; messageId: string };

export const UNSUBSCRIBED_ERROR: Readonly<StoredError> = {
  code: 400,
  status: 'FAILED_PRECONDITION',
  message: 'The recipient has unsubscribed from this agent; the message was not sent.',
  reason: CONSENT_REFUSAL_REASON,
};

/** The answer to a refused send: 400 FAILED_PRECONDITION with an ErrorInfo naming the reason. */
export function unsubscribedError(): ApiError {
  return new ApiError(400, UNSUBSCRIBED_ERROR.message, 'FAILED_PRECONDITION', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: CONSENT_REFUSAL_REASON,
      domain: 'rbm-functions',
    },
  ]);
}

type Context = SendDeps & { now: () => Date; messageId: string };

export async function sendMessage(request: SendRequest, deps: SendDeps): Promise<SendOutcome> {
  const now = deps.now ?? (() => new Date());
  const { agentId } = deps;
  const violations: FieldViolation[] = [];
  checkPhoneNumber(request.phoneNumber, violations);
  checkMessageId(request.messageId, violations);
  checkAgentId(request.agentId, agentId, violations);
  if (request.idempotencyKey !== undefined && !isValidIdempotencyKey(request.idempotencyKey)) {
    violations.push({
      field: 'Idempotency-Key',
      description: 'must be 1 to 256 printable ASCII characters.',
    });
  }
  const headers = parseSendHeaders({
    correlationId: request.correlationId,
    fallbackPolicy: request.fallbackPolicy,
  });
  violations.push(...headers.violations);
  const bodyViolations = validateAgentMessage(request.body, { now: now() });
  violations.push(...bodyViolations);
  // Only a body can be recorded as undeliverable: a bad phone, id or header leaves nothing to record.
  const undeliverable =
    violations.length > 0 && violations.length === bodyViolations.length
      ? request.failInvalidAs?.(bodyViolations)
      : undefined;
  if (violations.length > 0 && undeliverable === undefined) throw ApiError.invalidArgument(violations);

  const message = request.body as AgentMessage;
  const messageId =
    request.messageId ??
    (request.idempotencyKey !== undefined
      ? messageIdForIdempotencyKey(agentId, request.idempotencyKey)
      : newMessageId());
  const logger = deps.logger.child({ messageId });
  const pending: AgentMessageRecord = {
    messageId,
    agentId,
    phoneNumber: request.phoneNumber,
    state: 'PENDING',
    contentType: contentTypeOf(message),
    ...(message.messageTrafficType === undefined ? {} : { trafficType: message.messageTrafficType }),
    contentSha256: sha256Hex(canonicalJson(message)),
    ...(headers.headers.correlationId === undefined ? {} : { correlationId: headers.headers.correlationId }),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
    fallbackPolicy: headers.headers.fallbackPolicy,
    ...(request.campaignId === undefined ? {} : { campaignId: request.campaignId }),
    createdAt: now(),
    updatedAt: now(),
    attempts: 0,
  };
  try {
    return await sendRecorded(pending, message, { ...deps, logger, now, messageId }, undeliverable);
  } catch (error) {
    // Whatever failed, the caller must learn the id: RBM may have accepted the message already.
    if (!isTransientGrpcError(error)) {
      logger.error('Send failed unexpectedly', { err: error });
      return { kind: 'internalError', messageId };
    }
    logger.warn('Storage unavailable during send', { err: error });
    return { kind: 'storageUnavailable', messageId };
  }
}

async function sendRecorded(
  pending: AgentMessageRecord,
  message: AgentMessage,
  context: Context,
  undeliverable: StoredError | undefined,
): Promise<SendOutcome> {
  const { logger, messageId } = context;
  if (undeliverable !== undefined) return refuse(pending, context, undeliverable);
  if (await refusedByConsent(pending, context)) return refuse(pending, context, UNSUBSCRIBED_ERROR);

  const created = await context.store.createPending(pending);
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentSha256 !== pending.contentSha256 || existing.phoneNumber !== pending.phoneNumber) {
      logger.warn('Message id reused for a different request', { state: existing.state });
      return { kind: 'idConflict', messageId };
    }
    if (existing.state !== 'PENDING') {
      logger.info('Replaying stored outcome', { state: existing.state });
      return replay(existing);
    }
    logger.info('Resuming a pending message', { attempts: existing.attempts });
  }

  const answer = await context.rbm.createAgentMessage(pending.phoneNumber, messageId, message);
  // 409: RBM already has this id (an earlier attempt whose answer was lost), so the message is sent.
  const alreadyAtRbm = answer.kind === 'rejected' && answer.status === 409;
  const outcome: RbmOutcome = alreadyAtRbm
    ? {
        kind: 'ok',
        status: 200,
        body: { name: `phones/${pending.phoneNumber}/agentMessages/${messageId}` },
        attempts: answer.attempts,
      }
    : answer;
  const fact = factFor(outcome, context.now());
  const stored = created.created
    ? await context.store.applyFactToCreated(created, fact)
    : await context.store.applyFact(messageId, fact);
  await context.events?.afterWrite(stored);
  if (outcome.kind === 'rejected' && outcome.status === 404) {
    await context.onNotReachable?.(pending.phoneNumber).catch((error: unknown) => {
      logger.warn('Capability cache not updated', { err: error });
    });
  }
  logger.info('Send finished', {
    outcome: outcome.kind,
    rbmStatus: outcome.kind === 'unavailable' ? outcome.error.code : outcome.status,
    attempt: outcome.attempts,
    state: stored.after?.state,
  });
  switch (outcome.kind) {
    case 'ok':
      return { kind: 'sent', messageId, body: outcome.body, replayed: alreadyAtRbm };
    case 'rejected':
      return { kind: 'rejected', messageId, status: outcome.status, error: outcome.error, replayed: false };
    case 'unavailable':
      return {
        kind: 'rbmUnavailable',
        messageId,
        attempts: outcome.attempts,
        rbmStatus: outcome.error.status,
      };
  }
}

/** Reads the consent only when the mode could refuse this traffic type (no extra read otherwise). */
async function refusedByConsent(pending: AgentMessageRecord, context: Context): Promise<boolean> {
  const gate = context.consent;
  if (gate === undefined || !consentRefusal(gate.mode, pending.trafficType, { subscribed: false })) {
    return false;
  }
  return consentRefusal(gate.mode, pending.trafficType, await gate.get(pending.phoneNumber));
}

/**
 * The refused message (consent, or a campaign message no longer valid) is recorded FAILED with `error` and no
 * attempt, and RBM is never called.
 */
async function refuse(
  pending: AgentMessageRecord,
  context: Context,
  error: StoredError,
): Promise<SendOutcome> {
  const { messageId, logger } = context;
  const refused = withOutbox(undefined, {
    ...pending,
    state: 'FAILED',
    failedAt: pending.createdAt,
    error: { ...error },
  });
  const created = await context.store.createPending(refused);
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentSha256 !== pending.contentSha256 || existing.phoneNumber !== pending.phoneNumber) {
      return { kind: 'idConflict', messageId };
    }
    // An earlier attempt left it PENDING (RBM unavailable) and its message may no longer be sent (the phone
    // unsubscribed since, or it expired): refused, never replayed as sent. The record stays PENDING, so
    // reconcile's pending timeout revokes the copy an earlier attempt may have left at RBM.
    if (existing.state === 'PENDING') return refusedOutcome(messageId, error, false);
    return replay(existing);
  }
  await context.events?.afterWrite({
    before: undefined,
    after: refused,
    written: true,
    writeTime: created.writeTime,
  });
  if (error.reason === CONSENT_REFUSAL_REASON) {
    logger.info('Send refused: recipient unsubscribed', { trafficType: pending.trafficType });
  } else {
    logger.warn('Send refused: message no longer valid, recorded FAILED', { reason: error.reason });
  }
  return refusedOutcome(messageId, error, false);
}

function refusedOutcome(messageId: string, error: StoredError, replayed: boolean): SendOutcome {
  if (error.reason === CONSENT_REFUSAL_REASON) return { kind: 'unsubscribed', messageId, replayed };
  return { kind: 'rejected', messageId, status: error.code, error, replayed };
}

function storedError(error: { code: number; status: string; message: string }): StoredError {
  return { code: error.code, status: error.status, message: error.message };
}

function factFor(outcome: RbmOutcome, at: Date): DeliveryFact {
  switch (outcome.kind) {
    case 'ok': {
      const sendTime = dateFrom(outcome.body.sendTime);
      const expireTime = dateFrom(outcome.body.expireTime);
      return {
        kind: 'sent',
        at,
        attempts: outcome.attempts,
        ...(typeof outcome.body.name === 'string' ? { name: outcome.body.name } : {}),
        ...(sendTime ? { sendTime } : {}),
        ...(expireTime ? { expireTime } : {}),
      };
    }
    case 'rejected':
      return { kind: 'failed', at, attempts: outcome.attempts, error: storedError(outcome.error) };
    case 'unavailable':
      return { kind: 'unavailable', attempts: outcome.attempts, error: storedError(outcome.error) };
  }
}

/** The stored outcome of a settled message, answered again without calling RBM. */
function replay(record: AgentMessageRecord): SendOutcome {
  const { messageId } = record;
  if (record.state === 'FAILED') {
    const error = record.error ?? { code: 500, status: 'INTERNAL', message: 'The message failed.' };
    return refusedOutcome(messageId, error, true);
  }
  return {
    kind: 'sent',
    messageId,
    replayed: true,
    body: {
      name: record.name ?? `phones/${record.phoneNumber}/agentMessages/${record.messageId}`,
      ...(record.sendTime ? { sendTime: record.sendTime.toISOString() } : {}),
      ...(record.expireTime ? { expireTime: record.expireTime.toISOString() } : {}),
    },
  };
}
