/**
 * Sending an agent message: validate, record PENDING, call RBM, record the outcome. The message id is
 * the idempotency key end to end: a retried request never sends a second message, and a replay answers
 * from the record without calling RBM.
 */
import { contentTypeOf } from '../agent-message/content-type.js';
import type { AgentMessage } from '../agent-message/types.js';
import { validateAgentMessage } from '../agent-message/validate.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { AgentMessageRecord, StoredError } from '../delivery-state.js';
import { ApiError, type FieldViolation } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { isValidIdempotencyKey, messageIdForIdempotencyKey, newMessageId } from '../ids.js';
import type { Logger } from '../log/logger.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import type { AgentMessagePort, RbmMessaging } from './ports.js';
import { checkAgentId, checkMessageId, checkPhoneNumber } from './request-checks.js';
import { dateFrom } from '../json-values.js';

export interface SendRequest {
  phoneNumber: string;
  messageId: string | undefined;
  agentId: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

export interface SendDeps {
  agentId: string;
  store: AgentMessagePort;
  rbm: RbmMessaging;
  logger: Logger;
  now?: () => Date;
}

/** What became of a valid send request; `messageId` is the id chosen for it, always. */
export type SendOutcome =
  /** RBM accepted it now (`body` is RBM's answer), or earlier (`replayed`, body from the record). */
  | { kind: 'sent'; messageId: string; body: Record<string, unknown>; replayed: boolean }
  /** RBM refused it now, or earlier (`replayed`): its status and error. */
  | { kind: 'rejected'; messageId: string; status: number; error: RbmError; replayed: boolean }
  /** The id was already used for a different request. */
  | { kind: 'idConflict'; messageId: string }
  /** RBM could not be reached within the retry budget; the record stays PENDING. */
  | { kind: 'rbmUnavailable'; messageId: string; attempts: number; rbmStatus: string }
  /** Storage failed; the caller retries with the same id and nothing is sent twice. */
  | { kind: 'storageUnavailable'; messageId: string };

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
  violations.push(...validateAgentMessage(request.body, { now: now() }));
  if (violations.length > 0) throw ApiError.invalidArgument(violations);

  const message = request.body as AgentMessage;
  const messageId =
    request.messageId ??
    (request.idempotencyKey !== undefined
      ? messageIdForIdempotencyKey(agentId, request.idempotencyKey)
      : newMessageId());
  const logger = deps.logger.child({ messageId });
  try {
    return await sendWithId(request, message, messageId, { ...deps, logger, now });
  } catch (error) {
    if (!isTransientGrpcError(error)) throw error;
    logger.warn('Storage unavailable during send', { err: error });
    return { kind: 'storageUnavailable', messageId };
  }
}

async function sendWithId(
  request: SendRequest,
  message: AgentMessage,
  messageId: string,
  deps: SendDeps & { now: () => Date },
): Promise<SendOutcome> {
  const { agentId, logger, now } = deps;
  const contentSha256 = sha256Hex(canonicalJson(message));

  const created = await deps.store.createPending(
    pendingRecord(messageId, agentId, request.phoneNumber, message, contentSha256, now()),
  );
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentSha256 !== contentSha256 || existing.phoneNumber !== request.phoneNumber) {
      logger.warn('Message id reused for a different request', { state: existing.state });
      return { kind: 'idConflict', messageId };
    }
    if (existing.state !== 'PENDING') {
      logger.info('Replaying stored outcome', { state: existing.state });
      return replay(existing);
    }
    logger.info('Resuming a pending message', { attempts: existing.attempts });
  }

  const answer = await deps.rbm.createAgentMessage(request.phoneNumber, messageId, message);
  // 409: RBM already has this id (an earlier attempt whose answer was lost), so the message is sent.
  const alreadyAtRbm = answer.kind === 'rejected' && answer.status === 409;
  const outcome: RbmOutcome = alreadyAtRbm
    ? {
        kind: 'ok',
        status: 200,
        body: { name: `phones/${request.phoneNumber}/agentMessages/${messageId}` },
        attempts: answer.attempts,
      }
    : answer;
  const fact = factFor(outcome, now());
  const stored = created.created
    ? await deps.store.applyFactToCreated(created, fact)
    : await deps.store.applyFact(messageId, fact);
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

function pendingRecord(
  messageId: string,
  agentId: string,
  phoneNumber: string,
  message: AgentMessage,
  contentSha256: string,
  now: Date,
): AgentMessageRecord {
  return {
    messageId,
    agentId,
    phoneNumber,
    state: 'PENDING',
    contentType: contentTypeOf(message),
    ...(message.messageTrafficType === undefined ? {} : { trafficType: message.messageTrafficType }),
    contentSha256,
    createdAt: now,
    updatedAt: now,
    attempts: 0,
  };
}

function storedError(error: { code: number; status: string; message: string }): StoredError {
  return { code: error.code, status: error.status, message: error.message };
}

function factFor(outcome: RbmOutcome, at: Date) {
  switch (outcome.kind) {
    case 'ok': {
      const sendTime = dateFrom(outcome.body.sendTime);
      const expireTime = dateFrom(outcome.body.expireTime);
      return {
        kind: 'sent' as const,
        at,
        attempts: outcome.attempts,
        ...(typeof outcome.body.name === 'string' ? { name: outcome.body.name } : {}),
        ...(sendTime ? { sendTime } : {}),
        ...(expireTime ? { expireTime } : {}),
      };
    }
    case 'rejected':
      return { kind: 'failed' as const, at, attempts: outcome.attempts, error: storedError(outcome.error) };
    case 'unavailable':
      return { kind: 'unavailable' as const, attempts: outcome.attempts, error: storedError(outcome.error) };
  }
}

/** The stored outcome of a settled message, answered again without calling RBM. */
function replay(record: AgentMessageRecord): SendOutcome {
  const { messageId } = record;
  if (record.state === 'FAILED') {
    const error = record.error ?? { code: 500, status: 'INTERNAL', message: 'The message failed.' };
    return { kind: 'rejected', messageId, status: error.code, error, replayed: true };
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
