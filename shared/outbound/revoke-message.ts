/**
 * Revoking an agent message that is sent but not yet delivered. A record already DELIVERED or READ is
 * answered without asking RBM, and so is one already REVOKED (RBM would answer a repeated delete 404, which
 * reads as "delivered"); otherwise RBM decides (200 revoked, 404 too late). The request is noted on the record
 * before RBM is asked and its outcome clears it, so an outcome that could not be written (or an RBM that did
 * not answer) is finished by reconcile (docs/status-and-fallback.md#timers).
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import type { AgentMessageRecord } from '../delivery-state.js';
import type { Logger } from '../log/logger.js';
import type { MutationResult } from '../store/optimistic.js';
import type { RbmError } from '../rbm/client.js';
import type { AgentMessagePort, RbmMessaging } from './ports.js';
import { checkAgentId, checkMessageId, checkPhoneNumber } from './request-checks.js';

export interface RevokeRequest {
  phoneNumber: string;
  messageId: string;
  agentId: string | undefined;
}

export interface RevokeDeps {
  agentId: string;
  store: AgentMessagePort;
  rbm: RbmMessaging;
  logger: Logger;
  /** Publishes the events a write queued; without it they stay queued for reconcile. */
  events?: { afterWrite(result: MutationResult<AgentMessageRecord>): Promise<unknown> };
  now?: () => Date;
}

export type RevokeOutcome =
  /** Revoked now, or earlier (`alreadyRevoked`: no RBM call). */
  | { kind: 'revoked'; alreadyRevoked: boolean }
  /** The record says DELIVERED or READ: too late, RBM not asked. */
  | { kind: 'alreadyDelivered' }
  /** RBM refused (404: delivered already, or unknown to RBM). */
  | { kind: 'rejected'; status: number; error: RbmError }
  | { kind: 'rbmUnavailable'; attempts: number; rbmStatus: string };

export async function revokeMessage(request: RevokeRequest, deps: RevokeDeps): Promise<RevokeOutcome> {
  const violations: FieldViolation[] = [];
  checkPhoneNumber(request.phoneNumber, violations);
  checkMessageId(request.messageId, violations);
  checkAgentId(request.agentId, deps.agentId, violations);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);

  const now = deps.now ?? (() => new Date());
  const { messageId, phoneNumber } = request;
  const logger = deps.logger.child({ messageId });
  const found = await deps.store.get(messageId);
  // A record for another phone is not this message: RBM decides, and the record is left alone.
  const record = found?.phoneNumber === phoneNumber ? found : undefined;

  if (record?.state === 'DELIVERED' || record?.state === 'READ') {
    logger.info('Revoke refused: already delivered', { state: record.state });
    return { kind: 'alreadyDelivered' };
  }
  if (record?.state === 'REVOKED') {
    logger.info('Revoke repeated: already revoked');
    return { kind: 'revoked', alreadyRevoked: true };
  }

  // Written first: if RBM revokes it and the outcome write then fails, reconcile still knows to finish it.
  if (record) await deps.store.applyFact(messageId, { kind: 'revokeRequested', at: now() });
  const outcome = await deps.rbm.deleteAgentMessage(phoneNumber, messageId);
  if (outcome.kind === 'ok') {
    if (record) await recordRevoked(deps, messageId, now(), logger);
    logger.info('Revoked', { attempt: outcome.attempts });
    return { kind: 'revoked', alreadyRevoked: false };
  }
  if (outcome.kind === 'rejected') {
    if (outcome.status === 404 && record) {
      await recordOutcome(logger, 'Revoke answered 404, but the record could not be updated', async () => {
        const stored = await deps.store.applyFact(messageId, {
          kind: 'revokeFailed',
          source: 'revoke',
          at: now(),
        });
        await deps.events?.afterWrite(stored);
      });
    } else if (record) {
      // Refused for good: nothing for reconcile to finish (if this write fails, reconcile's own ask closes it).
      await deps.store.applyFact(messageId, { kind: 'revokeRefused' }).catch((error: unknown) => {
        if (!isTransientGrpcError(error)) throw error;
        logger.warn('Revoke refusal not recorded yet: reconcile closes it', { err: error });
      });
    }
    logger.info('Revoke rejected by RBM', { rbmStatus: outcome.status, state: record?.state });
    return { kind: 'rejected', status: outcome.status, error: outcome.error };
  }
  // The request stays open: RBM may have revoked it, and reconcile asks again once the grace has passed.
  logger.warn('Revoke not confirmed: RBM unavailable', { attempt: outcome.attempts });
  return { kind: 'rbmUnavailable', attempts: outcome.attempts, rbmStatus: outcome.error.status };
}

/** RBM did revoke it: its answer is the caller's, whatever becomes of the bookkeeping. */
async function recordRevoked(deps: RevokeDeps, messageId: string, at: Date, logger: Logger): Promise<void> {
  await recordOutcome(logger, 'Revoked at RBM, but the record could not be updated', async () => {
    const stored = await deps.store.applyFact(messageId, { kind: 'revoked', at });
    await deps.events?.afterWrite(stored);
  });
}

/**
 * Writes RBM's answer to the record. A failed write must not turn RBM's answer into an error: the revoke
 * request written before RBM was asked stays open, and reconcile revokes once more after the grace and records
 * RBM's answer then. A transient failure is expected now and then; any other is logged as an error.
 */
async function recordOutcome(logger: Logger, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const fields = { err: error };
    if (isTransientGrpcError(error)) logger.warn(`${what} yet: reconcile finishes it`, fields);
    else logger.error(`${what}: reconcile finishes it`, fields);
  }
}
