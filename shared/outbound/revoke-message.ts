/**
 * Revoking an agent message that is sent but not yet delivered. A record already DELIVERED or READ is
 * answered 404 without asking RBM; otherwise RBM decides (200 revoked, 404 too late).
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { errorResult, type HttpResult } from '../http/response.js';
import type { Logger } from '../log/logger.js';
import type { RbmClient } from '../rbm/client.js';
import type { AgentMessageStore } from '../store/agent-messages.js';
import { checkAgentId, checkMessageId, checkPhoneNumber } from './request-checks.js';

export interface RevokeRequest {
  phoneNumber: string;
  messageId: string;
  agentId: string | undefined;
}

export interface RevokeDeps {
  store: AgentMessageStore;
  rbm: RbmClient;
  logger: Logger;
}

export async function revokeMessage(request: RevokeRequest, deps: RevokeDeps): Promise<HttpResult> {
  const violations: FieldViolation[] = [];
  checkPhoneNumber(request.phoneNumber, violations);
  checkMessageId(request.messageId, violations);
  checkAgentId(request.agentId, deps.rbm.agentId, violations);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);

  const { messageId, phoneNumber } = request;
  const logger = deps.logger.child({ messageId });
  const found = await deps.store.get(messageId);
  // A record for another phone is not this message: RBM decides, and the record is left alone.
  const record = found?.phoneNumber === phoneNumber ? found : undefined;

  if (record?.state === 'DELIVERED' || record?.state === 'READ') {
    logger.info('Revoke refused: already delivered', { state: record.state });
    return errorResult(
      new ApiError(404, 'The message was already delivered; it cannot be revoked.', 'NOT_FOUND'),
    );
  }

  const outcome = await deps.rbm.deleteAgentMessage(phoneNumber, messageId);
  if (outcome.kind === 'ok') {
    const stored = record
      ? await deps.store.applyFact(messageId, { kind: 'revoked', at: new Date() })
      : undefined;
    logger.info('Revoked', { state: stored?.after?.state, attempt: outcome.attempts });
    return { status: 200, body: {} };
  }
  if (outcome.kind === 'rejected') {
    if (outcome.status === 404 && record) await deps.store.applyFact(messageId, { kind: 'revokeFailed' });
    logger.info('Revoke rejected by RBM', { rbmStatus: outcome.status, state: record?.state });
    return { status: outcome.status, body: { error: outcome.error } };
  }
  logger.warn('Revoke not confirmed: RBM unavailable', { attempt: outcome.attempts });
  return errorResult(
    new ApiError(
      503,
      `RBM API unavailable after ${outcome.attempts} attempt(s); the message was not revoked.`,
      'UNAVAILABLE',
    ),
  );
}
