/**
 * The ids a campaign derives: each recipient's message id and the Cloud Tasks task names. Every one is a pure
 * function of the campaign id (and the recipient or chunk), so any retry at any layer reaches the same message
 * and the same task, and nothing is sent or enqueued twice (docs/campaigns.md#ids).
 */
import { v5 as uuidv5 } from 'uuid';
import { IDEMPOTENCY_KEY_NAMESPACE } from '../ids.js';
import { taskNameFor } from '../tasks/names.js';

/**
 * The UUID v5 namespace of campaign message ids: the one send's `Idempotency-Key` ids use, itself
 * `uuidv5('rbm-functions:idempotency-key', uuidv5.URL)`, so anyone can recompute a recipient's id.
 */
export const CAMPAIGN_MESSAGE_NAMESPACE = IDEMPOTENCY_KEY_NAMESPACE;

/** `[a-z0-9-]`, 1 to 64 characters. */
export const CAMPAIGN_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

export function isCampaignId(value: string): boolean {
  return CAMPAIGN_ID_PATTERN.test(value);
}

/** The message id of one recipient: the UUID v5 of `campaign/{campaignId}/{E.164}`. */
export function campaignMessageId(campaignId: string, phoneNumber: string): string {
  return uuidv5(`campaign/${campaignId}/${phoneNumber}`, CAMPAIGN_MESSAGE_NAMESPACE);
}

/** The task that dispatches one recipient: named after its message id. */
export function recipientTaskName(queue: string, messageId: string): string {
  return taskNameFor(queue, messageId);
}

/**
 * The task that enqueues one chunk's recipients. `generation` counts the times a chunk task put itself off
 * (its recipients were beyond Cloud Tasks' scheduling horizon), so each put-off is a task of its own.
 */
export function chunkTaskName(queue: string, campaignId: string, chunk: number, generation: number): string {
  return taskNameFor(queue, `campaign/${campaignId}/chunk/${chunk}/${generation}`);
}
