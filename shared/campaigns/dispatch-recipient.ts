/**
 * A recipient task: sends the campaign's message to one phone through the send path (consent gate, record,
 * RBM call with retries, status and fallback events), under the recipient's derived message id, so a repeated
 * or duplicated task never reaches RBM twice. A cancelled campaign sends nothing (docs/campaigns.md#dispatch).
 */
import type { AgentMessage } from '../agent-message/types.js';
import type { StoredError } from '../delivery-state.js';
import type { FieldViolation } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { sendMessage, type SendDeps, type SendOutcome } from '../outbound/send-message.js';
import type { CampaignRecord } from '../campaign-record.js';
import { campaignMessageId } from './ids.js';
import type { CampaignStorePort } from './ports.js';
import { completeIfDispatched } from './progress.js';
import { lastSendTime } from './schedule.js';
import type { DispatchTaskBody } from './tasks.js';

/** What a dispatch needs of a campaign besides its state; it never changes, so an instance keeps it. */
export interface CampaignContent {
  campaignId: string;
  agentMessage: AgentMessage;
  fallbackPolicy: string;
  recipientCount: number;
  /** When the last recipient is due: a dispatch finishing later checks whether the campaign is complete. */
  lastSendTime: Date;
}

export interface DispatchDeps {
  store: Pick<CampaignStorePort, 'get' | 'getState' | 'transition' | 'countRecords'>;
  send: SendDeps;
  content: CampaignContentCache;
  logger: Logger;
  now?: () => Date;
}

export type DispatchOutcome =
  /** The campaign was cancelled before this recipient's turn: nothing sent. */
  | { kind: 'cancelled'; messageId: string }
  | { kind: 'notFound'; messageId: string }
  /**
   * The stored message no longer passes validation (its expireTime went by while the task waited or was
   * retried): the recipient is recorded FAILED with `error` (now, or by an earlier run: `replayed`).
   */
  | { kind: 'undeliverable'; messageId: string; error: StoredError; replayed: boolean }
  /** The send path ran: its outcome. */
  | { kind: 'sendOutcome'; messageId: string; outcome: SendOutcome };

export async function dispatchRecipient(
  task: DispatchTaskBody,
  deps: DispatchDeps,
): Promise<DispatchOutcome> {
  const now = deps.now ?? (() => new Date());
  const messageId = campaignMessageId(task.campaignId, task.phoneNumber);
  const logger = deps.logger.child({ campaignId: task.campaignId, messageId, position: task.position });
  const state = await deps.store.getState(task.campaignId);
  if (state === undefined) return { kind: 'notFound', messageId };
  if (state === 'CANCELLED') {
    logger.info('Campaign cancelled: recipient skipped');
    return { kind: 'cancelled', messageId };
  }
  const content = await deps.content.get(task.campaignId, () => deps.store.get(task.campaignId));
  if (content === undefined) return { kind: 'notFound', messageId };
  if (state === 'SCHEDULED') {
    await deps.store.transition(task.campaignId, 'RUNNING', now()).catch((error: unknown) => {
      logger.warn('Campaign not marked RUNNING (the next dispatch will)', { err: error });
    });
  }

  // The task body was checked and the message was valid when stored, so only time can fail it now: the
  // recipient is then recorded FAILED (counted, so the campaign can complete), never sent.
  const outcome = await sendMessage(
    {
      phoneNumber: task.phoneNumber,
      messageId,
      agentId: undefined,
      idempotencyKey: undefined,
      fallbackPolicy: content.fallbackPolicy,
      campaignId: task.campaignId,
      body: content.agentMessage,
      failInvalidAs: undeliverableError,
    },
    { ...deps.send, logger: deps.send.logger.child({ campaignId: task.campaignId }) },
  );

  if (now().getTime() >= content.lastSendTime.getTime()) {
    await completeIfDispatched(deps.store, content, now()).catch((error: unknown) => {
      logger.warn('Completion not checked (a read of the campaign completes it)', { err: error });
    });
  }
  if (outcome.kind === 'rejected' && isUndeliverableReason(outcome.error)) {
    return { kind: 'undeliverable', messageId, error: outcome.error, replayed: outcome.replayed };
  }
  return { kind: 'sendOutcome', messageId, outcome };
}

/** The reasons of a recipient recorded FAILED at dispatch because the campaign's message could not be sent. */
export const EXPIRED_BEFORE_DISPATCH = 'EXPIRED_BEFORE_DISPATCH';
export const INVALID_AT_DISPATCH = 'INVALID_AT_DISPATCH';

/** The error recorded for a recipient whose message no longer validates at dispatch. Pure. */
export function undeliverableError(violations: readonly FieldViolation[]): StoredError {
  if (violations.some((violation) => violation.field === 'expireTime')) {
    return {
      code: 400,
      status: 'FAILED_PRECONDITION',
      message:
        "The campaign's message expired (agentMessage.expireTime) before this recipient was dispatched; it was not sent.",
      reason: EXPIRED_BEFORE_DISPATCH,
    };
  }
  const fields = [...new Set(violations.map((violation) => `agentMessage.${violation.field}`))];
  return {
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: `The campaign's message no longer passes validation (${fields.join(', ')}); it was not sent.`,
    reason: INVALID_AT_DISPATCH,
  };
}

/** A FAILED record's error (RbmError typed, as the send path replays it) that the dispatch itself wrote. */
function isUndeliverableReason(error: object): error is StoredError {
  const reason = (error as Partial<StoredError>).reason;
  return reason === EXPIRED_BEFORE_DISPATCH || reason === INVALID_AT_DISPATCH;
}

/** The content of the campaigns this instance dispatches for, read once each (a few, most recent kept). */
export class CampaignContentCache {
  private readonly entries = new Map<string, Promise<CampaignContent | undefined>>();

  constructor(private readonly capacity = 32) {}

  async get(
    campaignId: string,
    read: () => Promise<CampaignRecord | undefined>,
  ): Promise<CampaignContent | undefined> {
    let entry = this.entries.get(campaignId);
    if (entry === undefined) {
      entry = read().then((record) => (record === undefined ? undefined : contentOf(record)));
      this.entries.set(campaignId, entry);
      while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value ?? '');
    }
    try {
      const content = await entry;
      if (content === undefined) this.entries.delete(campaignId);
      return content;
    } catch (error) {
      this.entries.delete(campaignId);
      throw error;
    }
  }
}

function contentOf(record: CampaignRecord): CampaignContent {
  return {
    campaignId: record.campaignId,
    agentMessage: JSON.parse(record.agentMessageJson) as AgentMessage,
    fallbackPolicy: record.fallbackPolicy,
    recipientCount: record.recipientCount,
    lastSendTime: lastSendTime(record, record.recipientCount),
  };
}
