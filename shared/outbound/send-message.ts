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
import type { HttpResult } from '../http/response.js';
import { errorResult } from '../http/response.js';
import { isValidIdempotencyKey, messageIdForIdempotencyKey, newMessageId } from '../ids.js';
import type { Logger } from '../log/logger.js';
import type { RbmClient, RbmOutcome } from '../rbm/client.js';
import type { AgentMessageStore } from '../store/agent-messages.js';
import { checkAgentId, checkMessageId, checkPhoneNumber } from './request-checks.js';
import { dateFrom } from '../json-values.js';

export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MESSAGE_ID_HEADER = 'Rbm-Message-Id';

export interface SendRequest {
  phoneNumber: string;
  messageId: string | undefined;
  agentId: string | undefined;
  idempotencyKey: string | undefined;
  body: unknown;
}

export interface SendDeps {
  store: AgentMessageStore;
  rbm: RbmClient;
  logger: Logger;
  now?: () => Date;
}

export async function sendMessage(request: SendRequest, deps: SendDeps): Promise<HttpResult> {
  const now = deps.now ?? (() => new Date());
  const agentId = deps.rbm.agentId;
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
  const idHeader = { [MESSAGE_ID_HEADER]: messageId };
  const logger = deps.logger.child({ messageId });
  const contentSha256 = sha256Hex(canonicalJson(message));

  const created = await deps.store.createPending(
    pendingRecord(messageId, agentId, request.phoneNumber, message, contentSha256, now()),
  );
  if (!created.created) {
    const existing = created.existing;
    if (existing.contentSha256 !== contentSha256 || existing.phoneNumber !== request.phoneNumber) {
      logger.warn('Message id reused for a different request', { state: existing.state });
      return errorResult(
        new ApiError(
          409,
          `Message id ${messageId} was already used for a different request.`,
          'ALREADY_EXISTS',
        ),
        idHeader,
      );
    }
    if (existing.state !== 'PENDING') {
      logger.info('Replaying stored outcome', { state: existing.state });
      return { ...replay(existing), headers: { ...idHeader, [REPLAYED_HEADER]: 'true' } };
    }
    logger.info('Resuming a pending message', { attempts: existing.attempts });
  }

  const outcome = await deps.rbm.createAgentMessage(request.phoneNumber, messageId, message);
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
      return { status: 200, body: outcome.body, headers: idHeader };
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error }, headers: idHeader };
    case 'unavailable':
      return errorResult(
        new ApiError(
          503,
          `RBM API unavailable after ${outcome.attempts} attempt(s) (${outcome.error.status}); the message is recorded as PENDING. Retry with the same messageId or Idempotency-Key.`,
          'UNAVAILABLE',
        ),
        idHeader,
      );
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
function replay(record: AgentMessageRecord): HttpResult {
  if (record.state === 'FAILED') {
    const error = record.error ?? { code: 500, status: 'INTERNAL', message: 'The message failed.' };
    return { status: error.code, body: { error } };
  }
  return {
    status: 200,
    body: {
      name: record.name ?? `phones/${record.phoneNumber}/agentMessages/${record.messageId}`,
      ...(record.sendTime ? { sendTime: record.sendTime.toISOString() } : {}),
      ...(record.expireTime ? { expireTime: record.expireTime.toISOString() } : {}),
    },
  };
}
